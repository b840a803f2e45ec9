"""How quizzes are taken (issue: credentials that mean something): drawn attempts with
shuffled choices and question pools, answers revealed only after a pass, retake waits and
daily limits, and completion that needs the module seen to its end."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from champion.auth.models import Role
from champion.badges.models import BadgeAward
from champion.extensions import db
from champion.progress.models import ModuleProgress
from champion.quizzes.analysis import AnswerData, AttemptData, analyse
from champion.quizzes.drawing import Draw, as_shown, as_written, draw
from champion.quizzes.grading import answer_key, grade_attempt
from champion.quizzes.models import Attempt, QuizDraw
from tests.helpers import (
    PASS_FIRST,
    client_for,
    make_user,
    open_quiz,
    post_quiz,
    quiz_url,
    shown_answers,
    submit,
    sync,
    view,
)

POOL = """---
title: Pooled
duration: 10
questions_per_attempt: 2
retake_after_minutes: 30
max_attempts_per_day: 3
---
## Assessing breathlessness

Ask first.

---

## Treating breathlessness

A fan helps.

## Quiz

1. What comes first?
   {see: Assessing breathlessness}

   - [x] Ask how it feels
   - [ ] Start oxygen
   - [ ] None of these {last}

2. What helps?
   {see: Treating breathlessness}

   - [x] A fan
   - [ ] Nothing
   - [ ] None of these {last}

3. Who decides?

   - [x] The patient
   - [ ] The chart

4. When to reassess?

   - [x] After each change
   - [ ] Never
"""
POOL_KEY = {"q1": "q1-c1", "q2": "q2-c1", "q3": "q3-c1", "q4": "q4-c1"}
POOL_WRONG = {"q1": "q1-c2", "q2": "q2-c2", "q3": "q3-c2", "q4": "q4-c2"}


# --- drawing, as pure functions ----------------------------------------------------------

def quiz_of(choice_counts: list[int], pinned: set[tuple[int, int]] = frozenset()) -> dict:
    return {"questions": [
        {"prompt": f"Q{q}", "explanation": None, "see": None,
         "choices": [{"html": f"{q}.{c}", "correct": c == 0, "feedback": None,
                      "pinned": (q, c) in pinned} for c in range(count)]}
        for q, count in enumerate(choice_counts)]}


def test_a_draw_prefers_questions_not_yet_seen_and_keeps_pinned_choices_last():
    quiz = quiz_of([3, 3, 2, 2], pinned={(0, 2), (1, 2)})
    rng = random.Random(7)
    first = draw(quiz, 2, rng)
    second = draw(quiz, 2, rng, seen={q: 1 for q in first.questions})
    assert len(set(first.questions)) == 2
    assert set(first.questions).isdisjoint(second.questions)  # the unseen two come next
    for drawn in (first, second):
        for q, order in zip(drawn.questions, drawn.choice_orders, strict=True):
            assert sorted(order) == list(range(len(quiz["questions"][q]["choices"])))
            if q in (0, 1):
                assert order[-1] == 2  # "None of these" stays last


def test_orders_vary_between_draws():
    quiz = quiz_of([4] * 6)
    rng = random.Random(1)
    draws = {draw(quiz, 6, rng) for _ in range(20)}
    assert len({d.questions for d in draws}) > 1
    assert len({d.choice_orders for d in draws}) > 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(2, 6), min_size=1, max_size=8), st.data())
def test_grading_is_the_same_whatever_the_order_shown(choice_counts, data):
    quiz = quiz_of(choice_counts)
    count = data.draw(st.integers(1, len(choice_counts)))
    drawn = draw(quiz, count, random.Random(data.draw(st.integers(0, 2**32))))
    shown = as_shown(quiz, drawn)
    # The learner picks, by position on screen, some choices of each question shown.
    picks = {q: set(data.draw(st.lists(st.integers(0, len(question["choices"]) - 1),
                                       max_size=3)))
             for q, question in enumerate(shown["questions"])}
    written = as_written(drawn, picks)
    result = grade_attempt(answer_key(quiz), written, 80, questions=drawn.questions)
    # Graded by hand on what was shown: right when exactly the shown correct choice.
    by_hand = [{c for c, choice in enumerate(question["choices"]) if choice["correct"]}
               == picks[q] for q, question in enumerate(shown["questions"])]
    assert [r.correct for r in result.questions] == by_hand
    assert result.score == 100 * sum(by_hand) // count
    assert [r.index for r in result.questions] == list(drawn.questions)


def test_an_attempt_stored_before_drawing_shows_every_question_as_written():
    quiz = quiz_of([2, 3])
    assert Draw.stored(None, None, quiz) == Draw((0, 1), ((0, 1), (0, 1, 2)))


def test_item_analysis_counts_each_question_over_the_attempts_that_drew_it():
    quiz = quiz_of([2, 2, 2])
    right, wrong = AnswerData((0,), True), AnswerData((1,), False)
    attempts = [AttemptData(100, (right, right, None)), AttemptData(50, (wrong, None, right)),
                AttemptData(0, (None, wrong, wrong))]
    result = analyse(quiz, attempts, 80)
    assert [q.drawn for q in result.questions] == [2, 2, 2]
    assert [q.facility for q in result.questions] == [0.5, 0.5, 0.5]
    assert [c.picked for c in result.questions[0].choices] == [1, 1]


# --- through the app ------------------------------------------------------------------------

@pytest.fixture
def pooled(app, content_dir):
    (content_dir / "basics" / "05-pooled.md").write_text(POOL)
    sync(content_dir)
    return content_dir


def drawn_row(draw_id: int) -> QuizDraw:
    return db.session.get(QuizDraw, draw_id, populate_existing=True)


def attempts(user_id: int) -> list[Attempt]:
    db.session.expire_all()
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)
                                   .order_by(Attempt.id)))


def age_attempts(user_id: int, minutes: int) -> None:
    """Move the learner's attempts (and draws) ``minutes`` into the past."""
    for attempt in attempts(user_id):
        attempt.submitted_at -= timedelta(minutes=minutes)
    for row in db.session.scalars(select(QuizDraw).where(QuizDraw.user_id == user_id)):
        row.drawn_at -= timedelta(minutes=minutes)
    db.session.commit()


