"""Findings of the second December review (attacking issue 14's and 15's fixes), each a
request-level test that failed before its fix; docs/security.md lists them."""

from __future__ import annotations

import email
import re

from sqlalchemy import select

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.extensions import db
from tests.helpers import (
    PASS_FIRST,
    PASS_SECOND,
    client_for,
    csrf_token,
    mailed_link,
    mark_complete,
    post,
    submit,
)

# --- A set-password link is held by the lead: it proves nothing about the mailbox ---------


def test_a_set_password_link_does_not_verify_the_address_it_was_not_mailed_to(
        app, smtp, synced, department, lead):
    # A lead creates an account for an address that isn't theirs and opens it with the
    # link the page hands them: badges must not then name that address as the earner.
    page = post(client_for(app, lead), "/team/gyn-onc/members",
                {"email": "colleague@example.org", "name": "A Colleague"}).get_data(as_text=True)
    link = re.search(r'value="https?://[^/"]+(/auth/set-password/[^"]+)"', page)[1]
    lead_as_colleague = app.test_client()
    response = lead_as_colleague.post(link, data={
        "csrf_token": csrf_token(lead_as_colleague, link),
        "password": "the lead's own passphrase", "confirm": "the lead's own passphrase"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "colleague@example.org"))
    assert not user.email_verified
    submit(lead_as_colleague, "basics", "first-steps", PASS_FIRST)
    submit(lead_as_colleague, "basics", "second-steps", PASS_SECOND)
    mark_complete(lead_as_colleague, "basics", "reading")
    assert db.session.scalar(select(BadgeAward)) is None  # held, as for any unverified address

    # The mailbox's owner is asked instead, by a link mailed to it.
    [raw] = smtp.messages
    assert email.message_from_string(raw)["To"] == "colleague@example.org"
    assert mailed_link(raw, "/auth/verify/")
