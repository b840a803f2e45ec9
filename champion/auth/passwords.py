"""What makes a password acceptable: long, and not one everybody uses."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

COMMON = Path(__file__).resolve().parent / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problem(password: str, minimum: int, email: str | None = None) -> str | None:
    """Why ``password`` won't do, in words for the form; None if it's fine."""
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    if len(password) > 200:
        return "Use at most 200 characters."
    if password.strip().lower() in common_passwords():
        return "That password is one of the most common ones: choose something less guessable."
    if email and password.strip().lower() == email.strip().lower():
        return "Don't use your email address as your password."
    return None


def hash_password(password: str, method: str | None = None) -> str:
    """Werkzeug's default method (scrypt) unless ``method`` names another."""
    return generate_password_hash(password, method=method) if method else \
        generate_password_hash(password)


def password_matches(password_hash: str | None, password: str, method: str | None) -> bool:
    """Check ``password`` against ``password_hash``: the same work when there is no hash.

    An account that doesn't exist (or has no password yet) is checked against a dummy
    hash made with the same method, so a refusal takes as long either way and the time
    of an answer doesn't tell anyone which emails have accounts.
    """
    if password_hash is None:
        check_password_hash(_dummy_hash(method), password)
        return False
    return check_password_hash(password_hash, password)


@cache
def _dummy_hash(method: str | None) -> str:
    return hash_password("no account has this password", method)
