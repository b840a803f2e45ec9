"""CHAMPION_PASSWORD_SIGNIN=off (issue 19): no password sign-in, sign-up or reset but for
administrators with two-factor on, the break-glass path; refused at the POST, not only
hidden."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from champion.auth.models import Role, User
from champion.auth.tokens import make_token, set_password_token
from champion.extensions import db
from tests.helpers import PASSWORD, csrf_token, make_user
from tests.test_two_factor import enrol, form_post, next_code, password_step


@pytest.fixture
def passwords_off(app):
    app.config["CHAMPION_PASSWORD_SIGNIN"] = False
    yield
    app.config["CHAMPION_PASSWORD_SIGNIN"] = True


@pytest.fixture
def admin_with_two_factor(app, admin):
    client = app.test_client()
    password_step(client, admin)
    secret, _ = enrol(client)
    return admin, secret


def test_the_page_hides_the_password_form_and_sign_up(client, passwords_off):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Password sign-in is off here" in page
    assert '<details class="break-glass">' in page  # folded away, for administrators
    assert "Create an account" not in page
    assert "/auth/register" not in page  # nor in the menu
    assert "/auth/register" not in client.get("/").get_data(as_text=True)


def test_a_learner_with_the_right_password_is_refused_at_the_post(app, learner,
                                                                  passwords_off):
    client = app.test_client()
    response = password_step(client, learner)
    assert response.status_code == 200
    assert "Password sign-in is off here" in response.get_data(as_text=True)
    assert client.get("/me").status_code == 302


def test_an_admin_without_two_factor_is_refused(app, admin, passwords_off):
    client = app.test_client()
    assert password_step(client, admin).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_an_admin_with_two_factor_signs_in_with_password_and_code(app, admin_with_two_factor,
                                                                  passwords_off):
    admin, secret = admin_with_two_factor
    client = app.test_client()
    assert password_step(client, admin).headers["Location"] == "/auth/two-factor"
    assert form_post(client, "/auth/two-factor", {"code": next_code(secret)}
                     ).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_sign_up_is_refused_at_the_post(client, passwords_off):
    assert client.get("/auth/register").status_code == 403
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/register", data={
        "csrf_token": token, "name": "New Person", "email": "new@example.org",
        "password": "a long enough password", "confirm": "a long enough password"})
    assert response.status_code == 403
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_resets_only_for_admins_with_two_factor(app, client, smtp, learner,
                                                admin_with_two_factor, passwords_off):
    admin, _ = admin_with_two_factor
    for user in (learner, admin):
        response = form_post(client, "/auth/forgot", {"email": user.email})
        # The same answer for both, so the page tells nobody who may still use a password.
        assert response.status_code == 200
        assert user.email in response.get_data(as_text=True)
    # One mail: the administrator's. The learner's request sends nothing.
    assert len(smtp.messages) == 1
    assert admin.email in smtp.messages[0]
    # Links handed out before the switch no longer set a learner's password.
    lead_made = make_user(Role.LEARNER, "new.nurse@example.org")
    for link in (f"/auth/reset/{make_token(learner, 'reset-password')}",
                 f"/auth/set-password/{set_password_token(lead_made)}"):
        assert client.get(link).status_code == 403
        response = client.post(link, data={"csrf_token": csrf_token(client, "/auth/login"),
                                           "password": "another long password",
                                           "confirm": "another long password"})
        assert response.status_code == 403
    assert db.session.get(User, learner.id, populate_existing=True).check_password(PASSWORD)


def test_the_switch_accepts_only_on_or_off():
    from config import ConfigurationError, load

    assert load("testing", {"CHAMPION_PASSWORD_SIGNIN": "off"})["CHAMPION_PASSWORD_SIGNIN"] \
        is False
    assert load("testing", {})["CHAMPION_PASSWORD_SIGNIN"] is True
    with pytest.raises(ConfigurationError, match="CHAMPION_PASSWORD_SIGNIN must be on or off"):
        load("testing", {"CHAMPION_PASSWORD_SIGNIN": "maybe"})
