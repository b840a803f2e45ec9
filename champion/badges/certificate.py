"""The certificate of completion, as a PDF drawn on the server."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF

from champion.filters import minutes as duration

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"


@dataclass(frozen=True)
class CompletedModule:
    series: str
    title: str
    minutes: int  # the module's stated (nominal) duration
    seconds_spent: int = 0  # time the learner had it on screen, as recorded


def recorded(seconds: int) -> str:
    """Recorded time as a person reads it; a dash when under a minute was recorded."""
    return duration(seconds // 60) if seconds >= 60 else "—"


def time_statement(modules: list[CompletedModule]) -> str:
    """What the certificate says of time: the nominal duration and the recorded time, each
    named for what it is. Nominal time is never presented as instruction received."""
    nominal = sum(m.minutes for m in modules)
    spent = sum(m.seconds_spent for m in modules)
    return (f"Nominal duration of the modules completed: {duration(nominal)}; "
            f"time recorded: {recorded(spent) if spent >= 60 else 'none'}")


TEAL, INK, MUTED = (31, 95, 107), (29, 42, 51), (85, 100, 111)


def new_document(title: str, author: str) -> FPDF:
    """An A4 portrait PDF with the platform's fonts and a framed first page: what every
    certificate and transcript starts from."""
    pdf = FPDF(orientation="portrait", format="A4")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_font("Sans", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("Sans", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("Serif", "B", str(FONTS / "DejaVuSerif-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_draw_color(*TEAL)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 194, 281)
    return pdf


def centred(pdf: FPDF, text: str, *, size: float, style: str = "", font: str = "Sans",
            colour: tuple[int, int, int] = INK, height: float = 7) -> None:
    """A centred paragraph."""
    pdf.set_text_color(*colour)
    pdf.set_font(font, style, size)
    pdf.multi_cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def verification_block(pdf: FPDF, verify_url: str, heading: str, note: str) -> None:
    """A QR code of ``verify_url`` with the link and ``note`` beside it, low on the page."""
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    y = max(pdf.get_y() + 6, 222)
    if y > 240:
        pdf.add_page()
        y = 30
    pdf.image(qr, x=20, y=y, w=38, h=38)
    pdf.set_xy(64, y + 4)
    pdf.set_text_color(*INK)
    pdf.set_font("Sans", "B", 10)
    pdf.cell(0, 5, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(64)
    pdf.set_font("Sans", "", 9)
    pdf.set_text_color(*TEAL)
    # Broken only after its last "/", never inside the credential id a reader types in.
    lines = [verify_url] if pdf.get_string_width(verify_url) <= 124 else \
        [verify_url[:verify_url.rindex("/") + 1], verify_url[verify_url.rindex("/") + 1:]]
    for line in lines:
        pdf.set_x(64)
        pdf.cell(126, 5, line, link=verify_url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_x(64)
    pdf.set_font("Sans", "", 8)
    pdf.multi_cell(126, 4, note, new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(
    *,
    name: str,
    badge: str,
    description: str,
    modules: list[CompletedModule],
    awarded_at: datetime,
    expires_at: datetime | None,
    issuer: str,
    verify_url: str,
) -> bytes:
    pdf = new_document(f"{badge}: certificate of completion for {name}", issuer)
    teal, ink, muted = TEAL, INK, MUTED

    pdf.set_y(22)
    centred(pdf, issuer.upper(), size=11, style="B", colour=teal, height=6)
    pdf.ln(6)
    centred(pdf, "Certificate of Completion", size=26, style="B", font="Serif", colour=teal,
            height=12)
    pdf.ln(6)
    centred(pdf, "This certifies that", size=12, colour=muted)
    centred(pdf, name, size=22, style="B", font="Serif", height=11)
    centred(pdf, "has completed the requirements of", size=12, colour=muted)
    centred(pdf, badge, size=16, style="B", colour=teal, height=8)
    pdf.ln(2)
    centred(pdf, description, size=10, height=5)
    pdf.ln(4)

    with pdf.table(col_widths=(118, 22, 26), text_align=("LEFT", "RIGHT", "RIGHT"),
                   line_height=5.5, first_row_as_headings=True,
                   borders_layout="HORIZONTAL_LINES") as table:
        heading = table.row()
        pdf.set_font("Sans", "B", 9)
        heading.cell("Module completed")
        heading.cell("Nominal")
        heading.cell("Recorded")
        pdf.set_font("Sans", "", 9)
        for module in modules:
            row = table.row()
            row.cell(f"{module.title} ({module.series})")
            row.cell(duration(module.minutes))
            row.cell(recorded(module.seconds_spent))
    pdf.ln(3)
    pdf.set_font("Sans", "B", 10)
    pdf.multi_cell(0, 5.5, time_statement(modules) + ".", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sans", "", 9)
    pdf.set_text_color(*muted)
    pdf.multi_cell(0, 5, "Recorded time is how long each module was open on the learner's "
                   "screen, as the platform measured it; it is not a claim of credit.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*ink)
    pdf.set_font("Sans", "", 11)
    pdf.cell(0, 6, f"Completed: {awarded_at.strftime('%-d %B %Y')}", new_x="LMARGIN",
             new_y="NEXT")
    if expires_at is not None:
        pdf.cell(0, 6, f"Valid until: {expires_at.strftime('%-d %B %Y')}", new_x="LMARGIN",
                 new_y="NEXT")

    verification_block(
        pdf, verify_url, "Verify this certificate",
        f"Issued by {issuer}. This certificate records completion of an educational programme. "
        "The times it states are not continuing medical education credit unless an accredited "
        "provider has awarded it.")
    return bytes(pdf.output())
