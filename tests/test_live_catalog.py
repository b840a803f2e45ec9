"""Each worker keeps the live catalog in memory, and never serves it stale."""

from __future__ import annotations

from sqlalchemy import select

from champion import create_app
from champion.catalog.live import EXTENSION, current_stamp, live_catalog
from champion.catalog.models import Module
from champion.catalog.sync import sync_content
from champion.content import load_content
from champion.extensions import db
from tests.helpers import PASS_FIRST, mark_complete, submit, sync


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
