"""Each worker keeps the live catalog in memory, and never serves it stale."""

from __future__ import annotations

from sqlalchemy import select

from champion import create_app
from champion.catalog.live import EXTENSION, current_stamp, live_catalog
from champion.catalog.models import Module
from champion.catalog.sync import sync_content
from champion.content import load_content
from champion.extensions import db
from tests.conftest import sync
from tests.helpers import PASS_FIRST, mark_complete, submit


def retitle(content_dir, title: str) -> None:
    path = content_dir / "basics" / "03-reading.md"
    path.write_text(path.read_text().replace("title: A reading", f"title: {title}", 1))


def test_a_worker_reads_the_catalog_once_until_content_changes(app, learner_client,
                                                               content_dir):
    sync(content_dir)
    cache = app.extensions[EXTENSION]
    learner_client.get("/")
    builds = cache.builds
    for url in ("/", "/modules/basics/", "/modules/basics/first-steps", "/me"):
        assert learner_client.get(url).status_code == 200
    assert cache.builds == builds

    retitle(content_dir, "Reading, revised")
    sync(content_dir)
    assert "Reading, revised" in learner_client.get("/").get_data(as_text=True)
    assert cache.builds == builds + 1


def test_a_change_made_by_another_worker_is_seen_on_the_next_request(app, learner_client,
                                                                     content_dir):
    sync(content_dir)
    assert "A reading" in learner_client.get("/").get_data(as_text=True)
    other = create_app({"TESTING": True,
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    retitle(content_dir, "Edited on another worker")
    with other.app_context():
        sync_content(load_content(content_dir))
        db.session.commit()
        db.engine.dispose()
    page = learner_client.get("/modules/basics/").get_data(as_text=True)
    assert "Edited on another worker" in page and "A reading" not in page


def test_retiring_a_module_takes_it_off_every_page_at_once(app, learner_client, content_dir):
    sync(content_dir)
    assert learner_client.get("/modules/basics/reading").status_code == 200
    (content_dir / "basics" / "03-reading.md").unlink()
    sync(content_dir)
    assert learner_client.get("/modules/basics/reading").status_code == 404
    assert "A reading" not in learner_client.get("/").get_data(as_text=True)


def test_learning_never_changes_the_stamp(app, learner_client, synced):
    learner_client.get("/")
    stamp = current_stamp()
    builds = app.extensions[EXTENSION].builds
    assert submit(learner_client, "basics", "first-steps", PASS_FIRST).status_code == 302
    assert mark_complete(learner_client, "basics", "reading").status_code == 302
    learner_client.get("/modules/basics/second-steps")
    assert current_stamp() == stamp
    assert app.extensions[EXTENSION].builds == builds


def test_content_written_in_a_transaction_that_rolls_back_is_never_kept(
        app, learner_client, content_dir):
    sync(content_dir)
    learner_client.get("/")
    stamp = current_stamp()
    retitle(content_dir, "Never committed")
    sync_content(load_content(content_dir))  # not committed
    assert current_stamp() != stamp
    titles = {m.version.title for m in live_catalog().by_path.values()}
    assert "Never committed" in titles  # this transaction sees its own writes...
    db.session.rollback()
    assert current_stamp() == stamp
    page = learner_client.get("/").get_data(as_text=True)
    assert "A reading" in page and "Never committed" not in page  # ...and nobody else


def test_a_new_stamp_comes_with_every_write_to_live_content(app, synced):
    stamp = current_stamp()
    module = db.session.scalar(select(Module).where(Module.slug == "reading"))
    module.retired_at = module.created_at
    db.session.commit()
    assert current_stamp() != stamp


def test_every_reading_page_is_three_queries_after_the_first_reader(
        app, learner_client, synced, count_queries):
    pages = ["/", "/modules/basics/", "/modules/basics/first-steps",
             "/modules/basics/first-steps/slides", "/modules/basics/first-steps/case",
             "/modules/basics/first-steps/quiz"]
    for url in pages:
        learner_client.get(url)  # fills the worker's caches and marks the module opened
    for url in pages:
        with count_queries() as counter:
            assert learner_client.get(url).status_code == 200
        # who is signed in, whether content changed, the learner's progress (the quiz
        # page needs none: it shows the questions)
        assert counter.count <= 3, (url, counter.statements)
        assert not any("FROM module_versions" in s or "FROM series" in s
                       for s in counter.statements), (url, counter.statements)


def test_my_progress_page_does_not_grow_with_attempts(app, learner_client, synced,
                                                      count_queries):
    from tests.helpers import FAIL_FIRST

    submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    learner_client.get("/me")
    with count_queries() as one:
        learner_client.get("/me")
    for _ in range(4):
        submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    with count_queries() as six:
        page = learner_client.get("/me").get_data(as_text=True)
    assert "Passed" in page
    assert one.count == six.count, six.statements
