"""The catalog, series and module pages, slides, case guides, media and resources."""

from __future__ import annotations

import re

from sqlalchemy import select

from champion.extensions import db
from champion.progress.models import ModuleProgress
from tests.helpers import PASS_FIRST, mark_complete, submit


def statuses(page: str) -> list[str]:
    return re.findall(r'class="status status-(\w+)"', page)


def test_anonymous_catalog_lists_series_and_modules_without_status(client, synced):
    page = client.get("/").get_data(as_text=True)
    assert "The Basics" in page and "Extras" in page
    assert page.index("The Basics") < page.index("Extras")
    assert page.index("First steps") < page.index("Second steps") < page.index("A reading")
    assert statuses(page) == []
    assert "Create a free account" in page


def test_catalog_shows_the_learners_status_and_series_progress(learner_client, synced):
    page = learner_client.get("/").get_data(as_text=True)
    assert statuses(page) == ["not_started"] * 5
    learner_client.get("/modules/basics/second-steps")
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    page = learner_client.get("/").get_data(as_text=True)
    assert statuses(page) == ["complete", "in_progress", "not_started", "not_started",
                              "not_started"]
    assert "The Basics: 1 of 3 required modules complete" in page
    assert '<progress max="3" value="1"' in page


def test_opening_a_module_marks_it_in_progress_once(learner_client, learner, synced):
    learner_client.get("/modules/basics/reading")
    learner_client.get("/modules/basics/reading")
    rows = db.session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
    [progress] = rows.all()
    assert progress.completed_at is None and progress.status == "in_progress"


def test_module_page_has_objectives_body_references_case_link_and_quiz(learner_client, synced):
    page = learner_client.get("/modules/basics/first-steps").get_data(as_text=True)
    assert "Learning objectives" in page and "Name the first step" in page
    assert "The first slide." in page and "The second slide" in page
    assert "Someone. A paper." in page
    assert 'href="/modules/basics/first-steps/case"' in page
    assert 'href="/modules/basics/first-steps/quiz"' in page
    assert "secret note" not in page
    assert "Which is the first step?" not in page  # the quiz is not part of the reading view


def test_slides_show_one_slide_at_a_time_and_never_the_notes(learner_client, synced):
    page = learner_client.get("/modules/basics/first-steps/slides").get_data(as_text=True)
    assert page.count("data-slide ") == 2
    assert 'aria-label="Slide 2 of 2" hidden' in page
    assert "secret note" not in page
    assert "js/slides.js" in page and "<script>" not in page


def test_case_guide_is_printable_and_404_where_there_is_none(learner_client, synced):
    page = learner_client.get("/modules/basics/first-steps/case").get_data(as_text=True)
    assert "The first case" in page and "58-year-old" in page
    assert 'class="printable"' in page and "data-print" in page
    assert learner_client.get("/modules/basics/second-steps/case").status_code == 404
    assert "Steer towards her goals first." in page and "Running the session" in page
    assert "{facilitator}" not in page


def test_the_participant_handout_leaves_out_the_facilitator_sections(learner_client, synced):
    page = learner_client.get("/modules/basics/first-steps/handout").get_data(as_text=True)
    assert "58-year-old" in page and "One thing you will do differently" in page
    assert "Steer towards her goals" not in page and "Ten minutes a stage" not in page
    assert learner_client.get("/modules/basics/second-steps/handout").status_code == 404


def test_module_without_quiz_has_mark_as_complete(learner_client, learner, synced):
    page = learner_client.get("/modules/basics/reading").get_data(as_text=True)
    assert "Mark as complete" in page and "Take the quiz" not in page
    response = mark_complete(learner_client, "basics", "reading")
    assert response.status_code == 302
    progress = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
    assert progress.completed_via == "manual" and progress.completed_at is not None
    assert "Mark as complete" not in learner_client.get("/modules/basics/reading").get_data(
        as_text=True)


def test_a_module_with_a_quiz_cannot_be_marked_complete(learner_client, synced):
    assert mark_complete(learner_client, "basics", "first-steps").status_code == 400


