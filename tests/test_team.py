"""The lead dashboard: scope, numbers, exports, and a query count independent of team size."""

from __future__ import annotations

import csv
import io
import re

import pytest
from werkzeug.routing import Rule

from champion.auth.models import Role
from champion.departments.models import Department, DepartmentInvite
from champion.extensions import db
from tests.helpers import client_for, complete_module, csrf_token, make_user, open_module


@pytest.fixture
def team(app, synced, department, lead):
    """gyn-onc: Ann holds the badge, Bob is part-way, Cat hasn't started.
    onc-surg: another department with its own lead and learner."""
    ann = make_user(Role.LEARNER, email="ann@example.org", department=department)
    bob = make_user(Role.LEARNER, email="bob@example.org", department=department)
    cat = make_user(Role.LEARNER, email="cat@example.org", department=department)
    ann.name, bob.name, cat.name = "Ann Adams", "Bob Brown", "Cat Cole"
    db.session.commit()
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(ann, "basics", slug)
    complete_module(bob, "basics", "first-steps")
    open_module(bob, "basics", "second-steps")
    other = Department(slug="onc-surg", name="Oncologic Surgery")
    db.session.add(other)
    db.session.commit()
    other_lead = make_user(Role.LEAD, email="other.lead@example.org", department=other)
    outsider = make_user(Role.LEARNER, email="outsider@example.org", department=other)
    complete_module(outsider, "basics", "first-steps")
    invite = DepartmentInvite(department=department, created_by=lead)
    db.session.add(invite)
    db.session.commit()
    return {"ann": ann, "bob": bob, "cat": cat, "other_lead": other_lead,
            "outsider": outsider, "invite": invite, "department": department}


def team_requests(app, team) -> list[tuple[str, str]]:
    """Every /team/ route of the app, as (method, URL) for the gyn-onc department."""
    values = {"slug": "gyn-onc", "user_id": team["bob"].id, "invite_id": team["invite"].id}
    found = []
    rule: Rule
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("team."):
            continue
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    token_page = "/auth/logout"
    token = csrf_token(client, token_page) if client.get(token_page).status_code == 200 else \
        csrf_token(client, "/auth/login")
    return client.post(url, data={"csrf_token": token})


def test_every_team_url_is_scoped_to_the_departments_a_lead_leads(app, team, lead, admin):
    routes = team_requests(app, team)
    assert len(routes) >= 11  # dashboard, two CSVs, members, add, import, remove, link, invites
    anonymous = client_for(app)
    learner = client_for(app, team["ann"])
    other_lead = client_for(app, team["other_lead"])
    for method, url in routes:
        if url == "/team/":
            assert learner.get(url).status_code == 403
            continue
        assert request(anonymous, method, url).status_code == 302, (method, url)
        assert request(learner, method, url).status_code == 403, (method, url)
        assert request(other_lead, method, url).status_code == 404, (method, url)
    own_lead, admin_client = client_for(app, lead), client_for(app, admin)
    for method, url in routes:
        if method == "GET" and url != "/team/":
            assert own_lead.get(url).status_code == 200, url
            assert admin_client.get(url).status_code == 200, url
    assert own_lead.get("/team/").status_code == 302  # straight to the one department
    assert admin_client.get("/team/").status_code == 200


