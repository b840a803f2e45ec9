"""Signed, expiring links: set a first password, reset a forgotten one, verify an email.

Each token carries a fingerprint of the account's current password hash, so it stops
working the moment a password is set: single use without a table of tokens. The same
fingerprint is in every session (see User.get_id), so changing a password also ends
every other session. It also carries the account's link generation (drawn anew when the
role, departments or active flag change) and the email address it was made for, so a
link handed out before any of those changed no longer works.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from champion.auth.models import User
from champion.extensions import db

SET_PASSWORD_LIFETIME = timedelta(days=14)
RESET_PASSWORD_LIFETIME = timedelta(hours=1)
VERIFY_EMAIL_LIFETIME = timedelta(days=3)
CHANGE_EMAIL_LIFETIME = timedelta(days=1)
PURPOSES = {"set-password": SET_PASSWORD_LIFETIME, "reset-password": RESET_PASSWORD_LIFETIME,
            "verify-email": VERIFY_EMAIL_LIFETIME, "change-email": CHANGE_EMAIL_LIFETIME}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"champion.{purpose}")


def _state(user: User) -> str:
    return f"{user.password_fingerprint}:{user.link_generation or 0}:{user.email}"


def make_token(user: User, purpose: str, **extra: str) -> str:
    """A link's token; ``extra`` is signed with it (a new address to confirm, say)."""
    return _serializer(purpose).dumps({**extra, "user": user.id, "state": _state(user)})


def read_token(token: str, purpose: str,
               max_age: timedelta | None = None) -> tuple[User | None, dict]:
    """The account the token is for (None if it is forged, expired or already used) and
    what was signed with it."""
    lifetime = PURPOSES[purpose] if max_age is None else max_age
    try:
        data = _serializer(purpose).loads(token, max_age=int(lifetime.total_seconds()))
    except BadSignature:
        return None, {}
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("state") != _state(user):
        return None, {}
    return user, data


def user_for_token(token: str, purpose: str, max_age: timedelta | None = None) -> User | None:
    """The account the token is for, or None if it is forged, expired or already used."""
    return read_token(token, purpose, max_age)[0]


def set_password_token(user: User) -> str:
    return make_token(user, "set-password")
