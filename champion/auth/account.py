"""A learner's own account: their name, their email address (confirmed by a link mailed to
the new one), their password (the current one first). Every change is audited.

The name is changed by ``operations.rename_user``, the one audited way a name changes.
"""

from __future__ import annotations

from flask import current_app

from champion.audit.operations import record
from champion.auth.emails import EmailAddressError, email_address
from champion.auth.models import User
from champion.auth.operations import AccountError, find_user, set_password
from champion.auth.passwords import password_matches
from champion.auth.tokens import CHANGE_EMAIL_LIFETIME, make_token
from champion.database import utcnow
from champion.mail import notify
from champion.urls import external_url


def _check_current_password(user: User, current: str) -> None:
    if user.password_hash is not None and not password_matches(
            user.password_hash, current or "", current_app.config["PASSWORD_HASH_METHOD"]):
        raise AccountError("your current password is not the one you typed")


def change_own_password(user: User, current: str, new: str) -> None:
    """A new password, asked with the current one; other sessions end (the caller signs this
    one in again)."""
    _check_current_password(user, current)
    set_password(user, new)
    record(user, "auth.password_changed", user, f"{user.email} changed their password")
    notify(user.email, "Your Champion password was changed", (
        f"Hello {user.name},\n\nThe password of your Champion account was just changed, and "
        "every other session was signed out. If it wasn't you, reset it now:\n\n"
        f"{external_url('auth.forgot_password')}"))


def _free_address(user: User, new_email: str) -> str:
    try:
        new_email = email_address(new_email)
    except EmailAddressError as exc:
        raise AccountError(f"the new email address is not valid: {exc.reason}") from exc
    if new_email == user.email:
        raise AccountError(f"{new_email} is already your email address")
    if find_user(new_email) is not None:
        raise AccountError(f"another account already uses {new_email}")
    return new_email


def request_email_change(user: User, new_email: str, current: str) -> str:
    """Mail a confirmation link to ``new_email``; nothing changes until it is followed.
    Returns the address as it will be stored."""
    _check_current_password(user, current)
    new_email = _free_address(user, new_email)
    link = external_url("account.confirm_email",
                        token=make_token(user, "change-email", email=new_email))
    hours = int(CHANGE_EMAIL_LIFETIME.total_seconds() // 3600)
    notify(new_email, "Confirm your new email address for Champion", (
        f"Hello {user.name},\n\nYou asked to use this address for your Champion account "
        f"instead of {user.email}. Confirm it with this link, which works for {hours} hours:"
        f"\n\n{link}\n\nUntil you do, nothing changes. If it wasn't you, ignore this message."))
    record(user, "auth.email_change_requested", user,
           f"{user.email} asked to change their email to {new_email}", new_email=new_email)
    return new_email


def confirm_email_change(user: User, new_email: str) -> None:
    """The link mailed to ``new_email`` was followed: it is proved, and becomes the account's
    address. The old address is told. Links made for the old address stop working."""
    new_email = _free_address(user, new_email)
    previous = user.email
    user.email = new_email
    user.email_verified_at = utcnow()  # the link reached this mailbox
    user.invalidate_links()
    record(user, "auth.email_changed", user, f"email {previous} → {new_email}",
           previous=previous, email=new_email)
    notify(previous, "Your Champion email address was changed", (
        f"Hello {user.name},\n\nThe email address of your Champion account is now "
        f"{new_email}; this address ({previous}) no longer signs in. If it wasn't you, "
        f"reply to this message or contact your administrator."))
