"""Taking quizzes: server-side grading, immutable attempts, clear errors that keep answers."""

from __future__ import annotations

import re

from sqlalchemy import select

from champion.auth.models import Role
from champion.extensions import db
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt, QuizDraw
from tests.helpers import (
    FAIL_FIRST,
    PASS_FIRST,
    login,
    make_user,
    open_quiz,
    post_quiz,
    quiz_url,
    shown_answers,
    submit,
    sync,
)


def attempts(user_id: int) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)))


def test_quiz_page_uses_radios_for_single_and_checkboxes_for_select_all(learner_client, synced):
    page = learner_client.get(quiz_url("basics", "first-steps")).get_data(as_text=True)
    # Questions come in the order drawn: one is a radio group, the other a checkbox group.
    radios = set(re.findall(r'type="radio"[^>]*name="(q\d)"', page))
    boxes = set(re.findall(r'type="checkbox"[^>]*name="(q\d)"', page))
    assert len(radios) == len(boxes) == 1 and radios | boxes == {"q1", "q2"}
    assert len(re.findall(r'type="radio"', page)) == len(re.findall(r'type="checkbox"', page)) == 3
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


def test_a_failed_attempt_hides_the_key_until_the_learner_passes(learner_client, learner,
                                                                   synced):
    """A required module reveals after a pass: failing once and reading the key is no way
    through. The failed page says which questions were wrong and where they are taught."""
    response = submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    failed_url = response.headers["Location"]
    page = learner_client.get(failed_url).get_data(as_text=True)
    assert "Not yet passed: 0%" in page and "Retake the quiz" in page
    assert page.count("✗ Incorrect") == 2
    for secret in ("Your answer", "Correct answer", "is-key", "You begin at the start.",
                   "Listening and asking are the steps.", "Lecturing is the pitfall",
                   "Begin at the start"):  # explanations, feedback, the key's own text
        assert secret not in page, secret
    assert "Review the module" in page
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.completed_at is None and progress.best_score == 0
    passed = submit(learner_client, "basics", "first-steps", PASS_FIRST)
    db.session.expire_all()
    assert [a.passed for a in sorted(attempts(learner.id), key=lambda a: a.id)] == [False, True]
    assert db.session.scalar(select(ModuleProgress)).completed_at is not None
    page = learner_client.get(passed.headers["Location"]).get_data(as_text=True)
    assert "You begin at the start." in page and page.count("Correct answer") == 3
    # Having passed, the earlier failed attempt is reviewable in full.
    page = learner_client.get(failed_url).get_data(as_text=True)
    assert page.count("Your answer") == 2 and page.count("Correct answer") == 3
    assert "Listening and asking are the steps." in page


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
    drawn = open_quiz(learner_client, "basics", "first-steps")
    answers = shown_answers(drawn, {"q2": ["q2-c1", "q2-c3"]})
    [(name, values)] = answers.items()
    unanswered = "q1" if name == "q2" else "q2"
    response = post_quiz(learner_client, "basics", "first-steps", drawn, answers)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Question {unanswered[1]}: choose an answer." in page
    for value in values:
        assert re.search(rf'value="{value}" checked', page)
    assert len(re.findall(r"checked", page)) == 2
    assert attempts(learner.id) == []


def test_tampered_answers_are_refused_with_a_clear_error(learner_client, learner, synced):
    drawn = open_quiz(learner_client, "basics", "first-steps")
    page = learner_client.get(quiz_url("basics", "first-steps")).get_data(as_text=True)
    radio = re.search(r'type="radio"[^>]*name="(q\d)"', page)[1]
    boxes = "q2" if radio == "q1" else "q1"

    def post(values):
        return post_quiz(learner_client, "basics", "first-steps", drawn, values)

    foreign = post({radio: f"{boxes}-c1", boxes: [f"{boxes}-c1"]})
    assert foreign.status_code == 422
    assert (f"Question {radio[1]}: that answer belongs to question {boxes[1]}."
            in foreign.get_data(as_text=True))
    page = post({radio: f"{radio}-c9", boxes: [f"{boxes}-c1", "nonsense"]}).get_data(as_text=True)
    assert f"Question {radio[1]}: that isn&#39;t one of the answers offered." in page
    assert f"Question {boxes[1]}: that isn&#39;t one of the answers offered." in page
    two_radios = post({radio: [f"{radio}-c1", f"{radio}-c2"], boxes: [f"{boxes}-c1"]})
    assert f"Question {radio[1]}: choose only one answer." in two_radios.get_data(as_text=True)
    assert attempts(learner.id) == []


