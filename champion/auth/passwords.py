"""What makes a password acceptable: long, and not one everybody uses."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

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
