"""Parsing rosters: pure; a bad row is named by its number."""

from champion.departments.roster import parse_roster


def test_a_good_roster_with_an_extra_column():
    roster = parse_roster('\ufeffEmail,Name,Role title\nAnn@Example.org,Ann Lee,RN\n\n'
                          '"b@example.org","Boyd, Sam",Fellow\n')
    assert roster.errors == []
    assert roster.warnings == ["row 1: column 'Role title' is ignored"]
    assert [(r.row, r.email, r.name) for r in roster.rows] == [
        (2, "ann@example.org", "Ann Lee"), (4, "b@example.org", "Boyd, Sam")]


def test_every_bad_row_is_named():
    roster = parse_roster("name,email\nAnn,ann@example.org\nBob,not-an-email\n,c@example.org\n"
                          "Ann again,ANN@example.org\nDee,\n")
    assert roster.errors == [
        "row 3: 'not-an-email' is not a valid email address (an email address must have an "
        "@-sign)",
        "row 4: missing name",
        "row 5: ann@example.org is a duplicate of row 2",
        "row 6: missing email",
    ]
    assert [r.row for r in roster.rows] == [2]


def test_header_problems():
    assert parse_roster("").errors == [
        "row 1: the roster is empty; the first row must be: email,name"]
    assert parse_roster("mail,fullname\na@b.org,A\n").errors == [
        "row 1: the header must name the columns email and name (missing: email, name); "
        "found 'mail', 'fullname', read as separated by commas"]
    assert parse_roster("email,name\n").errors == [
        "the roster has no learners: add rows of email,name under the header"]


def test_row_numbers_count_file_lines_even_with_quoted_newlines():
    roster = parse_roster('email,name\na@example.org,"Ann\nLee"\nbad,Bob\n')
    assert roster.errors == [
        "row 4: 'bad' is not a valid email address (an email address must have an @-sign)"]


def test_semicolons_and_tabs_are_read_and_every_row_is_accounted_for():
    for separator in (";", "\t"):
        roster = parse_roster(f"Email{separator}Name\nann@example.org{separator}Lee, Ann\n\n"
                              f"bob@example.org{separator}Bob Brown\n")
        assert roster.errors == []
        assert [(r.email, r.name) for r in roster.rows] == [
            ("ann@example.org", "Lee, Ann"), ("bob@example.org", "Bob Brown")]
        assert (roster.read, roster.blank) == (3, 1)
    # A one-column file says what it found, so a wrong separator can be seen.
    assert parse_roster("email|name\na@example.org|A\n").errors == [
        "row 1: the header must name the columns email and name (missing: email, name); "
        "found 'email|name', read as separated by commas"]