def test_learners_get_their_own_pools_and_orders_and_a_reload_draws_nothing_new(
        app, pooled, learner):
    first = client_for(app, learner)
    drawn = open_quiz(first, "basics", "pooled")
    again = open_quiz(first, "basics", "pooled")
    assert again == drawn  # the same attempt, the same questions
    page = first.get(quiz_url("basics", "pooled")).get_data(as_text=True)
    assert len(re.findall(r"<fieldset", page)) == 2
    assert "drawn for this attempt from the module's 4" in page
    others = []
    for number in range(6):
        someone = make_user(Role.LEARNER, email=f"peer{number}@example.org")
        others.append(drawn_row(open_quiz(client_for(app, someone), "basics", "pooled")))
    mine = drawn_row(drawn)
    seen = {(tuple(r.questions), tuple(map(tuple, r.choice_orders))) for r in [mine, *others]}
    assert len(seen) > 1  # not everyone sees the same attempt


def test_the_score_is_the_share_of_drawn_questions_and_a_retake_draws_unseen_ones(
        app, pooled, learner):
    client = client_for(app, learner)
    drawn = open_quiz(client, "basics", "pooled")
    row = drawn_row(drawn)
    one_right = {f"q{row.questions[0] + 1}": POOL_KEY[f"q{row.questions[0] + 1}"],
                 f"q{row.questions[1] + 1}": POOL_WRONG[f"q{row.questions[1] + 1}"]}
    post_quiz(client, "basics", "pooled", drawn, shown_answers(drawn, one_right))
    [attempt] = attempts(learner.id)
    assert (attempt.score, attempt.question_count, attempt.correct_count) == (50, 2, 1)
    assert attempt.questions == row.questions and attempt.choice_orders == row.choice_orders
    assert sorted(a.question_index for a in attempt.answers) == sorted(row.questions)
    age_attempts(learner.id, 31)
    retake = drawn_row(open_quiz(client, "basics", "pooled"))
    assert set(retake.questions).isdisjoint(row.questions)


