"""The credit certificate of one claim and the learner's transcript, as PDFs drawn with the
badge certificate's helpers (one PDF layer for the platform)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from champion.badges.certificate import (
    INK,
    MUTED,
    TEAL,
    centred,
    new_document,
    recorded,
    verification_block,
)
from champion.content.credit import hundredths
from champion.credit.models import CreditClaim
from champion.credit.professions import PROFESSIONS


def _day(value) -> str:
    return value.strftime("%-d %B %Y")


def claim_certificate_pdf(claim: CreditClaim, *, verify_url: str) -> bytes:
    accreditation, designation = claim.statements
    name = claim.designation["name"]
    pdf = new_document(f"{claim.activity_title}: {name} for {claim.learner_name}",
                       claim.provider)
    pdf.set_y(22)
    centred(pdf, claim.provider.upper(), size=11, style="B", colour=TEAL, height=6)
    pdf.ln(6)
    centred(pdf, "Certificate of Credit", size=26, style="B", font="Serif", colour=TEAL,
            height=12)
    pdf.ln(6)
    centred(pdf, "This certifies that", size=12, colour=MUTED)
    centred(pdf, claim.learner_name, size=22, style="B", font="Serif", height=11)
    centred(pdf, f"{PROFESSIONS[claim.profession].label}, participated in the enduring "
            "activity", size=12, colour=MUTED)
    centred(pdf, claim.activity_title, size=16, style="B", colour=TEAL, height=8)
    pdf.ln(2)
    centred(pdf, f"and claimed {hundredths(claim.amount)} {name}", size=14, style="B")
    pdf.ln(4)
    pdf.set_text_color(*INK)
    pdf.set_font("Sans", "", 10)
    for label, value in (("Activity released", _day(claim.release)),
                         ("Activity expires", _day(claim.expires)),
                         ("Completed", _day(claim.completed_at)),
                         ("Credit claimed", _day(claim.claimed_at)),
                         ("Time recorded on the modules", recorded(claim.seconds_recorded))):
        pdf.cell(0, 5.5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _statements(pdf, accreditation, designation)
    verification_block(pdf, verify_url, "Verify this claim",
                       f"Issued for {claim.provider}, the accredited provider of this activity, "
                       "which keeps the record of this claim for six years after the activity.")
    return bytes(pdf.output())


def _statements(pdf, accreditation: str, designation: str) -> None:
    for heading, text in (("Accreditation", accreditation), ("Credit designation", designation)):
        pdf.set_text_color(*INK)
        pdf.set_font("Sans", "B", 10)
        pdf.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Sans", "", 9)
        pdf.multi_cell(0, 4.8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


@dataclass(frozen=True)
class TranscriptBadge:
    name: str
    awarded_at: datetime
    status: str  # "valid", "expired" or "revoked"


def transcript_pdf(*, name: str, claims: list[CreditClaim], badges: list[TranscriptBadge],
                   issuer: str, generated_at: datetime) -> bytes:
    pdf = new_document(f"Transcript of {name}", issuer)
    pdf.set_y(22)
    centred(pdf, issuer.upper(), size=11, style="B", colour=TEAL, height=6)
    pdf.ln(4)
    centred(pdf, "Continuing Education Transcript", size=22, style="B", font="Serif",
            colour=TEAL, height=11)
    centred(pdf, name, size=16, style="B", height=9)
    centred(pdf, f"As of {_day(generated_at)}", size=10, colour=MUTED)
    pdf.ln(4)
    pdf.set_text_color(*INK)
    pdf.set_font("Sans", "B", 12)
    pdf.cell(0, 7, "Credit claimed", new_x="LMARGIN", new_y="NEXT")
    if not claims:
        pdf.set_font("Sans", "", 10)
        pdf.cell(0, 6, "No credit claimed yet.", new_x="LMARGIN", new_y="NEXT")
    for claim in claims:
        pdf.set_font("Sans", "B", 10)
        pdf.multi_cell(0, 5.5, f"{claim.activity_title}: {hundredths(claim.amount)} "
                       f"{claim.designation['name']}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Sans", "", 9)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 4.8, f"{claim.provider}. Completed {_day(claim.completed_at)}; "
                       f"claimed {_day(claim.claimed_at)}; activity available "
                       f"{_day(claim.release)} to {_day(claim.expires)}.",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        _statements(pdf, *claim.statements)
    pdf.set_text_color(*INK)
    pdf.set_font("Sans", "B", 12)
    pdf.cell(0, 7, "Badges", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sans", "", 10)
    if not badges:
        pdf.cell(0, 6, "No badges yet.", new_x="LMARGIN", new_y="NEXT")
    for badge in badges:
        pdf.multi_cell(0, 5.5, f"{badge.name}: awarded {_day(badge.awarded_at)}"
                       f"{'' if badge.status == 'valid' else f' ({badge.status})'}",
                       new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
