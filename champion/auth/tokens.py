"""Signed, expiring links to set a password.

The token carries a fingerprint of the account's current password hash, so it stops
working the moment a password is set: single use without a table of tokens.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from champion.auth.models import User
from champion.extensions import db

SET_PASSWORD_LIFETIME = timedelta(days=14)
_SALT = "champion.set-password"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def set_password_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "state": _fingerprint(user)})


def user_for_token(token: str, max_age: timedelta = SET_PASSWORD_LIFETIME) -> User | None:
    """The account the token is for, or None if it is forged, expired or already used."""
    try:
        data = _serializer().loads(token, max_age=int(max_age.total_seconds()))
    except BadSignature:
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("state") != _fingerprint(user):
        return None
    return user
