"""Unsubscribe links: signed, each for exactly one person and one kind of email.

They don't expire (a mail client may offer the one-click button months later) and carry
no secret beyond the signature: anyone holding one can only turn off that one kind of
email for that one person, which is what RFC 8058 asks of a one-click link.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from champion.reminders.models import EMAIL_KINDS


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="champion.unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    if kind not in EMAIL_KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    return _serializer().dumps([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(person id, kind) the link is for, or None if it was not made here."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if (not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int)
            or data[1] not in EMAIL_KINDS):
        return None
    return data[0], data[1]
