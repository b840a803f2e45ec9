"""The credit and disclosures a series designates in index.md: parsed, and every mistake
reported at its path:line by `champion modules check`."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from champion.content import load_content
from champion.content.credit import hundredths, parse_amount

CREDIT_CONTENT = Path(__file__).parent / "fixtures" / "credit-content"


@pytest.fixture
def credit_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CREDIT_CONTENT, target)
    return target


def edited(root: Path, old: str, new: str) -> list[str]:
    """The errors of the content once ``old`` in the credit series' index.md is ``new``."""
    index = root / "palliative-ce" / "index.md"
    text = index.read_text()
    assert old in text, old
    index.write_text(text.replace(old, new, 1))
    return [str(p) for p in load_content(root).errors]


def line_of(root: Path, needle: str) -> int:
    lines = (root / "palliative-ce" / "index.md").read_text().splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


def test_the_fixture_designates_two_credits_and_discloses():
    content = load_content(CREDIT_CONTENT)
    assert content.errors == []
    series = content.series[0]
    credit = series.credit
    assert credit.provider == "Example Society of Oncology"
    assert (credit.release, credit.expires) == (date(2025, 1, 15), date(2099, 1, 14))
    assert [(o.type, o.maximum) for o in credit.offers] == [("ama", 175), ("ancc", 175)]
    assert "jointly accredited" in credit.offers[1].accreditation  # shared by every type
    assert "1.75 AMA PRA Category 1 Credits™" in credit.offers[0].designation
    people = {p.name: p.relationships for p in series.disclosures.people}
    assert people == {"Dr. Ada Planner": (),
                      "Dr. Ben Faculty": ("Advisory board: Example Pharma (ended 2024)",)}
    assert series.disclosures.commercial_support == ()
    assert "mitigated" in series.disclosures.mitigation


def test_a_series_without_credit_is_as_before():
    from tests.helpers import FIXTURE_CONTENT

    assert all(s.credit is None and s.disclosures is None
               for s in load_content(FIXTURE_CONTENT).series)


@pytest.mark.parametrize(("old", "new", "at", "message"), [
    ("maximum: 1.75\n      designation: >\n        Example Society of Oncology designates "
     "this enduring", "maximum: 1.8\n      designation: >\n        Example Society of Oncology "
     "designates this enduring", "maximum: 1.8", "'ama' maximum must be in 0.25 increments"),
    ("maximum: 1.75", "maximum: lots", "maximum: lots", "'ama' maximum must be a number"),
    ("expires: 2099-01-14", "expires: 2024-01-14", "expires:", "credit expires (2024-01-14) on "
     "or before its release (2025-01-15)"),
    ("release: 2025-01-15", "release: soon", "release:", "credit release date must be a date"),
    ("- type: ancc", "- type: cme", "- type: cme", "credit type must be one of ama, ancc"),
    ("- type: ancc", "- type: ama", "- type: ama\n      maximum: 1.75\n      designation: >\n"
     "        Example Society of Oncology designates this activity",
     "credit type 'ama' is designated twice"),
    ("1.75 ANCC", "2 ANCC", "designation: >\n        Example Society of Oncology designates "
     "this activity",
     "'ancc' designation statement doesn't state the maximum 1.75"),
    ("  provider: Example Society of Oncology\n", "", "credit:",
     "missing credit provider"),
    ("  mitigation: >", "  mitigated: >", "disclosures:",
     "add 'mitigation', how it was mitigated"),
    ("      relationships: none", "      relationships: 42", "relationships: 42",
     "relationships of Dr. Ada Planner must be \"none\" or a list"),
    ("  commercial_support: none\n", "", "disclosures:", "commercial_support must be"),
])
def test_each_mistake_is_an_error_at_its_line(credit_dir, old, new, at, message):
    errors = edited(credit_dir, old, new)
    index = credit_dir / "palliative-ce" / "index.md"
    text = index.read_text()
    line = text[:text.index(at)].count("\n") + 1
    matching = [e for e in errors if message in e]
    assert matching, errors
    assert matching[0].startswith(f"palliative-ce/index.md:{line}: error: "), (matching, line)


def test_credit_needs_disclosures_and_a_badge_that_asks_the_evaluation(credit_dir):
    index = credit_dir / "palliative-ce" / "index.md"
    text = index.read_text()
    index.write_text(text[:text.index("disclosures:")] + text[text.index("---\nAn enduring"):])
    errors = [str(p) for p in load_content(credit_dir).errors]
    assert f"palliative-ce/index.md:{line_of(credit_dir, 'credit:')}: error: a series that " \
        "designates credit must disclose" in " ".join(errors)
    (credit_dir / "badges.yml").write_text("")
    errors = [str(p) for p in load_content(credit_dir).errors]
    assert any("designates credit but no badge in badges.yml names it" in e for e in errors)


def test_modules_check_reports_credit_problems_and_fails(app, runner, credit_dir):
    edited(credit_dir, "maximum: 1.75", "maximum: 1.6")
    result = runner.invoke(args=["modules", "check", str(credit_dir)])
    assert result.exit_code == 1
    assert (f"palliative-ce/index.md:{line_of(credit_dir, 'maximum: 1.6')}: error: 'ama' "
            "maximum must be in 0.25 increments, got 1.6") in result.output


@pytest.mark.parametrize(("text", "expected"), [
    ("1.75", 175), (2, 200), ("0.5", 50), ("1.755", None), ("x", None), (True, None),
    ("nan", None), ("-1", -100)])
def test_amounts_are_read_in_hundredths(text, expected):
    assert parse_amount(text) == expected


def test_amounts_are_written_as_people_write_them():
    assert [hundredths(n) for n in (175, 200, 50, 5)] == ["1.75", "2", "0.5", "0.05"]