def test_a_retake_inside_the_wait_is_refused_with_when_and_records_nothing(
        app, pooled, learner):
    client = client_for(app, learner)
    assert submit(client, "basics", "pooled", POOL_WRONG).status_code == 302
    page = client.get(quiz_url("basics", "pooled")).get_data(as_text=True)
    assert "This quiz can be taken again 30 minutes after your last attempt: from" in page
    assert "<fieldset" not in page
    assert len(attempts(learner.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(QuizDraw)) == 1  # none drawn
    age_attempts(learner.id, 31)
    assert "<fieldset" in client.get(quiz_url("basics", "pooled")).get_data(as_text=True)


def test_a_draw_kept_in_another_tab_cannot_skip_the_wait(app, pooled, learner):
    client = client_for(app, learner)
    first = open_quiz(client, "basics", "pooled")
    # Two draws open at once (another device before this one submitted).
    second = QuizDraw(user_id=learner.id, module_id=drawn_row(first).module_id,
                      module_version_id=drawn_row(first).module_version_id,
                      questions=[0, 1], choice_orders=[[0, 1, 2], [0, 1, 2]])
    db.session.add(second)
    db.session.commit()
    assert post_quiz(client, "basics", "pooled", first,
                     shown_answers(first, POOL_WRONG)).status_code == 302
    refused = post_quiz(client, "basics", "pooled", second.id, {"q1": "q1-c1", "q2": "q2-c1"})
    assert refused.status_code == 422
    assert "30 minutes after your last attempt" in refused.get_data(as_text=True)
    assert len(attempts(learner.id)) == 1


def test_attempts_a_day_are_limited_and_the_page_says_when_the_next_opens(
        app, pooled, learner):
    client = client_for(app, learner)
    for _ in range(3):
        submit(client, "basics", "pooled", POOL_WRONG)
        age_attempts(learner.id, 31)  # past the retake wait, still inside the day
    page = client.get(quiz_url("basics", "pooled")).get_data(as_text=True)
    assert ("You have started 3 attempts at this quiz in the last 24 hours, the most it "
            "allows: the next opens") in page
    assert db.session.scalar(select(func.count()).select_from(QuizDraw)) == 3


def test_passing_without_viewing_waits_for_the_end_of_the_module_then_completes(
        app, learner_client, learner, synced):
    """first-steps is required: it completes when viewed and passed, whichever is last."""
    response = submit(learner_client, "basics", "first-steps", PASS_FIRST, viewed=False)
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed: 100%" in page and "to its end" in page
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.completed_at is None
    module_page = learner_client.get("/modules/basics/first-steps").get_data(as_text=True)
    assert "You passed the quiz. Reaching the end of the module" in module_page
    me = learner_client.get("/me").get_data(as_text=True)
    assert "Quiz passed; reach the end of the module to complete it." in me
    # The other required modules done, so the badge waits on this one alone.
    for slug, answers in (("second-steps", {"q1": "q1-c1"}),):
        submit(learner_client, "basics", slug, answers)
    learner_client.post("/modules/basics/reading/complete",
                        data={"csrf_token": _token(learner_client)})
    assert db.session.scalar(select(func.count()).select_from(BadgeAward)) == 0
    reached = view(learner_client, "basics", "first-steps")
    assert reached.json == {"ok": True, "completed": True}
    db.session.expire_all()
    progress = db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.module_id == progress.module_id))
    assert progress.completed_at is not None and progress.viewed_at is not None
    assert progress.completing_attempt_id == attempts(learner.id)[0].id
    assert db.session.scalar(select(func.count()).select_from(BadgeAward)) == 1
    page = learner_client.get("/me").get_data(as_text=True)
    assert "You earned the Basics Graduate badge." in page


def test_the_last_slide_counts_as_the_end(learner_client, learner, synced):
    from tests.helpers import csrf_token

    token = csrf_token(learner_client, "/auth/logout")
    url = "/modules/basics/first-steps/activity"
    learner_client.post(url, json={"slide": 0}, headers={"X-CSRFToken": token})
    assert db.session.scalar(select(ModuleProgress.viewed_at)) is None
    learner_client.post(url, json={"slide": 1}, headers={"X-CSRFToken": token})  # 2 slides
    assert db.session.scalar(select(ModuleProgress.viewed_at)) is not None
    bad = learner_client.post(url, json={"end": "yes"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400


def test_an_optional_module_reveals_always_and_completes_on_a_pass(learner_client, learner,
                                                                    synced):
    # basics/optional is required: false (the fixture), so its quiz is practice.
    from champion.catalog.models import Module

    module = db.session.scalar(select(Module).where(Module.slug == "optional"))
    policy = module.current_version.policy
    assert (policy.reveal, policy.complete_when) == ("always", "passed")


def _token(client) -> str:
    from tests.helpers import csrf_token

    return csrf_token(client, "/auth/logout")


def test_an_attempt_from_before_drawing_still_displays(learner_client, learner, synced):
    response = submit(learner_client, "basics", "first-steps", PASS_FIRST)
    [attempt] = attempts(learner.id)
    attempt.questions = attempt.choice_orders = None  # as the migration leaves old attempts
    db.session.commit()
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed: 100%" in page and page.count("Correct answer") == 3
    assert page.index("Which is the first step?") < page.index("Which are steps?")
