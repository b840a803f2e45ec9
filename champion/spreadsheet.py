"""CSV for spreadsheets: every export is written here, so no cell can run as a formula.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
some also act on a leading tab or carriage return (OWASP, "CSV Injection"). Such a text
cell gets a leading single quote, which spreadsheets show as text. Plain numbers
(``-0.250``) are data, not formulas, and stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def to_csv(rows: Iterable[Iterable[object]]) -> str:
    """The rows as CSV text, every cell through :func:`safe_cell`."""
    buffer = io.StringIO()
    # RFC 4180 line ends: the writer then quotes any cell holding a carriage return or a
    # newline, so such a cell can't end its row early and start a new one.
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
