"""Growing delays after an account's failed sign-ins, shared by every worker.

A hard lock (N failures, then refused for 15 minutes even with the right password) lets
anyone lock anyone out. Instead, the first ``FREE_FAILURES`` failures cost nothing; after
that, each failure makes the next attempt wait twice as long as the last (1 s, 2 s, 4 s ...,
at most ``MAX_DELAY``). An attempt during the wait is refused unchecked, the right password
too, but only until the wait ends; a successful sign-in starts the count again. That keeps
guessing one account to about a hundred tries a day, while its owner waits at most
``MAX_DELAY``. The counts live in the rate limiter's storage: Redis when
``CHAMPION_RATELIMIT_STORAGE_URL`` is set, so every worker sees them.
"""

from __future__ import annotations

import hashlib
import math
import time

from champion.auth.emails import lookup_key
from champion.extensions import limiter

FREE_FAILURES = 5
MAX_DELAY = 15 * 60  # seconds
FAILURES_KEPT = 24 * 3600  # a day after the first failure, the count starts again


def _keys(email: str) -> tuple[str, str]:
    # Hashed: the storage holds no email addresses.
    digest = hashlib.sha256(lookup_key(email)[:254].encode()).hexdigest()[:32]
    return f"champion/signin/failures/{digest}", f"champion/signin/wait/{digest}"


def delay_after(failures: int) -> int:
    """Seconds the next attempt waits after ``failures`` failures in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** min(failures - FREE_FAILURES, 20), MAX_DELAY)


def seconds_to_wait(email: str) -> int:
    """How long before this account may try again (0: now)."""
    _, wait = _keys(email)
    storage = limiter.storage
    if not storage.get(wait):
        return 0
    return max(1, math.ceil(storage.get_expiry(wait) - time.time()))


def note_failure(email: str) -> None:
    failures, wait = _keys(email)
    storage = limiter.storage
    count = storage.incr(failures, FAILURES_KEPT)
    delay = delay_after(count)
    if delay:
        storage.clear(wait)
        storage.incr(wait, delay)


def note_success(email: str) -> None:
    for key in _keys(email):
        limiter.storage.clear(key)
