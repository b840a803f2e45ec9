"""The fourth December review: SSO, LTI, assignments and credit, attacked. Each test shows
an abuse that worked before its fix (docs/security.md, "Findings of the fourth December
review")."""

from __future__ import annotations

import email
import email.policy
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.auth.models import ExternalIdentity, Role, User
from champion.extensions import db
from champion.lti.models import LtiGradeTarget
from tests import test_lti, test_sso
from tests.helpers import client_for, login, make_user, post
from tests.test_lti import PLATFORM_ERROR, count, deep_link, fields, launch

# test_lti's fixtures: the real LMS platform on 127.0.0.1, and Champion registered in it.
platform_url = test_lti.platform_url
lms = test_lti.lms

# --- LTI: an LMS's email address is not proof of a Champion account ------------------------


def test_an_lms_address_does_not_open_an_existing_account_unless_an_admin_trusts_it(
        app, lms, platform_url):
    # dana has a password account; an LMS that lets users change their address without
    # confirming it sends her address for someone else's LMS user.
    dana = make_user(Role.LEARNER, "dana@mercy.example.org")
    links = deep_link(app, platform_url, ["basics/first-steps"])
    stranger = app.test_client()
    answer, _ = launch(stranger, platform_url, user="dana", link=links[0]["index"])
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and PLATFORM_ERROR in page
    assert "already exists" in page and "sign in to Champion with your password" in page
    assert db.session.scalar(select(ExternalIdentity).where(
        ExternalIdentity.user_id == dana.id)) is None
    assert "Sign out" not in stranger.get("/modules/").get_data(as_text=True)
    assert count(User) == 3  # dana, the admin, the instructor: nothing made

    lms.trust_emails = True  # an administrator vouches for this platform's addresses
    db.session.commit()
    answer, _ = launch(app.test_client(), platform_url, user="dana", link=links[0]["index"])
    assert answer.status_code == 303
    assert db.session.scalar(select(ExternalIdentity.user_id).where(
        ExternalIdentity.kind == "lti", ExternalIdentity.subject == "sub-dana")) == dana.id


def test_the_switch_is_shown_off_by_default_and_its_change_audited(app, admin, platform_url):
    client = app.test_client()
    login(client, admin)
    values = {**fields(platform_url).__dict__, "instructors_are_educators": "",
              "trust_emails": ""}
    assert post(client, "/admin/lti/", values).status_code == 302
    listing = client.get("/admin/lti/").get_data(as_text=True)
    assert "never linked by email" in listing
    platform_id = db.session.scalar(select(AuditEvent.target_id).where(
        AuditEvent.action == "lti.register"))
    post(client, f"/admin/lti/{platform_id}", {**values, "trust_emails": "y"})
    assert "linked by email" in client.get("/admin/lti/").get_data(as_text=True)
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lti.update"))
    assert "trust_emails" in change.summary


def test_an_untrusted_lms_address_opens_a_new_account_that_waits_for_the_mailbox(
        app, lms, platform_url):
    links = deep_link(app, platform_url, ["basics/first-steps"])
    answer, _ = launch(app.test_client(), platform_url, user="dana", link=links[0]["index"])
    assert answer.status_code == 303
    dana = db.session.scalar(select(User).where(User.email == "dana@mercy.example.org"))
    # Not yet proof of the mailbox: no badge names the address, no SCIM adopts the account.
    assert not dana.email_verified
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "auth.verify_sent", AuditEvent.target_id == dana.id)) == (
        "verification link sent to dana@mercy.example.org")

    lms.trust_emails = True
    db.session.commit()
    launch(app.test_client(), platform_url, user="dana", link=links[0]["index"])
    db.session.refresh(dana)
    assert dana.email_verified  # a platform an administrator vouches for confirms it


# --- LTI: a launch can't point the score poster anywhere -----------------------------------


def test_a_launch_cannot_make_champion_post_scores_to_a_non_web_address(app, lms,
                                                                        platform_url):
    links = deep_link(app, platform_url, ["basics/first-steps"])
    for target in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data",
                   "https://lms.example.org/" + "x" * 600):
        answer, _ = launch(app.test_client(), platform_url, user="dana",
                           link=links[0]["index"], lineitem=target)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400 and "line item is not an https:// address" in page
    assert count(LtiGradeTarget) == 0


# --- Lead messages: a subject is one header line -------------------------------------------


def test_a_lead_cannot_inject_mail_headers_through_a_subject(app, synced, department, lead,
                                                             learner, smtp):
    client = client_for(app, lead)
    response = post(client, "/team/gyn-onc/message", {
        "audience": "everyone", "body": "Hi all",
        "subject": "Hello\r\nBcc: outsider@evil.example\r\nX-Forged: yes\rFrom: ceo@x.example"})
    assert response.status_code == 302
    (raw,) = smtp.messages
    message = email.message_from_string(raw, policy=email.policy.default)
    assert message["Bcc"] is None and message["X-Forged"] is None
    assert message.get_all("From") == [app.config["CHAMPION_MAIL_FROM"]]
    assert message["Subject"] == ("Gynecologic Oncology: Hello Bcc: outsider@evil.example "
                                  "X-Forged: yes From: ceo@x.example")


# --- OpenID Connect: an error's text is the provider's, not any link's ----------------------


@pytest.fixture
def provider(start_oidc_provider, sso_config):
    running = start_oidc_provider(test_sso.CALLBACK)
    sso_config(CHAMPION_OIDC_ISSUER=running.issuer, CHAMPION_OIDC_CLIENT_ID=running.client_id,
               CHAMPION_OIDC_CLIENT_SECRET=running.client_secret)
    return running


def test_a_forged_error_link_shows_no_text_of_its_own(app, client, provider):
    assert client.get("/auth/oidc/login").status_code == 302  # a sign-in under way
    lure = "Your account is locked. Call 555-0100 with your password. " * 20
    forged = client.get("/auth/oidc/callback?" + urlencode(
        {"error": "access_denied", "error_description": lure, "state": "guessed"}))
    page = forged.get_data(as_text=True)
    assert forged.status_code == 403 and "state does not match" in page
    assert "555-0100" not in page

    # A sign-in this browser started, answered with an error: the provider's words, bounded.
    start = client.get("/auth/oidc/login")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    answered = client.get("/auth/oidc/callback?" + urlencode(
        {"error": "access_denied", "error_description": lure, "state": state}))
    assert answered.status_code == 403 and "555-0100" in answered.get_data(as_text=True)
    summaries = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "sso.refused")).all()
    assert len(summaries) == 2 and all(len(s) <= 500 for s in summaries)
    assert "555-0100" not in summaries[0]
