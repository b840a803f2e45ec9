"""What tests do again and again: sign in, post a form, load content, make people, take
quizzes as a learner would. Fixtures built on these live in conftest.py."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from champion.auth.models import Role, User
from champion.auth.operations import create_user
from champion.catalog.sync import sync_content
from champion.content import load_content
from champion.departments.models import Department
from champion.extensions import db

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
PASSWORD = "correct horse battery"

# --- Signing in and posting forms --------------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on ``url``, as a browser would find it."""
    response = client.get(url)
    match = CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match[1]


def login(client: FlaskClient, user: User, password: str = PASSWORD):
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"csrf_token": token, "email": user.email, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def client_for(app: Flask, user: User | None = None) -> FlaskClient:
    """A client of its own, signed in as ``user`` (anonymous without one)."""
    client = app.test_client()
    if user is not None:
        login(client, user)
    return client


def post(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """Post ``data`` to ``url`` as a signed-in page's form would, CSRF token included."""
    token = csrf_token(client, "/auth/logout")  # any signed-in page with a form
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def mailed_link(raw: str, path: str) -> str:
    """The first link under ``path`` (e.g. ``/auth/verify/``) in a received message."""
    import email

    body = email.message_from_string(raw).get_payload(decode=True).decode()
    return re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S*)", body)[0]


# --- Content and people --------------------------------------------------------------------


def sync(path: Path = FIXTURE_CONTENT):
    """Load ``path`` (the fixture content by default) into the database, as sync does."""
    content = load_content(path)
    assert not content.errors, [str(p) for p in content.errors]
    report = sync_content(content)
    db.session.commit()
    return report


def make_user(role: Role, email: str | None = None, department: Department | None = None,
              *, verified: bool = True) -> User:
    """An account of ``role``; its email verified unless a test is about verification."""
    user = create_user(
        email or f"{role.value}@example.org",
        f"Test {role.value.title()}",
        PASSWORD,
        role=role,
        departments=[department] if department else [],
        email_verified=verified,
    )
    db.session.commit()
    return user


# --- Taking quizzes ----------------------------------------------------------------------

DRAW = re.compile(r'name="draw"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="draw"')
_ANSWER = re.compile(r"^q(\d+)-c(\d+)$")

# The fixture quizzes' correct answers, as written in the content (question n, choice m):
# ``shown_answers`` turns them into the values of the form a learner was given.
PASS_FIRST = {"q1": "q1-c2", "q2": ["q2-c1", "q2-c2"]}
FAIL_FIRST = {"q1": "q1-c1", "q2": ["q2-c1"]}
PASS_SECOND = {"q1": "q1-c1"}


def quiz_url(series: str, module: str) -> str:
    return f"/modules/{series}/{module}/quiz"


def draw_id(page: str) -> int:
    """The id of the attempt drawn for the quiz ``page``."""
    return int(next(g for g in DRAW.search(page).groups() if g))


def shown_answers(draw: int, answers: dict) -> dict:
    """``answers`` given by the quiz as written (``q1: "q1-c2"``), as the values of the form
    drawn for ``draw``: its questions and choices are in another order. Keys that aren't
    questions pass through; a question the draw left out is dropped."""
    from champion.quizzes.models import QuizDraw

    row = db.session.get(QuizDraw, draw, populate_existing=True)
    form: dict = {}
    for key, value in answers.items():
        match = re.fullmatch(r"q(\d+)", key)
        if not match or int(match[1]) - 1 not in row.questions:
            if not match:
                form[key] = value
            continue
        shown = row.questions.index(int(match[1]) - 1)
        values = []
        for written in value if isinstance(value, list) else [value]:
            choice = _ANSWER.match(written)
            if choice is None or int(choice[1]) != int(match[1]):
                values.append(written)  # made up, or another question's: sent as it is
                continue
            position = row.choice_orders[shown].index(int(choice[2]) - 1)
            values.append(f"q{shown + 1}-c{position + 1}")
        form[f"q{shown + 1}"] = values if isinstance(value, list) else values[0]
    return form


def view(client: FlaskClient, series: str, module: str):
    """Reach the end of the module's presentation, as its reading view reports it."""
    token = csrf_token(client, "/auth/logout")
    return client.post(f"/modules/{series}/{module}/activity", json={"end": True},
                       headers={"X-CSRFToken": token})


def open_quiz(client: FlaskClient, series: str, module: str, viewed: bool = True) -> int:
    """Open the quiz as a learner (having read the module to its end unless ``viewed`` is
    False): the id of the attempt drawn for them."""
    if viewed:
        view(client, series, module)
    return draw_id(client.get(quiz_url(series, module)).get_data(as_text=True))


def post_quiz(client: FlaskClient, series: str, module: str, drawn: int, values: dict,
              **extra):
    """Post the form of draw ``drawn`` with ``values`` as the page's own (``q1`` is the
    first question shown)."""
    url = quiz_url(series, module)
    return client.post(url, data={"csrf_token": csrf_token(client, url), "draw": str(drawn),
                                  **values, **extra})


def submit(client: FlaskClient, series: str, module: str, answers: dict, viewed: bool = True,
           **extra):
    """Take the quiz as a learner: read the module to its end (unless ``viewed`` is False),
    open the quiz, and post ``answers`` (as written) on the form drawn for them."""
    drawn = open_quiz(client, series, module, viewed)
    return post_quiz(client, series, module, drawn, shown_answers(drawn, answers), **extra)


def mark_complete(client: FlaskClient, series: str, module: str):
    return post(client, f"/modules/{series}/{module}/complete")


def complete_module(user, series: str, slug: str) -> None:
    """Complete a module for ``user`` through the same services the views use."""
    from sqlalchemy import select

    from champion.catalog.models import Module, Series
    from champion.extensions import db
    from champion.progress.operations import mark_complete as mark
    from champion.progress.operations import record_activity
    from champion.quizzes.grading import answer_key
    from champion.quizzes.operations import submit_quiz

    module = db.session.scalar(
        select(Module).join(Series).where(Series.slug == series, Module.slug == slug))
    version = module.current_version
    if version.has_quiz:
        record_activity(user, module.id, None, 0, len(version.slides), reached_end=True)
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
