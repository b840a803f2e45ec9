"""Growing delays after an account's failed sign-ins, shared by every worker.

A hard lock (N failures, then refused for 15 minutes even with the right password) lets
anyone lock anyone out. Instead, the first ``FREE_FAILURES`` failures cost nothing; after
that, each failure makes the next attempt wait twice as long as the last (1 s, 2 s, 4 s ...,
at most ``MAX_DELAY``). An attempt during the wait is refused unchecked, the right password
too, but only until the wait ends; a successful sign-in starts the count again. That keeps
guessing one account to about a hundred tries a day, while its owner waits at most
``MAX_DELAY``. The counts live in the rate limiter's storage: Redis when
``CHAMPION_RATELIMIT_STORAGE_URL`` is set, so every worker sees them.

Those delays alone let anyone keep an owner out for good: one wrong password each time the
wait ends (four requests an hour, and a refused attempt says when it ends) renews it. So a
browser that has signed in to the account holds a signed device cookie (OWASP's "device
cookies"): its attempts are counted, and delayed, on their own, never by failures made
elsewhere. An attacker can delay only the browsers that never signed in to the account.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from datetime import timedelta

from flask import Response, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from champion.auth.emails import lookup_key
from champion.extensions import limiter

FREE_FAILURES = 5
MAX_DELAY = 15 * 60  # seconds
FAILURES_KEPT = 24 * 3600  # a day after the first failure, the count starts again


DEVICE_COOKIE = "champion_device"
DEVICE_LIFETIME = timedelta(days=180)


def _account(email: str) -> str:
    # Hashed: the storage (and the device cookie) holds no email addresses.
    return hashlib.sha256(lookup_key(email)[:254].encode()).hexdigest()[:32]


def _keys(email: str, device: str | None = None, step: str = "signin") -> tuple[str, str]:
    # ``step``: each step of a sign-in (the password, the two-factor code) counts its own.
    scope = _account(email) + (f"/device/{device}" if device else "")
    return f"champion/{step}/failures/{scope}", f"champion/{step}/wait/{scope}"


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="champion.device")


def trusted_device(cookie: str | None, email: str) -> str | None:
    """The device id in ``cookie`` if it is a valid device cookie for this account."""
    if not cookie:
        return None
    try:
        data = _devices().loads(cookie, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != _account(email):
        return None
    device = data.get("device")
    return device if isinstance(device, str) else None


def remember_device(response: Response, email: str, device: str | None = None) -> None:
    """Mark this browser as one that signed in to the account (``device``: keep its id)."""
    token = _devices().dumps({"account": _account(email),
                              "device": device or secrets.token_urlsafe(16)})
    config = current_app.config
    response.set_cookie(DEVICE_COOKIE, token, max_age=int(DEVICE_LIFETIME.total_seconds()),
                        httponly=True, secure=config.get("SESSION_COOKIE_SECURE", False),
                        samesite="Lax")


def delay_after(failures: int) -> int:
    """Seconds the next attempt waits after ``failures`` failures in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** min(failures - FREE_FAILURES, 20), MAX_DELAY)


def seconds_to_wait(email: str, device: str | None = None, step: str = "signin") -> int:
    """How long before this account (from a trusted ``device``: that device) may try
    again (0: now)."""
    _, wait = _keys(email, device, step)
    storage = limiter.storage
    if not storage.get(wait):
        return 0
    return max(1, math.ceil(storage.get_expiry(wait) - time.time()))


def note_failure(email: str, device: str | None = None, step: str = "signin") -> None:
    failures, wait = _keys(email, device, step)
    storage = limiter.storage
    count = storage.incr(failures, FAILURES_KEPT)
    delay = delay_after(count)
    if delay:
        storage.clear(wait)
        storage.incr(wait, delay)


def note_success(email: str, device: str | None = None, step: str = "signin") -> None:
    # From a trusted device only that device's count starts again: clearing the account's
    # would hand whoever is guessing elsewhere a fresh set of free failures.
    for key in _keys(email, device, step):
        limiter.storage.clear(key)
