"""Syncing content: versions, history that never changes, retirement."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from champion.badges.models import BadgeAward
from champion.catalog.models import ContentPage, Module, ModuleVersion
from champion.extensions import db
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt
from tests.helpers import PASS_FIRST, PASS_SECOND, login, mark_complete, submit, sync


def edit(path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def module(slug: str) -> Module:
    db.session.expire_all()
    return db.session.scalar(select(Module).where(Module.slug == slug))


def test_editing_a_module_makes_a_new_version(app, content_dir):
    sync(content_dir)
    edit(content_dir / "basics" / "01-first-steps.md", "The first slide.", "A better first slide.")
    report = sync(content_dir)
    assert report.updated == ["basics/first-steps"] and len(report.unchanged) == 4
    first = module("first-steps")
    assert first.current_version.number == 2
    assert "A better first slide." in first.current_version.body_html
    versions = db.session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == first.id))
    assert sorted(v.number for v in versions) == [1, 2]


def test_editing_the_case_guide_alone_makes_a_new_version(app, content_dir):
    sync(content_dir)
    edit(content_dir / "basics" / "01-first-steps.case.md", "Discuss.", "Discuss at length.")
    assert sync(content_dir).updated == ["basics/first-steps"]


def test_attempts_and_the_badge_survive_an_edit_and_resync(client, learner, content_dir, app):
    app.config["CHAMPION_MODULES_DIR"] = str(content_dir)
    sync(content_dir)
    login(client, learner)
    submit(client, "basics", "first-steps", PASS_FIRST)
    submit(client, "basics", "second-steps", PASS_SECOND)
    mark_complete(client, "basics", "reading")
    [award] = db.session.scalars(select(BadgeAward)).all()
    answered = db.session.scalar(select(Attempt).where(Attempt.score == 100)).module_version_id

    # The educator rewrites the first quiz's key and adds a required module.
    edit(content_dir / "basics" / "01-first-steps.md", "- [ ] Jump ahead", "- [x] Jump ahead")
    (content_dir / "basics" / "05-new.md").write_text("---\ntitle: New\nduration: 5\n---\nNew.\n")
    sync(content_dir)

    db.session.expire_all()
    attempt = db.session.scalar(select(Attempt).where(Attempt.module_version_id == answered))
    assert attempt.score == 100 and attempt.passed
    assert attempt.version.number == 1 and attempt.version.quiz["questions"][0]["choices"][0][
        "correct"] is False
    assert module("first-steps").current_version.number == 2
    assert db.session.scalars(select(BadgeAward)).all() == [award]
    assert award.revoked_at is None
    page = client.get(f"/modules/basics/first-steps/quiz/attempts/{attempt.id}").get_data(
        as_text=True)
    assert "Passed: 100%" in page and "module version 1" in page


def test_a_removed_module_is_retired_with_its_history_kept(client, learner, content_dir, app):
    app.config["CHAMPION_MODULES_DIR"] = str(content_dir)
    sync(content_dir)
    login(client, learner)
    submit(client, "basics", "first-steps", PASS_FIRST)
    (content_dir / "basics" / "01-first-steps.md").unlink()
    (content_dir / "basics" / "01-first-steps.case.md").unlink()
    report = sync(content_dir)
    assert report.retired == ["basics/first-steps"]
    assert module("first-steps").retired_at is not None
    client.get("/me")  # shows (and clears) the pending "complete" message
    assert "First steps" not in client.get("/").get_data(as_text=True)
    assert client.get("/modules/basics/first-steps").status_code == 404
    assert db.session.scalar(select(ModuleProgress)).completed_at is not None
    me = client.get("/me").get_data(as_text=True)
    assert "First steps <span" in me  # the attempt stays in the learner's history

    (content_dir / "basics" / "01-first-steps.md").write_text(
        "---\ntitle: First steps\nduration: 10\n---\nBack again.\n"
    )
    report = sync(content_dir)
    assert report.updated == ["basics/first-steps"]
    assert module("first-steps").retired_at is None


def test_a_series_removed_is_retired(app, content_dir):
    sync(content_dir)
    shutil.rmtree(content_dir / "extras")
    report = sync(content_dir)
    assert report.retired == ["extras/figure"]
    assert report.series_changed == 1


def test_criteria_met_by_a_content_change_award_the_badge_at_sync(
    client, learner, content_dir, app
):
    app.config["CHAMPION_MODULES_DIR"] = str(content_dir)
    sync(content_dir)
    login(client, learner)
    submit(client, "basics", "first-steps", PASS_FIRST)
    submit(client, "basics", "second-steps", PASS_SECOND)
    assert db.session.scalars(select(BadgeAward)).all() == []
    reading = content_dir / "basics" / "03-reading.md"
    edit(reading, "duration: 5\n", "duration: 5\nrequired: false\n")
    report = sync(content_dir)
    assert report.awards == 1
    assert len(db.session.scalars(select(BadgeAward)).all()) == 1


def test_resources_page_follows_the_file(app, client, content_dir):
    sync(content_dir)
    (content_dir / "resources.md").write_text("# New resources\n")
    sync(content_dir)
    assert "New resources" in db.session.get(ContentPage, "resources").html
    assert 'href="/resources"' in client.get("/").get_data(as_text=True)
    (content_dir / "resources.md").unlink()
    sync(content_dir)
    assert db.session.get(ContentPage, "resources") is None
    # No page, no link to it: the nav never leads to a 404.
    assert client.get("/resources").status_code == 404
    assert 'href="/resources"' not in client.get("/").get_data(as_text=True)


def test_versions_from_an_older_renderer_are_rendered_again_in_place(app, content_dir):
    sync(content_dir)
    first = module("first-steps")
    version = first.current_version
    version.renderer, version.body_html = 1, "<p>old HTML</p>"
    db.session.commit()
    report = sync(content_dir)
    assert "basics/first-steps" in report.unchanged  # same source: no new version
    db.session.expire_all()
    version = module("first-steps").current_version
    assert version.number == 1 and version.renderer > 1
    assert '<div class="table-scroll" role="region" tabindex="0"' in version.body_html


def test_a_module_whose_file_comes_back_unchanged_is_restored_without_a_new_version(
        app, content_dir):
    sync(content_dir)
    path = content_dir / "basics" / "02-second-steps.md"
    text = path.read_text()
    path.unlink()
    assert sync(content_dir).retired == ["basics/second-steps"]
    path.write_text(text)
    report = sync(content_dir)
    assert report.updated == ["basics/second-steps"] and report.created == []
    restored = module("second-steps")
    assert restored.retired_at is None and restored.current_version.number == 1
    assert sync(content_dir).updated == []  # and then it is unchanged
