"""Two-factor sign-in for local accounts (issue 19): enrolment, the second step of
sign-in, recovery codes, throttling, and administrators required to enrol."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.auth import throttle
from champion.auth.tokens import make_token
from champion.extensions import db
from champion.twofactor.models import RecoveryCode, TwoFactor
from tests.helpers import PASSWORD, csrf_token, login

SECRET = re.compile(r'id="two-factor-secret">([A-Z2-7 ]+)<')
CODES = re.compile(r"<li><code>([a-z2-7-]+)</code></li>")


def form_post(client, url: str, data: dict, page: str | None = None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or url), **data})


def next_code(secret: str) -> str:
    """A code the server accepts once enrolment used the current one: the next step's."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def enrol(client) -> tuple[str, list[str]]:
    """Turn two-factor on as a person would: the secret read from the page, a code from
    it, the recovery codes from the page that shows them once."""
    form_post(client, "/me/two-factor/enrol", {}, page="/me/two-factor")
    page = client.get("/me/two-factor/confirm").get_data(as_text=True)
    secret = SECRET.search(page)[1].replace(" ", "")
    shown = form_post(client, "/me/two-factor/confirm", {"code": pyotp.TOTP(secret).now()})
    assert shown.headers["Cache-Control"] == "no-store"
    return secret, CODES.findall(shown.get_data(as_text=True))


def password_step(client, user, password: str = PASSWORD):
    return client.post("/auth/login", data={"csrf_token": csrf_token(client, "/auth/login"),
                                            "email": user.email, "password": password})


def audit_actions(user) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_id == user.id).order_by(AuditEvent.id)))


def test_enrolment_shows_a_qr_and_the_secret_and_needs_a_code(learner_client, learner):
    assert "is <strong>off</strong>" in learner_client.get("/me/two-factor").get_data(
        as_text=True)
    form_post(learner_client, "/me/two-factor/enrol", {}, page="/me/two-factor")
    page = learner_client.get("/me/two-factor/confirm").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code
    secret = SECRET.search(page)[1].replace(" ", "")
    wrong = form_post(learner_client, "/me/two-factor/confirm", {"code": "000000"})
    assert "doesn&#39;t match" in wrong.get_data(as_text=True)
    assert not db.session.get(TwoFactor, learner.id, populate_existing=True).enabled
    shown = form_post(learner_client, "/me/two-factor/confirm",
                      {"code": pyotp.TOTP(secret).now()})
    codes = CODES.findall(shown.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert db.session.get(TwoFactor, learner.id, populate_existing=True).enabled
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in hashed for code in codes for hashed in stored)
    # Shown once: the status page never shows them again.
    again = learner_client.get("/me/two-factor").get_data(as_text=True)
    assert codes[0] not in again and "10 unused recovery codes" in again
    assert "two_factor.enable" in audit_actions(learner)


def test_sign_in_asks_for_the_code_before_opening_a_session(app, learner_client, learner):
    secret, _ = enrol(learner_client)
    client = app.test_client()
    first = password_step(client, learner)
    assert first.headers["Location"] == "/auth/two-factor"
    assert client.get("/me").status_code == 302  # no session yet
    wrong = form_post(client, "/auth/two-factor", {"code": "123456"})
    assert wrong.status_code == 200 and "doesn&#39;t match" in wrong.get_data(as_text=True)
    assert client.get("/me").status_code == 302
    code = next_code(secret)
    right = form_post(client, "/auth/two-factor", {"code": code})
    assert right.status_code == 302
    assert client.get("/me").status_code == 200
    # The same code can't be used again (seen over a shoulder, replayed).
    other = app.test_client()
    password_step(other, learner)
    replay = form_post(other, "/auth/two-factor", {"code": code})
    assert replay.status_code == 200
    assert other.get("/me").status_code == 302
    assert "auth.two_factor_failed" in audit_actions(learner)


def test_a_reset_link_is_no_second_factor(app, learner_client, learner):
    secret, _ = enrol(learner_client)
    client = app.test_client()
    link = f"/auth/reset/{make_token(learner, 'reset-password')}"
    response = form_post(client, link, {"password": "a brand new password",
                                        "confirm": "a brand new password"})
    assert response.headers["Location"] == "/auth/two-factor"
    assert client.get("/me").status_code == 302  # the link set the password, nothing more
    assert form_post(client, "/auth/two-factor", {"code": next_code(secret)}
                     ).status_code == 302
    assert client.get("/me").status_code == 200


