"""Registering, signing in and out."""

from __future__ import annotations

import re

from sqlalchemy import select

from champion.auth.models import User
from champion.extensions import db
from tests.helpers import PASSWORD, csrf_token, login


def register(client, **overrides):
    data = {"name": "Rae Resident", "email": "rae@example.org", "password": "a-long-password",
            "confirm": "a-long-password", **overrides}
    data.setdefault("csrf_token", csrf_token(client, "/auth/register"))
    return client.post("/auth/register", data=data)


def test_forms_use_the_field_names_and_autocomplete_of_the_spec(client):
    page = client.get("/auth/register").get_data(as_text=True)
    for name, autocomplete in [("name", "name"), ("email", "email"),
                               ("password", "new-password"), ("confirm", "new-password")]:
        assert re.search(rf'<input[^>]*autocomplete="{autocomplete}"[^>]*name="{name}"', page) or \
            re.search(rf'<input[^>]*name="{name}"[^>]*autocomplete="{autocomplete}"', page), name
    page = client.get("/auth/login").get_data(as_text=True)
    assert re.search(r'autocomplete="username"[^>]*name="email"', page)
    assert re.search(r'autocomplete="current-password"[^>]*name="password"', page)


def test_register_creates_a_learner_who_then_signs_in(client, app):
    response = register(client, email="  Rae@Example.ORG ")
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "rae@example.org"))
    assert user.role == "learner" and user.password_hash != "a-long-password"
    login(client, user, "a-long-password")
    assert "My progress" in client.get("/").get_data(as_text=True)


def test_register_errors_name_the_field_and_keep_the_input(client, app, learner):
    response = register(client, name="Keep Me", password="cookiemonster",
                        confirm="cookiemonster")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "one of the most common ones" in page
    assert 'value="Keep Me"' in page
    short = register(client, password="short", confirm="short").get_data(as_text=True)
    assert "Use at least 12 characters." in short
    mismatch = register(client, confirm="something-else!").get_data(as_text=True)
    assert "The two passwords don&#39;t match." in mismatch
    bad = register(client, email="not-an-email").get_data(as_text=True)
    assert "Enter a valid email address" in bad
    assert 'aria-describedby="email-hint email-error"' in bad


def test_posting_without_csrf_token_is_refused(client, app):
    response = client.post("/auth/register", data={"name": "X", "email": "x@example.org",
                                                   "password": "a-long-password",
                                                   "confirm": "a-long-password"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_signing_out_with_keep_me_signed_in_signs_out(client, learner):
    token = csrf_token(client, "/auth/login")
    client.post("/auth/login", data={"csrf_token": token, "email": learner.email,
                                     "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/logout")})
    assert client.get_cookie("remember_token") is None  # deleted, not left to sign in again
    assert "Create account" in client.get("/").get_data(as_text=True)
    assert client.get("/me").status_code == 302


def test_login_and_logout(client, learner):
    login(client, learner)
    assert "Sign out" in client.get("/").get_data(as_text=True)
    assert client.get("/auth/logout").status_code == 200  # a confirmation, not a sign-out
    assert "Sign out" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/auth/logout")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert "Create account" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part(client, learner):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": learner.email,
                                                "password": "wrong password!"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The email or password is incorrect." in page
    assert f'value="{learner.email}"' in page


def test_deactivated_accounts_cannot_sign_in_and_lose_their_session(client, learner):
    login(client, learner)
    learner.active = False
    db.session.commit()
    assert client.get("/me").status_code == 302  # the session no longer loads the user
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": learner.email,
                                                "password": PASSWORD})
    assert "This account has been deactivated" in response.get_data(as_text=True)


def test_next_is_followed_only_within_the_site(client, learner):
    for target, expected in [("/me", "/me"), ("https://evil.example/x", "/"),
                             ("//evil.example", "/"), ("/\\evil.example", "/")]:
        token = csrf_token(client, "/auth/login")
        response = client.post(f"/auth/login?next={target}", data={
            "csrf_token": token, "email": learner.email, "password": PASSWORD})
        assert response.headers["Location"] == expected, target
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/logout")})


def test_signing_in_starts_a_fresh_session(client, learner):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, learner)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_protected_pages_send_anonymous_visitors_to_sign_in(client, synced):
    for url in ["/me", "/modules/basics/first-steps", "/modules/basics/first-steps/quiz",
                "/modules/basics/first-steps/slides", "/modules/basics/first-steps/case"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/auth/login?next="), url
