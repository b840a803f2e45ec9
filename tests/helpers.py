"""Helpers for request-level tests: taking quizzes as a learner would."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import csrf_token

VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')

# The fixture quizzes' correct answers, as form values.
PASS_FIRST = {"q1": "q1-c2", "q2": ["q2-c1", "q2-c2"]}
FAIL_FIRST = {"q1": "q1-c1", "q2": ["q2-c1"]}
PASS_SECOND = {"q1": "q1-c1"}


def quiz_url(series: str, module: str) -> str:
    return f"/modules/{series}/{module}/quiz"


def submit(client: FlaskClient, series: str, module: str, answers: dict, **extra):
    """Load the quiz page, then post ``answers`` with its CSRF token and version."""
    url = quiz_url(series, module)
    page = client.get(url).get_data(as_text=True)
    version = next(g for g in VERSION.search(page).groups() if g)
    data = {"csrf_token": csrf_token(client, url), "version": version, **answers, **extra}
    return client.post(url, data=data)


def mark_complete(client: FlaskClient, series: str, module: str):
    token = csrf_token(client, "/auth/logout")  # any signed-in page with a form
    return client.post(f"/modules/{series}/{module}/complete", data={"csrf_token": token})


def complete_module(user, series: str, slug: str) -> None:
    """Complete a module for ``user`` through the same services the views use."""
    from sqlalchemy import select

    from champion.catalog.models import Module, Series
    from champion.extensions import db
    from champion.progress.operations import mark_complete as mark
    from champion.quizzes.grading import answer_key
    from champion.quizzes.operations import submit_quiz

    module = db.session.scalar(
        select(Module).join(Series).where(Series.slug == series, Module.slug == slug))
    version = module.current_version
    if version.has_quiz:
        key = answer_key(version.quiz)
        submit_quiz(user, version, dict(enumerate(key)))
    else:
        mark(user, module, version)
    db.session.commit()


def open_module(user, series: str, slug: str) -> None:
    """Start a module (in progress) without completing it."""
    from sqlalchemy import select

    from champion.catalog.models import Module, Series
    from champion.extensions import db
    from champion.progress.operations import note_module_opened

    module = db.session.scalar(
        select(Module).join(Series).where(Series.slug == series, Module.slug == slug))
    note_module_opened(user, module.id, None)
    db.session.commit()
