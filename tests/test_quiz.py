"""Taking quizzes: server-side grading, immutable attempts, clear errors that keep answers."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from champion.auth.models import Role
from champion.extensions import db
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt
from tests.conftest import csrf_token, login, make_user
from tests.helpers import FAIL_FIRST, PASS_FIRST, quiz_url, submit


def attempts(user_id: int) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)))


def test_quiz_page_uses_radios_for_single_and_checkboxes_for_select_all(learner_client, synced):
    page = learner_client.get(quiz_url("basics", "first-steps")).get_data(as_text=True)
    assert len(re.findall(r'type="radio"[^>]*name="q1"', page)) == 3
    assert len(re.findall(r'type="checkbox"[^>]*name="q2"', page)) == 3
    assert "<legend" in page and "select all that apply" in page
    assert "You begin at the start" not in page  # explanations only after submitting
    assert "Lecturing is the pitfall" not in page


def test_a_passing_submission_records_the_attempt_and_completes_the_module(
    learner_client, learner, synced
):
    response = submit(learner_client, "basics", "first-steps", PASS_FIRST)
    assert response.status_code == 302
    [attempt] = attempts(learner.id)
    assert attempt.score == 100 and attempt.passed and attempt.correct_count == 2
    assert [a.selected for a in attempt.answers] == [[1], [0, 1]]
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.completed_at is not None and progress.completing_attempt_id == attempt.id
    assert progress.best_score == 100 and progress.attempt_count == 1
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed: 100%" in page
    assert "“First steps” is complete." in page
    assert "You begin at the start." in page  # the explanation


def test_a_failing_submission_shows_what_was_right_and_allows_a_retake(
    learner_client, learner, synced
):
    response = submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not yet passed: 0%" in page
    assert "Retake the quiz" in page
    assert page.count("Your answer") == 2 and page.count("Correct answer") == 3
    assert "✗ Incorrect" in page
    assert "Listening and asking are the steps." in page
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.completed_at is None and progress.best_score == 0
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    db.session.expire_all()
    assert [a.passed for a in sorted(attempts(learner.id), key=lambda a: a.id)] == [False, True]
    assert db.session.scalar(select(ModuleProgress)).completed_at is not None


def test_feedback_is_shown_for_the_choices_picked(learner_client, synced):
    response = submit(learner_client, "basics", "first-steps",
                      {"q1": "q1-c2", "q2": ["q2-c1", "q2-c3"]})
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lecturing is the pitfall." in page


def test_a_later_fail_never_undoes_a_completion(learner_client, synced):
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.completed_at is not None and progress.best_score == 100
    assert progress.attempt_count == 2


def test_an_incomplete_submission_names_the_question_and_keeps_the_answers(
    learner_client, learner, synced
):
    response = submit(learner_client, "basics", "first-steps", {"q2": ["q2-c1", "q2-c3"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Question 1: choose an answer." in page
    assert re.search(r'value="q2-c1" checked', page) and re.search(r'value="q2-c3" checked', page)
    assert not re.search(r'value="q2-c2" checked', page)
    assert attempts(learner.id) == []


def test_tampered_answers_are_refused_with_a_clear_error(learner_client, learner, synced):
    foreign = submit(learner_client, "basics", "first-steps",
                     {"q1": "q2-c1", "q2": ["q2-c1"]})
    assert foreign.status_code == 422
    assert "Question 1: that answer belongs to question 2." in foreign.get_data(as_text=True)
    made_up = submit(learner_client, "basics", "first-steps",
                     {"q1": "q1-c9", "q2": ["q2-c1", "nonsense"]})
    page = made_up.get_data(as_text=True)
    assert "Question 1: that isn&#39;t one of the answers offered." in page
    assert "Question 2: that isn&#39;t one of the answers offered." in page
    two_radios = submit(learner_client, "basics", "first-steps",
                        {"q1": ["q1-c1", "q1-c2"], "q2": ["q2-c1"]})
    assert "Question 1: choose only one answer." in two_radios.get_data(as_text=True)
    assert attempts(learner.id) == []


def test_an_expired_csrf_token_keeps_the_answers(learner_client, learner, synced):
    response = submit(learner_client, "basics", "first-steps", PASS_FIRST,
                      csrf_token="not-a-valid-token")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your session expired before you submitted. Your answers are still here" in page
    assert re.search(r'value="q1-c2" checked', page)
    assert attempts(learner.id) == []


def test_a_version_id_from_another_module_is_refused(learner_client, learner, synced):
    other = submit(learner_client, "basics", "second-steps", {"q1": "q1-c1"})
    other_attempt = attempts(learner.id)[0]
    assert other.status_code == 302
    url = quiz_url("basics", "first-steps")
    response = learner_client.post(url, data={
        "csrf_token": csrf_token(learner_client, url),
        "version": str(other_attempt.module_version_id), **PASS_FIRST})
    assert response.status_code == 422
    assert "This quiz changed while you were answering it." in response.get_data(as_text=True)


def _second_steps_with_the_answer_flipped(content_dir):
    """Sync the fixture content, then publish version 2 of second-steps, where "No" is right."""
    from tests.conftest import sync

    sync(content_dir)
    path = content_dir / "basics" / "02-second-steps.md"
    path.write_text(path.read_text().replace("- [x] Yes\n   - [ ] No", "- [ ] Yes\n   - [x] No"))


def _form(client, url):
    page = client.get(url).get_data(as_text=True)
    return {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)[1]
            for name in ("csrf_token", "version", "issued", "submission")}


def test_an_answer_to_the_version_on_screen_is_graded_against_it(learner_client, learner,
                                                                  content_dir):
    from tests.conftest import sync

    _second_steps_with_the_answer_flipped(content_dir)
    url = quiz_url("basics", "second-steps")
    shown = _form(learner_client, url)  # version 1 is on screen ...
    sync(content_dir)  # ... when version 2 is published
    response = learner_client.post(url, data={**shown, "q1": "q1-c1"})  # right in version 1
    assert response.status_code == 302
    [attempt] = attempts(learner.id)
    assert str(attempt.module_version_id) == shown["version"]
    assert attempt.version.number == 1 and attempt.passed  # version 2 would have failed it


def test_a_superseded_version_is_refused_without_a_recent_form_showing_it(
        learner_client, learner, content_dir, monkeypatch):
    from datetime import timedelta

    from champion.catalog.models import Module
    from champion.quizzes import forms
    from tests.conftest import sync

    _second_steps_with_the_answer_flipped(content_dir)
    url = quiz_url("basics", "second-steps")
    shown = _form(learner_client, url)
    sync(content_dir)
    module = db.session.scalar(select(Module).where(Module.slug == "second-steps"))
    other = make_user(Role.LEARNER, email="other@example.org")
    forged = [
        {**shown, "issued": ""},  # version=1 typed in by hand
        {**shown, "issued": forms.issue_version_token(other.id, module.id, 1)},  # not theirs
        {**shown, "issued": forms.issue_version_token(learner.id, module.id + 1,
                                                      int(shown["version"]))},  # another module
    ]
    for data in forged:
        response = learner_client.post(url, data={**data, "q1": "q1-c1"})
        assert response.status_code == 422
        assert "This quiz changed while you were answering it." in response.get_data(as_text=True)
    # The genuine form, once its lifetime is over (here: a lifetime already over).
    monkeypatch.setattr(forms, "ISSUED_FORM_LIFETIME", timedelta(seconds=-1))
    response = learner_client.post(url, data={**shown, "q1": "q1-c1"})
    assert response.status_code == 422
    assert attempts(learner.id) == []


def test_attempts_are_private_to_their_learner(client, app, learner, synced):
    login(client, learner)
    response = submit(client, "basics", "first-steps", PASS_FIRST)
    url = response.headers["Location"]
    other = make_user(Role.LEARNER, email="other@example.org")
    other_client = app.test_client()
    login(other_client, other)
    assert other_client.get(url).status_code == 404
    assert client.get(url).status_code == 200


def test_me_lists_attempts_and_progress(learner_client, synced):
    submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    page = learner_client.get("/me").get_data(as_text=True)
    assert "Quiz attempts" in page
    assert page.count("First steps <span") == 2
    assert "Not passed" in page and "Passed" in page
    assert "The Basics: 1 of 3 required modules complete" in page


def test_submission_does_a_bounded_number_of_queries(learner_client, synced, count_queries):
    url = quiz_url("basics", "first-steps")
    learner_client.get(url)
    token = csrf_token(learner_client, url)
    version = db.session.scalar(select(func.max(Attempt.module_version_id)))  # none yet
    assert version is None
    from champion.catalog.models import Module
    module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
    with count_queries() as counter:
        response = learner_client.post(url, data={
            "csrf_token": token, "version": str(module.current_version_id), **PASS_FIRST})
    assert response.status_code == 302
    # who is signed in, whether the catalog changed, the learner's lock, the attempt and its
    # answers, the progress read and written, the badge check: no query for the catalog
    others = [s for s in counter.statements if not s.startswith("INSERT INTO attempt_answers")]
    assert len(others) <= 7, others


def test_a_quiz_form_class_is_made_once_per_version_and_never_shared_between_quizzes(app):
    from champion.quizzes.forms import build_quiz_form

    def quiz(*texts):
        return {"questions": [{"choices": [{"html": t, "correct": i == 0}
                                           for i, t in enumerate(texts)]}]}

    with app.test_request_context("/"):
        first = build_quiz_form(1, quiz("a", "b"), cache_key=(1, "hash", 1))
        again = build_quiz_form(1, quiz("a", "b"), cache_key=(1, "hash", 1))
        rerendered = build_quiz_form(1, quiz("A", "B"), cache_key=(1, "hash", 2))
        preview = build_quiz_form(0, quiz("x", "y", "z"))
    assert type(first) is type(again) and first.q1 is not again.q1
    assert [c.label for c in rerendered.q1.choices] == ["A", "B"]
    assert [c.label for c in preview.q1.choices] == ["x", "y", "z"]
