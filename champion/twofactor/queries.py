"""Reads: whether an account has two-factor on, and whether it may use a password."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from champion.auth.models import Role, User
from champion.extensions import db
from champion.twofactor.models import RecoveryCode, TwoFactor


def two_factor_of(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def has_two_factor(user: User) -> bool:
    record = two_factor_of(user)
    return record is not None and record.enabled


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def password_sign_in_on() -> bool:
    return bool(current_app.config.get("CHAMPION_PASSWORD_SIGNIN", True))


def may_use_password(user: User | None) -> bool:
    """With CHAMPION_PASSWORD_SIGNIN=off only administrators with two-factor on sign in
    (or reset) with a password: the break-glass path when the identity provider is down."""
    if password_sign_in_on():
        return True
    return user is not None and user.role == Role.ADMIN and has_two_factor(user)


def must_enrol(user: User) -> bool:
    """An administrator without two-factor, where CHAMPION_REQUIRE_2FA_ADMIN is on."""
    return bool(current_app.config.get("CHAMPION_REQUIRE_2FA_ADMIN")) and \
        user.role == Role.ADMIN and not has_two_factor(user)
