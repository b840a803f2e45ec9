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