def test_an_expired_csrf_token_keeps_the_answers(learner_client, learner, synced):
    drawn = open_quiz(learner_client, "basics", "first-steps")
    answers = shown_answers(drawn, PASS_FIRST)
    response = post_quiz(learner_client, "basics", "first-steps", drawn, answers,
                         csrf_token="not-a-valid-token")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your session expired before you submitted. Your answers are still here" in page
    for value in answers.values():
        for one in value if isinstance(value, list) else [value]:
            assert re.search(rf'value="{one}" checked', page)
    assert attempts(learner.id) == []


def test_only_the_learners_own_draw_of_this_module_is_graded(app, learner_client, learner,
                                                             synced):
    """The draw names the version graded; another module's draw, another learner's, or none
    at all is refused and records nothing."""
    other_module = open_quiz(learner_client, "basics", "second-steps")
    someone = make_user(Role.LEARNER, email="someone@example.org")
    someone_client = app.test_client()
    login(someone_client, someone)
    someones = open_quiz(someone_client, "basics", "first-steps")
    for drawn in (other_module, someones, 999_999):
        response = post_quiz(learner_client, "basics", "first-steps", drawn,
                             {"q1": "q1-c1", "q2": ["q2-c1"]})
        assert response.status_code == 302 and response.headers["Location"].endswith("/quiz")
        page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "That quiz form was not the one you were given." in page
    assert attempts(learner.id) == []


def _second_steps_with_the_answer_flipped(content_dir):
    """Sync the fixture content, then write version 2 of second-steps, where "No" is right."""
    sync(content_dir)
    path = content_dir / "basics" / "02-second-steps.md"
    path.write_text(path.read_text().replace("- [x] Yes\n   - [ ] No", "- [ ] Yes\n   - [x] No"))


def test_an_answer_to_the_version_on_screen_is_graded_against_it(learner_client, learner,
                                                                  content_dir):
    """The attempt drawn on version 1 is graded on version 1 even after version 2 is
    published: the draw, issued by the server to this learner, names its version."""
    _second_steps_with_the_answer_flipped(content_dir)
    drawn = open_quiz(learner_client, "basics", "second-steps")  # version 1 is on screen ...
    sync(content_dir)  # ... when version 2 is published
    response = post_quiz(learner_client, "basics", "second-steps", drawn,
                         shown_answers(drawn, {"q1": "q1-c1"}))  # right in version 1
    assert response.status_code == 302
    [attempt] = attempts(learner.id)
    assert attempt.version.number == 1 and attempt.passed  # version 2 would have failed it


def test_a_superseded_version_is_graded_only_from_a_recent_draw_of_it(
        learner_client, learner, content_dir):
    """Issue 14 #13: answering version 1 while version 2 is current needs the attempt the
    server drew on version 1 for this learner, and a recent one. A version typed into the
    form counts for nothing; a draw older than a day is closed."""
    from champion.quizzes.operations import DRAW_LIFETIME

    _second_steps_with_the_answer_flipped(content_dir)
    drawn = open_quiz(learner_client, "basics", "second-steps")
    sync(content_dir)
    typed = post_quiz(learner_client, "basics", "second-steps", drawn,
                      {**shown_answers(drawn, {"q1": "q1-c1"}), "version": "1"})
    assert typed.status_code == 302  # graded: on the draw's version, whatever was typed
    stale = open_quiz(learner_client, "basics", "second-steps", viewed=False)
    row = db.session.get(QuizDraw, stale)
    row.drawn_at -= DRAW_LIFETIME
    db.session.commit()
    response = post_quiz(learner_client, "basics", "second-steps", stale,
                         shown_answers(stale, {"q1": "q1-c2"}))
    assert response.status_code == 302 and response.headers["Location"].endswith("/quiz")
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This attempt was opened more than a day ago" in page
    assert len(attempts(learner.id)) == 1


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
