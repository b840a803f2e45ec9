"""The provider's records as CSV: every claim, and the PARS learner file (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from champion.content.credit import hundredths
from champion.credit.models import CreditClaim, CreditProfile
from champion.credit.professions import PROFESSIONS

CLAIM_COLUMNS = ["claim_id", "learner_name", "learner_email", "profession", "activity",
                 "activity_slug", "provider", "release", "expires", "credit_type", "credit_name",
                 "amount", "maximum", "completed_on", "claimed_at", "time_recorded_minutes",
                 "retain_until"]


def claim_rows(claims: Iterable[CreditClaim]) -> Iterator[list[str]]:
    """The header, then one row per claim."""
    yield CLAIM_COLUMNS
    for c in claims:
        yield [c.uid, c.learner_name, c.learner_email or "", PROFESSIONS[c.profession].label,
               c.activity_title, c.activity_key, c.provider, c.release.isoformat(),
               c.expires.isoformat(), c.credit_type, c.designation["name"],
               hundredths(c.amount), hundredths(c.designation["maximum"]),
               c.completed_at.date().isoformat(), c.claimed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
               str(c.seconds_recorded // 60), c.retain_until.isoformat()]


# The learner fields of ACCME's PARS learner upload (a provider maps activity_id to the
# activity's PARS ID when uploading).
PARS_COLUMNS = ["activity_id", "activity_title", "first_name", "last_name", "board",
                "board_id", "birth_month", "birth_day", "completion_date", "credits_earned"]


def split_name(name: str) -> tuple[str, str]:
    """A single name field as first and last name: the last word is the last name."""
    first, _, last = name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def pars_rows(claims: Iterable[CreditClaim],
              profiles: dict[int, CreditProfile]) -> Iterator[list[str]]:
    """AMA PRA Category 1 claims of physicians who consented, one row each."""
    yield PARS_COLUMNS
    for c in claims:
        profile = profiles.get(c.user_id)
        if c.credit_type != "ama" or profile is None:
            continue
        first, last = split_name(c.learner_name)
        yield [c.activity_key, c.activity_title, first, last, profile.board or "",
               profile.board_id or "", str(profile.birth_month), str(profile.birth_day),
               c.completed_at.date().isoformat(), hundredths(c.amount)]
