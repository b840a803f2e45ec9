"""The one CSV formula guard every export writes through."""

from __future__ import annotations

import csv
import io

import pytest

from champion.spreadsheet import safe_cell, to_csv


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-",
                                  "=HYPERLINK(\"http://evil\")"])
def test_formula_triggers_are_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["", "Ann Adams", "a = b", "-0.250", "-3", "100", 7, None])
def test_text_and_plain_numbers_are_left_alone(value):
    assert safe_cell(value) == ("" if value is None else str(value))


def test_rows_round_trip_through_a_csv_reader():
    rows = [["name", "score"], ["=cmd|' /C calc'!A0", -0.5], ['a "quote", comma', 3],
            ["\r@SUM(A1)", "line\nbreak"]]
    text = to_csv(rows)
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["name", "score"], ["'=cmd|' /C calc'!A0", "-0.5"], ['a "quote", comma', "3"],
        ["'\r@SUM(A1)", "line\nbreak"]]