def test_pdfs_are_served_as_downloads(client, synced, content_dir, app, monkeypatch):
    (content_dir / "extras" / "media" / "deck.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    monkeypatch.setitem(app.config, "CHAMPION_MODULES_DIR", str(content_dir))
    with client.get("/modules/extras/media/deck.pdf") as pdf:
        assert pdf.status_code == 200
        assert pdf.headers["Content-Disposition"].startswith("attachment")
    with client.get("/modules/extras/media/figure.gif") as image:
        assert image.headers["Content-Disposition"].startswith("inline")


def test_media_is_served_and_traversal_refused(client, synced):
    with client.get("/modules/extras/media/figure.gif") as response:
        assert response.status_code == 200 and response.data == b"GIF89a"
    assert client.get("/modules/extras/media/../01-figure.md").status_code == 404
    assert client.get("/modules/extras/media/%2e%2e/01-figure.md").status_code == 404
    assert client.get("/modules/extras/media/nope.png").status_code == 404


def test_resources_page(client, synced):
    page = client.get("/resources").get_data(as_text=True)
    assert "Further learning" in page and 'href="https://www.capc.org/"' in page


def test_unknown_series_and_modules_are_404_pages(learner_client, synced):
    for url in ["/modules/nope/", "/modules/basics/nope", "/modules/basics/nope/slides"]:
        response = learner_client.get(url)
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


def test_presenter_view_has_the_notes_and_is_open_to_every_learner(app, synced, learner):
    from tests.helpers import login

    learner_client = app.test_client()
    login(learner_client, learner)
    # A champion teaches their team: the presenter view, notes included, is theirs too.
    page = learner_client.get("/modules/basics/first-steps/slides/presenter").get_data(
        as_text=True)
    assert "secret note about slide one" in page and "data-presenter" in page
    # Presentation mode itself (what the room sees) never carries the notes.
    slides = learner_client.get("/modules/basics/first-steps/slides").get_data(as_text=True)
    assert "presenter view" in slides and "secret note" not in slides


def test_the_last_slide_and_time_spent_are_recorded(learner_client, learner, synced):
    from datetime import timedelta

    from tests.helpers import csrf_token

    token = csrf_token(learner_client, "/auth/logout")
    learner_client.get("/modules/basics/first-steps/slides")  # the module is open
    url = "/modules/basics/first-steps/activity"
    for slide, seconds in ((1, 30), (1, 30), (9, 3600)):
        progress = db.session.scalar(select(ModuleProgress).where(
            ModuleProgress.user_id == learner.id))
        progress.last_activity_at -= timedelta(seconds=seconds)  # that much time passes
        db.session.commit()
        response = learner_client.post(url, json={"slide": slide, "seconds": seconds},
                                       headers={"X-CSRFToken": token})
        assert response.status_code == 200
    db.session.expire_all()
    progress = db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.user_id == learner.id))
    assert progress.last_slide == 1  # slide 9 doesn't exist: ignored
    assert progress.seconds_spent == 30 + 30 + 60  # one report adds at most a minute
    page = learner_client.get("/modules/basics/first-steps/slides").get_data(as_text=True)
    assert 'data-start="1"' in page
    bad = learner_client.post(url, json={"slide": "x"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400
    assert learner_client.post(url, json={"seconds": 5}).status_code == 400  # no CSRF token


def test_rendered_content_is_read_once_per_worker(app, learner_client, synced, count_queries):
    from champion.catalog.rendered import EXTENSION

    learner_client.get("/modules/basics/first-steps")  # the first reader fills the cache
    with count_queries() as counter:
        page = learner_client.get("/modules/basics/first-steps").get_data(as_text=True)
    # The module's own words, from the cache (the page's frame would be there anyway).
    assert "The first slide." in page and "Second idea" in page
    assert not any("body_html" in s for s in counter.statements), counter.statements
    assert app.extensions[EXTENSION].hits >= 1


def test_a_new_version_is_never_served_from_an_older_cached_one(app, learner_client, synced):
    from champion.catalog.models import Module

    learner_client.get("/modules/basics/first-steps")
    module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
    version = module.current_version
    version.renderer += 1  # what sync does when it re-renders a version in place
    version.body_html = "<p>Re-rendered reading view.</p>"
    db.session.commit()
    page = learner_client.get("/modules/basics/first-steps").get_data(as_text=True)
    assert "Re-rendered reading view." in page


def test_time_is_stated_as_nominal_and_recorded_never_as_instruction(learner_client, learner,
                                                                     synced):
    from champion.badges.certificate import CompletedModule, time_statement

    assert time_statement([CompletedModule("Basics", "A", 15, 0),
                           CompletedModule("Basics", "B", 180, 2 * 3600 + 40 * 60 + 59)]) == (
        "Nominal duration of the modules completed: 3 h 15 min; time recorded: 2 h 40 min")
    assert time_statement([CompletedModule("Basics", "A", 10, 59)]).endswith(
        "time recorded: none")
    # /me says the same of the modules this learner completed, and each module's two times.
    learner_client.get("/modules/basics/first-steps")
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    progress = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id ==
                                                              learner.id))
    progress.seconds_spent = 150
    db.session.commit()
    page = re.sub(r"\s+", " ", learner_client.get("/me").get_data(as_text=True))
    assert ("1 module completed. Nominal duration of the modules completed: 10 min; "
            "time recorded: 2 min.") in page
    assert ('<td data-label="Nominal duration">10 min</td> '
            '<td data-label="Time recorded">2 min</td>') in page
