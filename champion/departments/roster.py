"""Parsing a roster CSV (``email,name``): pure, every bad row named by its number.

Spreadsheets save "CSV" with commas, or with semicolons where the comma is the decimal
separator (much of Europe), or tabs: the header row says which, so all three are read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from champion.auth.emails import EmailAddressError, email_address

REQUIRED = ("email", "name")
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass(frozen=True)
class RosterRow:
    row: int  # the line of the CSV file (the header is row 1)
    email: str
    name: str


@dataclass
class Roster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blank: int = 0  # empty rows, skipped
    delimiter: str = ","

    @property
    def read(self) -> int:
        """Rows under the header, blank ones included: the summary accounts for each."""
        return len(self.rows) + self.blank


def delimiter_of(header: str) -> str:
    """The separator the header row uses: the one of , ; tab it has most of."""
    return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def parse_roster(text: str) -> Roster:
    text = text.lstrip("\ufeff")
    roster = Roster(delimiter=delimiter_of(text.split("\n", 1)[0]))
    reader = csv.reader(io.StringIO(text), delimiter=roster.delimiter)
    try:
        header = next(reader)
    except StopIteration:
        roster.errors.append("row 1: the roster is empty; the first row must be: email,name")
        return roster
    except csv.Error as exc:
        roster.errors.append(f"row 1: not readable as CSV ({exc})")
        return roster
    columns = [c.strip().lower() for c in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        roster.errors.append(
            f"row 1: the header must name the columns email and name (missing: "
            f"{', '.join(missing)}); found {', '.join(repr(c.strip()) for c in header)}, "
            f"read as separated by {DELIMITER_NAMES[roster.delimiter]}"
        )
        return roster
    for index, column in enumerate(columns):
        if column not in REQUIRED:
            shown = header[index].strip() or f"column {index + 1}"
            roster.warnings.append(f"row 1: column '{shown}' is ignored")
    email_at, name_at = columns.index("email"), columns.index("name")

    seen: dict[str, int] = {}
    try:
        for cells in reader:
            row = reader.line_num
            if not any(cell.strip() for cell in cells):
                roster.blank += 1
                continue
            raw_email = cells[email_at].strip() if email_at < len(cells) else ""
            name = cells[name_at].strip() if name_at < len(cells) else ""
            problems = []
            email = ""
            if not raw_email:
                problems.append("missing email")
            else:
                try:
                    email = email_address(raw_email)
                except EmailAddressError as exc:
                    problems.append(str(exc))
            if not name:
                problems.append("missing name")
            elif len(name) > 120:
                problems.append("name longer than 120 characters")
            if email and email in seen:
                problems.append(f"{email} is a duplicate of row {seen[email]}")
            for problem in problems:
                roster.errors.append(f"row {row}: {problem}")
            if email:
                seen.setdefault(email, row)
            if not problems:
                roster.rows.append(RosterRow(row, email, name))
    except csv.Error as exc:
        roster.errors.append(f"row {reader.line_num}: not readable as CSV ({exc})")
    if not roster.rows and not roster.errors:
        roster.errors.append("the roster has no learners: add rows of email,name under the header")
    return roster