def test_the_second_step_needs_a_first(client, learner):
    response = client.get("/auth/two-factor")
    assert response.headers["Location"].startswith("/auth/login")


def test_a_recovery_code_works_once(app, learner_client, learner):
    _, codes = enrol(learner_client)
    client = app.test_client()
    password_step(client, learner)
    assert form_post(client, "/auth/two-factor", {"code": codes[3].upper()}).status_code == 302
    assert client.get("/me").status_code == 200
    again = app.test_client()
    password_step(again, learner)
    assert form_post(again, "/auth/two-factor", {"code": codes[3]}).status_code == 200
    assert again.get("/me").status_code == 302
    assert "two_factor.recovery_code_used" in audit_actions(learner)
    assert "9 unused recovery codes" in client.get("/me/two-factor").get_data(as_text=True)


def test_wrong_codes_are_throttled_like_passwords(app, learner_client, learner):
    secret, _ = enrol(learner_client)
    client = app.test_client()
    password_step(client, learner)
    for _ in range(5):  # five free failures
        assert form_post(client, "/auth/two-factor", {"code": "000000"}).status_code == 200
    for _ in range(3):  # three more (as from elsewhere, once each wait ended): 8 s to wait
        throttle.note_failure(learner.email, step="two-factor")
    refused = form_post(client, "/auth/two-factor", {"code": next_code(secret)})
    assert refused.status_code == 429  # even the right code, during the wait
    assert int(refused.headers["Retry-After"]) > 1
    assert client.get("/me").status_code == 302


def test_turning_it_off_needs_a_code(learner_client, learner):
    secret, _ = enrol(learner_client)
    refused = form_post(learner_client, "/me/two-factor/disable", {"code": "000000"},
                        page="/me/two-factor")
    assert refused.status_code == 302
    assert db.session.get(TwoFactor, learner.id, populate_existing=True).enabled
    form_post(learner_client, "/me/two-factor/disable", {"code": next_code(secret)},
              page="/me/two-factor")
    assert db.session.get(TwoFactor, learner.id, populate_existing=True) is None
    assert db.session.scalar(select(RecoveryCode)) is None
    assert "two_factor.disable" in audit_actions(learner)


@pytest.fixture
def require_admin_2fa(app):
    app.config["CHAMPION_REQUIRE_2FA_ADMIN"] = True
    yield
    app.config["CHAMPION_REQUIRE_2FA_ADMIN"] = False


def test_admins_must_enrol_before_any_admin_page(app, admin, require_admin_2fa):
    client = app.test_client()
    login(client, admin)  # signing in still works: the admin pages wait for enrolment
    for url in ("/admin/", "/admin/audit"):
        response = client.get(url)
        assert response.headers["Location"] == "/me/two-factor", url
    assert "must set up two-factor" in client.get("/me/two-factor").get_data(as_text=True)
    secret, _ = enrol(client)
    assert client.get("/admin/audit").status_code == 200
    # And can't turn it off again while it is required.
    form_post(client, "/me/two-factor/disable", {"code": next_code(secret)},
              page="/me/two-factor")
    assert db.session.get(TwoFactor, admin.id, populate_existing=True).enabled


def test_without_the_setting_admins_are_not_sent_to_enrol(admin_client):
    assert admin_client.get("/admin/audit").status_code == 200


def test_an_admin_turns_off_a_lost_phones_two_factor(app, learner_client, learner,
                                                     admin_client, admin):
    enrol(learner_client)
    page = admin_client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "Turn two-factor off for" in page
    token = csrf_token(admin_client, f"/admin/people/{learner.id}")
    admin_client.post(f"/admin/people/{learner.id}/two-factor", data={"csrf_token": token})
    assert db.session.get(TwoFactor, learner.id, populate_existing=True) is None
    assert "two_factor.reset" in audit_actions(learner)
    client = app.test_client()
    assert password_step(client, learner).headers["Location"] == "/"  # no code asked
