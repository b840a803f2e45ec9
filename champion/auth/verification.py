"""Verifying email addresses: a signed, expiring link mailed to the address.

A credential names its earner's email as recipient, and a department's leads see its
members' records, so both wait until the person has shown they read that mailbox: badges
earned before are held (the completions count) and awarded the moment the address is
verified; joining a department is refused until then.
"""

from __future__ import annotations

from champion.audit.operations import record
from champion.auth.models import User
from champion.auth.tokens import VERIFY_EMAIL_LIFETIME, make_token
from champion.badges.models import BadgeAward
from champion.badges.operations import award_earned_badges
from champion.database import utcnow
from champion.mail import notify
from champion.urls import external_url


def send_verification(user: User, new_account: bool = False) -> bool:
    """Mail ``user`` a link that verifies their address (saying first, for a ``new_account``,
    that it is ready to sign in to); True if a server took the mail."""
    link = external_url("verification.confirm", token=make_token(user, "verify-email"))
    days = VERIFY_EMAIL_LIFETIME.days
    ready = (f"Your Champion account is ready. Sign in with this email address and the "
             f"password you chose: {external_url('auth.login')}\n\n") if new_account else ""
    sent = notify(user.email, "Confirm your email address for Champion", (
        f"Hello {user.name},\n\n{ready}Please confirm that this is your email address, so "
        f"that your badges can name it and your department can add you. The link works for {days} "
        f"days:\n\n{link}\n\nIf you did not create a Champion account, ignore this message."
    ))
    record(user, "auth.verify_sent", user, f"verification link sent to {user.email}")
    return sent


def mark_email_verified(user: User, how: str) -> list[BadgeAward]:
    """Record that ``user`` proved their address; award the badges held until now."""
    if user.email_verified_at is not None:
        return []
    user.email_verified_at = utcnow()
    record(user, "auth.email_verified", user, f"{user.email} verified ({how})", how=how)
    return award_earned_badges(user_ids=[user.id])
