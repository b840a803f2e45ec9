"""The professions a learner may give, and the credit each may claim (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profession:
    code: str
    label: str
    credit_types: tuple[str, ...]  # CREDIT_TYPES codes this profession claims


PROFESSIONS: dict[str, Profession] = {p.code: p for p in (
    Profession("physician", "Physician (MD, DO)", ("ama", "ipce")),
    Profession("nurse", "Nurse (RN)", ("ancc", "ipce")),
    Profession("nurse_practitioner", "Nurse practitioner (APRN)", ("ancc", "ipce")),
    Profession("physician_assistant", "Physician assistant (PA)", ("aapa", "ipce")),
    Profession("pharmacist", "Pharmacist", ("acpe", "ipce")),
    Profession("social_worker", "Social worker", ("aswb", "ipce")),
    Profession("other", "Other health professional", ("ipce",)),
)}


def fits(profession: str | None, credit_type: str) -> bool:
    return profession in PROFESSIONS and credit_type in PROFESSIONS[profession].credit_types
