"""/me/account: a learner's own name, email address (confirmed by a link) and password."""

from __future__ import annotations

import email
from urllib.parse import urlsplit

from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.auth.models import Role, User
from champion.extensions import db
from tests.helpers import PASSWORD, client_for, csrf_token, login, mailed_link, make_user

NEW_PASSWORD = "a much longer passphrase"


def post_form(client, action: str, data: dict):
    token = csrf_token(client, "/me/account")
    return client.post(f"/me/account/{action}", data={"csrf_token": token, **data})


def confirm_link(message: str) -> str:
    """The path of the confirmation link in a received message."""
    return urlsplit(mailed_link(message, "/me/account/email/")).path


def actions(user: User) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_id == user.id, AuditEvent.action.not_like("auth.login%"))
        .order_by(AuditEvent.id)))


def test_the_account_page_says_where_the_name_appears(learner_client):
    page = learner_client.get("/me/account").get_data(as_text=True)
    assert "certificate of completion" in page and "public verification page" in page
    assert 'value="Test Learner"' in page


def test_a_learner_renames_themselves_and_it_is_audited(learner_client, learner):
    response = post_form(learner_client, "name", {"name": "  Dr Ada Lovelace "})
    assert response.status_code == 302
    db.session.refresh(learner)
    assert learner.name == "Dr Ada Lovelace"
    assert "user.rename" in actions(learner)
    assert "Your name is now Dr Ada Lovelace" in learner_client.get("/me/account").get_data(
        as_text=True)


def test_an_empty_name_is_refused_and_says_so(learner_client, learner):
    response = post_form(learner_client, "name", {"name": "   "})
    assert response.status_code == 400
    assert "Enter your name." in response.get_data(as_text=True)
    db.session.refresh(learner)
    assert learner.name == "Test Learner"


def test_an_email_change_waits_for_the_link_sent_to_the_new_address(app, smtp, learner):
    client = client_for(app, learner)
    response = post_form(client, "email", {"email": "ada@new.example.org",
                                           "current": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(learner)
    assert learner.email == "learner@example.org"  # nothing changes yet
    (message,) = smtp.messages
    assert email.message_from_string(message)["To"] == "ada@new.example.org"
    link = confirm_link(message)
    # Following the link shows a button; a mail scanner's GET changes nothing.
    page = client.get(link).get_data(as_text=True)
    assert "Use ada@new.example.org" in page
    db.session.refresh(learner)
    assert learner.email == "learner@example.org"
    response = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(learner)
    assert learner.email == "ada@new.example.org" and learner.email_verified
    # The old address is told; the session goes on; the link is spent.
    told = email.message_from_string(smtp.messages[-1])
    assert told["To"] == "learner@example.org"
    assert "ada@new.example.org" in told.get_payload(decode=True).decode()
    assert "ada@new.example.org" in client.get("/me/account").get_data(as_text=True)
    assert client.get(link).status_code == 410
    assert {"auth.email_change_requested", "auth.email_changed"} <= set(actions(learner))


def test_an_email_change_asks_for_the_current_password(app, smtp, learner):
    client = client_for(app, learner)
    response = post_form(client, "email", {"email": "ada@new.example.org", "current": "wrong"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your current password is not the one you typed." in page
    assert 'value="ada@new.example.org"' in page  # what was typed is kept
    assert smtp.messages == []


def test_an_address_another_account_uses_is_refused(app, smtp, learner, educator):
    client = client_for(app, learner)
    response = post_form(client, "email", {"email": educator.email, "current": PASSWORD})
    assert response.status_code == 400
    assert f"Another account already uses {educator.email}." in response.get_data(as_text=True)
    assert smtp.messages == []


def test_a_confirmation_link_cannot_take_an_address_claimed_meanwhile(app, smtp, learner):
    client = client_for(app, learner)
    post_form(client, "email", {"email": "taken@example.org", "current": PASSWORD})
    link = confirm_link(smtp.messages[0])
    make_user(Role.LEARNER, email="taken@example.org")
    client.post(link, data={"csrf_token": csrf_token(client, link)})
    db.session.refresh(learner)
    assert learner.email == "learner@example.org"


def test_a_link_for_one_account_changes_only_that_account(app, smtp, learner, educator):
    post_form(client_for(app, learner), "email", {"email": "ada@new.example.org",
                                                  "current": PASSWORD})
    link = confirm_link(smtp.messages[0])
    other = client_for(app, educator)  # whoever follows it, the link names its account
    other.post(link, data={"csrf_token": csrf_token(other, link)})
    db.session.refresh(learner)
    db.session.refresh(educator)
    assert learner.email == "ada@new.example.org" and educator.email == "educator@example.org"


def test_a_forged_link_is_refused(learner_client):
    assert learner_client.get("/me/account/email/forged").status_code == 410


def test_a_password_change_asks_for_the_current_one_and_ends_other_sessions(app, learner):
    client, elsewhere = client_for(app, learner), client_for(app, learner)
    refused = post_form(client, "password", {"current": "wrong", "password": NEW_PASSWORD,
                                             "confirm": NEW_PASSWORD})
    assert refused.status_code == 400
    assert "Your current password is not the one you typed." in refused.get_data(as_text=True)
    response = post_form(client, "password", {"current": PASSWORD, "password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200  # this session stays signed in
    assert elsewhere.get("/me").status_code == 302  # the other one is signed out
    fresh = app.test_client()
    login(fresh, learner, NEW_PASSWORD)
    assert "auth.password_changed" in actions(learner)
