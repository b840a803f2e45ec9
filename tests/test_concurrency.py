"""Simultaneous submissions by one learner: one badge, never two (and never none).

Real threads against the real database (SQLite file or PostgreSQL), released together
by a barrier so the requests overlap.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from champion.auth.models import Role
from champion.badges.models import BadgeAward
from champion.extensions import db
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt
from tests.helpers import (
    PASS_FIRST,
    PASS_SECOND,
    csrf_token,
    login,
    make_user,
    mark_complete,
    open_quiz,
    quiz_url,
    shown_answers,
)

ROUNDS = 4


def prepared_post(client, series: str, module: str, answers: dict):
    """Everything but the POST itself, so the threads only race on the submission."""
    url = quiz_url(series, module)
    drawn = open_quiz(client, series, module)
    data = {"csrf_token": csrf_token(client, url), "draw": str(drawn),
            **shown_answers(drawn, answers)}
    return lambda: client.post(url, data=data)


def race(*posts) -> list[int]:
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(post):
        try:
            barrier.wait(timeout=10)
            statuses.append(post().status_code)
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(post,)) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def count(model, user_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.user_id == user_id)
    )


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_same_final_quiz_submitted_twice_at_once_awards_one_badge(app, synced, round_):
    user = make_user(Role.LEARNER, email=f"racer{round_}@example.org")
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)
    submit_first = prepared_post(first, "basics", "first-steps", PASS_FIRST)
    submit_first()
    mark_complete(first, "basics", "reading")
    posts = [prepared_post(c, "basics", "second-steps", PASS_SECOND) for c in (first, second)]

    assert race(*posts) == [302, 302]

    # Both tabs were shown the same draw: one draw is one attempt, whichever came first.
    assert count(Attempt, user.id) == 2
    assert count(BadgeAward, user.id) == 1
    progress = db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id)
    ).all()
    assert len(progress) == 3 and all(p.completed_at for p in progress)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_last_two_modules_completed_at_once_award_exactly_one_badge(app, synced, round_):
    user = make_user(Role.LEARNER, email=f"pair{round_}@example.org")
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)
    mark_complete(first, "basics", "reading")
    posts = [
        prepared_post(first, "basics", "first-steps", PASS_FIRST),
        prepared_post(second, "basics", "second-steps", PASS_SECOND),
    ]

    assert race(*posts) == [302, 302]

    # Each transaction alone sees one module still missing; serialised per learner,
    # the second sees the first's completion and awards the badge.
    assert count(BadgeAward, user.id) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_learners_awarded_at_once_get_different_status_list_bits(app, synced, round_):
    """Different learners aren't serialised by the learner lock: their awards are made
    truly at once, and each must still get its own bit in the status list."""
    users = [make_user(Role.LEARNER, email=f"duo{round_}-{n}@example.org") for n in (1, 2)]
    posts = []
    for user in users:
        client = app.test_client()
        login(client, user)
        prepared_post(client, "basics", "first-steps", PASS_FIRST)()
        mark_complete(client, "basics", "reading")
        posts.append(prepared_post(client, "basics", "second-steps", PASS_SECOND))

    assert race(*posts) == [302, 302]

    db.session.expire_all()
    awards = db.session.scalars(
        select(BadgeAward).where(BadgeAward.user_id.in_([u.id for u in users]))).all()
    assert len(awards) == 2
    assert all(a.status_index is not None for a in awards)
    assert awards[0].status_index != awards[1].status_index