def test_the_dashboard_shows_the_teams_real_progress(app, team, lead):
    page = client_for(app, lead).get("/team/gyn-onc/").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "3 members" in text and "1 badge holders" in text and "1 not started" in text
    assert "Ann Adams" in page and "Bob Brown" in page and "Cat Cole" in page
    assert "outsider@example.org" not in page  # another department's learner
    matrix = page[page.index('class="table matrix"'):]
    rows = {re.search(r"([A-Z][a-z]+ [A-Z][a-z]+)", row)[1]: row
            for row in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", matrix, re.S)}
    columns = re.findall(r'<abbr title="[^"]*: ([^"]+)">', page)
    def cell(name, module):
        cells = re.findall(r'<td class="cell cell-\w+">(.*?)</td>', rows[name])
        return " ".join(re.sub(r"<[^>]+>", " ", cells[columns.index(module)]).split())
    assert cell("Ann Adams", "First steps") == "✓ Complete 100%"
    assert cell("Bob Brown", "Second steps") == "◐ In progress"
    assert cell("Cat Cole", "A reading") == "— Not started"
    assert "The Basics 1 of 3" in text  # only Ann completed every required module
    assert "<svg" in page and "Module completions per week" in page


def test_filters_sort_and_search(app, team, lead):
    client = client_for(app, lead)

    def names(query: str) -> list[str]:
        page = client.get(f"/team/gyn-onc/?{query}").get_data(as_text=True)
        return re.findall(r'<th scope="row"><a href="/team/gyn-onc/people/\d+">'
                          r'([A-Z][a-z]+ [A-Z][a-z]+)</a><br>', page)

    assert names("") == ["Ann Adams", "Bob Brown", "Cat Cole"]
    assert names("status=not_started") == ["Cat Cole"]
    # Across all series the status counts what the badge requires (the basics), so Ann,
    # who holds the badge, is complete; the extras series is shown beside it, not counted.
    assert names("status=in_progress") == ["Bob Brown"]
    assert names("status=complete") == ["Ann Adams"]
    assert names("series=basics&status=complete") == ["Ann Adams"]
    assert names("series=basics&status=in_progress") == ["Bob Brown"]
    assert names("q=bro") == ["Bob Brown"]
    assert names("q=%25") == []  # a literal %, not a wildcard
    assert names("sort=progress") == ["Ann Adams", "Bob Brown", "Cat Cole"]
    assert names("series=extras&status=not_started") == ["Ann Adams", "Bob Brown", "Cat Cole"]
    assert names("status=nonsense") == ["Ann Adams", "Bob Brown", "Cat Cole"]


def test_the_csv_and_the_command_line_report_agree(app, team, lead, runner):
    web = client_for(app, lead).get("/team/gyn-onc/matrix.csv")
    assert web.mimetype == "text/csv"
    cli = runner.invoke(args=["report", "completion", "--department", "gyn-onc"])
    assert cli.exit_code == 0
    assert web.get_data() == cli.stdout_bytes  # byte for byte, RFC 4180 line ends too
    rows = list(csv.DictReader(io.StringIO(cli.output)))
    assert [r["name"] for r in rows] == ["Ann Adams", "Bob Brown", "Cat Cole"]
    ann, bob, cat = rows
    assert ann["status"] == "Complete"  # everything the badge requires
    assert (ann["required_completed"], ann["required_total"]) == ("3", "3")
    assert ann["badge_awarded_at"]
    assert bob["basics/first-steps"] == "Complete" and bob["basics/first-steps best score"] == "100"
    assert bob["basics/second-steps"] == "In progress"
    assert cat["status"] == "Not started" and cat["last_activity"] == ""
    everyone = runner.invoke(args=["report", "completion"]).output
    assert "outsider@example.org" in everyone and everyone.count("\n") == 5


def test_badge_holders_csv(app, team, lead):
    text = client_for(app, lead).get("/team/gyn-onc/badges.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["email"] for r in rows] == ["ann@example.org"]
    assert rows[0]["verification_url"].startswith("https://champion.test/badges/assertions/")


HOSTILE_NAMES = {"ann": "\t=HYPERLINK(\"http://evil\")", "bob": "\r@SUM(A1:A9)",
                 "cat": "-2+3"}


def test_csv_cells_cannot_run_as_spreadsheet_formulas(app, team, lead, runner):
    """Every team export (completion matrix, its command-line twin, badge holders) guards
    names starting with = + - @, a tab or a carriage return."""
    for key, name in HOSTILE_NAMES.items():
        team[key].name = name
    db.session.commit()
    client = client_for(app, lead)
    matrix = client.get("/team/gyn-onc/matrix.csv").get_data(as_text=True)
    report = runner.invoke(args=["report", "completion", "--department", "gyn-onc"]).output
    badges = client.get("/team/gyn-onc/badges.csv").get_data(as_text=True)
    for export in (matrix, report):
        names = {r["name"] for r in csv.DictReader(io.StringIO(export))}
        assert names == {"'" + name for name in HOSTILE_NAMES.values()}, names
    holders = [r["name"] for r in csv.DictReader(io.StringIO(badges))]
    assert holders == ["'" + HOSTILE_NAMES["ann"]]


def test_a_lead_of_one_department_lands_on_it(app, team, lead, admin):
    assert client_for(app, lead).get("/team/").headers["Location"] == "/team/gyn-onc/"
    page = client_for(app, admin).get("/team/").get_data(as_text=True)
    assert "Gynecologic Oncology" in page and "Oncologic Surgery" in page
