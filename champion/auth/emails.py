"""What an email address is: one rule for every way an address enters Champion.

Registration, ``champion users create``, roster imports, a lead's add-member form and
invites all call :func:`email_address`, so an address one of them accepts is never refused
by another. The rule is email-validator's syntax check (no DNS look-up) with its default
refusal of special-use domains (``.test``, ``.local``, ``.invalid``...): mail to those can
never arrive, so such an address could never be verified, and a credential must not assert
it as its recipient.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from champion.errors import OperationError


class EmailAddressError(OperationError):
    """Not an email address Champion accepts; the message says why."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"'{address}' is not a valid email address ({reason})")
        self.reason = reason


def email_address(raw: str) -> str:
    """The address as stored (lowercase, normalised), or EmailAddressError saying why not."""
    text = (raw or "").strip()
    if not text:
        raise EmailAddressError(text, "it is empty")
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        reason = str(exc).rstrip(".")
        raise EmailAddressError(text, reason[:1].lower() + reason[1:]) from exc


def lookup_key(raw: str) -> str:
    """The stored form to look an account up by: never raises (a bad address finds no one)."""
    try:
        return email_address(raw)
    except EmailAddressError:
        return (raw or "").strip().lower()


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def written_as(raw: str, stored: str) -> bool:
    """Is ``raw`` the ``stored`` address as written, but for ASCII letter case (and the
    domain's spelling, punycode or not: one DNS name either way)?

    :func:`email_address` folds Unicode (NFC, then ``str.lower``): "\u212aate" (KELVIN SIGN)
    becomes "kate". That is right for finding an account, never for linking one: a provider
    that verified the mailbox as written verified another mailbox than the account's.
    """
    local, _, _ = (raw or "").strip().rpartition("@")
    return local.translate(_ASCII_LOWER) == stored.rpartition("@")[0] and \
        lookup_key(raw) == stored
