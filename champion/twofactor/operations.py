"""Turning two-factor on and off, and checking the second step of a sign-in. Audited.

A TOTP code is accepted within one 30-second step either side of now, once: the step of
the last accepted code is kept, so a code seen over a shoulder can't be used again.
Recovery codes (80 random bits each) are stored as SHA-256 hashes and work once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
from flask import current_app
from sqlalchemy import delete, select

from champion.audit.operations import record
from champion.auth.models import Role, User
from champion.database import utcnow
from champion.errors import OperationError
from champion.extensions import db
from champion.twofactor.models import RecoveryCode, TwoFactor
from champion.twofactor.queries import two_factor_of

RECOVERY_CODES = 10
STEP = 30  # seconds, as every authenticator app counts
ISSUER = "Champion"
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32: 5 bits a character


class TwoFactorError(OperationError):
    """Two-factor can't be changed as asked; the message says why."""


class WrongCode(TwoFactorError):
    """The code given is neither a current authenticator code nor an unused recovery code."""


def provisioning_uri(factor: TwoFactor) -> str:
    """What the QR code holds: the secret, the account and the site's name."""
    return pyotp.TOTP(factor.secret).provisioning_uri(
        name=factor.user.email,
        issuer_name=current_app.config.get("CHAMPION_SITE_NAME") or ISSUER)


def start_enrolment(user: User) -> TwoFactor:
    """A new secret, waiting for a code from it; replaces one not yet confirmed."""
    factor = two_factor_of(user)
    if factor is not None and factor.enabled:
        raise TwoFactorError("two-factor is already on: turn it off first to start again")
    if factor is None:
        factor = TwoFactor(user_id=user.id, user=user)
        db.session.add(factor)
    factor.secret = pyotp.random_base32()
    factor.created_at, factor.last_step = utcnow(), None
    return factor


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _matching_step(factor: TwoFactor, code: str) -> int | None:
    """The step of the TOTP ``code`` if it is current (±1 step) and newer than the last."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp, now = pyotp.TOTP(factor.secret), int(time.time()) // STEP
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.at(step * STEP), code) and step > (factor.last_step or -1):
            return step
    return None


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor on once a code from the new secret checks: its recovery codes,
    shown this once (only their hashes are kept)."""
    factor = two_factor_of(user)
    if factor is None or factor.enabled:
        raise TwoFactorError("start again: no two-factor set-up is waiting for a code")
    step = _matching_step(factor, code)
    if step is None:
        raise TwoFactorError("that code doesn't match: check the time on your phone and "
                             "enter the 6 digits your app shows now")
    factor.last_step, factor.enabled_at = step, utcnow()
    codes = _new_recovery_codes(user)
    record(user, "two_factor.enable", user, f"{user.email} turned two-factor on")
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(16))  # 80 bits
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def check_second_step(user: User, code: str, ip: str | None) -> bool:
    """Is ``code`` a current authenticator code, or an unused recovery code? A recovery
    code is used up; either way it's audited."""
    # Locked while checked: two requests with the same code can't both read the old step.
    factor = db.session.get(TwoFactor, user.id, with_for_update=True, populate_existing=True)
    if factor is None or not factor.enabled:
        return False
    step = _matching_step(factor, code)
    if step is not None:
        factor.last_step = step
        return True
    recovery = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
        RecoveryCode.used_at.is_(None)).with_for_update())
    if recovery is not None:
        recovery.used_at = utcnow()
        record(user, "two_factor.recovery_code_used", user,
               f"{user.email} signed in with a recovery code", ip=ip)
        return True
    record(None, "auth.two_factor_failed", user,
           f"wrong two-factor code for {user.email}", ip=ip)
    return False


def reset_by_admin(user: User, actor: User) -> None:
    """An administrator turns someone's two-factor off (phone and recovery codes lost)."""
    if user.id == actor.id:
        raise TwoFactorError("turn your own two-factor off from your two-factor page, "
                             "with a code")
    factor = two_factor_of(user)
    if factor is None:
        raise TwoFactorError(f"{user.email} has no two-factor to turn off")
    _remove(user)
    record(actor, "two_factor.reset", user,
           f"{actor.email} turned two-factor off for {user.email}")


def _remove(user: User) -> None:
    db.session.delete(two_factor_of(user))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User, code: str, ip: str | None) -> None:
    """Turn two-factor off; a current code (or a recovery code) proves it's the owner."""
    if current_app.config.get("CHAMPION_REQUIRE_2FA_ADMIN") and user.role == Role.ADMIN:
        raise TwoFactorError("administrators must keep two-factor on here "
                             "(CHAMPION_REQUIRE_2FA_ADMIN)")
    if not check_second_step(user, code, ip):
        raise WrongCode("that code doesn't match: enter the 6 digits your app shows "
                             "now, or a recovery code")
    _remove(user)
    record(user, "two_factor.disable", user, f"{user.email} turned two-factor off", ip=ip)

