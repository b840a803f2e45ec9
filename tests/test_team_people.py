"""A lead's journey: counts that agree with the badge, deactivated people left out and
marked, a CSV that is the page, a page per person, rosters from any spreadsheet, and
invites that expire and run out (issue 17, Lead)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from champion.auth.models import Role
from champion.departments.models import Department, DepartmentInvite
from champion.extensions import db
from tests.helpers import (
    FAIL_FIRST,
    PASS_FIRST,
    client_for,
    complete_module,
    make_user,
    post,
    submit,
)


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.fixture
def people(app, synced, department, lead):
    """Ann holds the badge (the basics) but not the extras; Bob tried a quiz twice;
    Dee is deactivated; Olga is in another department."""
    ann = make_user(Role.LEARNER, email="ann@example.org", department=department)
    bob = make_user(Role.LEARNER, email="bob@example.org", department=department)
    dee = make_user(Role.LEARNER, email="dee@example.org", department=department)
    other = Department(slug="onc-surg", name="Oncologic Surgery")
    db.session.add(other)
    db.session.commit()
    olga = make_user(Role.LEARNER, email="olga@example.org", department=other)
    ann.name, bob.name, dee.name, olga.name = "Ann Adams", "Bob Brown", "Dee Dunn", "Olga Ott"
    db.session.commit()
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(ann, "basics", slug)
    complete_module(dee, "basics", "first-steps")
    bob_client = client_for(app, bob)
    submit(bob_client, "basics", "first-steps", FAIL_FIRST)
    submit(bob_client, "basics", "first-steps", PASS_FIRST)
    dee.active = False
    db.session.commit()
    return {"ann": ann, "bob": bob, "dee": dee, "olga": olga}


def test_the_numbers_count_what_the_badge_requires_without_the_deactivated(
        app, people, lead):
    page = text(client_for(app, lead).get("/team/gyn-onc/"))
    assert "2 members" in page  # Dee is deactivated
    assert "1 completed what the badge requires" in page  # Ann, who holds it
    assert "1 deactivated account is left out of every number and list here" in page
    assert "Dee Dunn" not in page
    assert "Toward the badge" in page and "not counted" in page  # the extras, beside it
    assert re.search(r"Ann Adams ann@example.org Complete 3/3", page)
    assert "Modules completed per week" in page
    chart = client_for(app, lead).get("/team/gyn-onc/").get_data(as_text=True)
    assert ">Modules completed</text>" in chart and ">Week starting (Monday)</text>" in chart

    members = text(client_for(app, lead).get("/team/gyn-onc/members"))
    assert re.search(r"Dee Dunn dee@example.org .* Deactivated not counted on the dashboard",
                     members)


def test_a_learner_who_only_did_other_series_has_not_started_toward_the_badge(
        app, people, lead, department):
    extra = make_user(Role.LEARNER, email="eli@example.org", department=department)
    extra.name = "Eli Extra"
    db.session.commit()
    complete_module(extra, "extras", "figure")
    page = text(client_for(app, lead).get("/team/gyn-onc/"))
    assert re.search(r"Eli Extra eli@example.org Not started 0/3", page)
    assert "1 not started" in page  # Eli; Ann is done and Bob has begun
    extras = text(client_for(app, lead).get("/team/gyn-onc/?series=extras"))
    assert re.search(r"Eli Extra eli@example.org Complete 1/1", extras)


def test_the_csv_is_what_the_page_shows(app, people, lead):
    client = client_for(app, lead)
    page = client.get("/team/gyn-onc/?status=in_progress&sort=name").get_data(as_text=True)
    link = re.search(r'href="(/team/gyn-onc/matrix.csv[^"]*)"', page)[1].replace("&amp;", "&")
    rows = list(csv.DictReader(io.StringIO(client.get(link).get_data(as_text=True))))
    shown = re.findall(r'people/\d+">([^<]+)</a>', page)
    assert [r["name"] for r in rows] == shown == ["Bob Brown"]
    everyone = client.get("/team/gyn-onc/matrix.csv").get_data(as_text=True)
    assert "Ann Adams" in everyone and "Dee Dunn" not in everyone


def test_a_page_per_person(app, people, lead, admin):
    client = client_for(app, lead)
    dashboard = client.get("/team/gyn-onc/").get_data(as_text=True)
    bob_url = f"/team/gyn-onc/people/{people['bob'].id}"
    assert f'href="{bob_url}"' in dashboard
    page = text(client.get(bob_url))
    assert "Bob Brown" in page and "member of Gynecologic Oncology since" in page
    assert "1 of 3 modules toward the badge completed" in page
    assert "2 quiz attempts" in page and "Not passed" in page and "Passed" in page
    assert "No badge yet: 2 modules to go" in page
    ann = text(client.get(f"/team/gyn-onc/people/{people['ann'].id}"))
    assert "Basics Graduate — earned" in ann and "3 of 3 modules toward the badge" in ann
    dee = text(client.get(f"/team/gyn-onc/people/{people['dee'].id}"))
    assert "Deactivated : left out of the department's numbers" in dee
    # Not a member of the lead's department, or another lead's department: 404 alike.
    assert client.get(f"/team/gyn-onc/people/{people['olga'].id}").status_code == 404
    assert client.get(f"/team/onc-surg/people/{people['olga'].id}").status_code == 404
    assert client.get(f"/team/gyn-onc/people/{lead.id}").status_code == 404
    assert client_for(app, admin).get(
        f"/team/onc-surg/people/{people['olga'].id}").status_code == 200


def test_a_semicolon_roster_is_imported_and_every_row_accounted_for(app, people, lead):
    roster = "email;name\nnew@example.org;Nia New\n\nann@example.org;Ann Adams\n"
    response = post(client_for(app, lead), "/team/gyn-onc/members/import",
                    {"roster": (io.BytesIO(roster.encode()), "roster.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 200
    assert ("The roster had 3 rows under its header: 1 new account, 0 existing accounts "
            "asked to join, 1 already member, 1 blank row skipped.") in text(response)


def test_invites_expire_and_run_out(app, people, lead):
    client = client_for(app, lead)
    form = text(client.get("/team/gyn-onc/members"))
    assert "Works for (days; 30 if empty)" in form
    assert "Up to this many people (leave empty for no limit)" in form
    post(client, "/team/gyn-onc/invites", {"days": "7", "max_uses": "2"})
    invite = db.session.query(DepartmentInvite).one()
    assert invite.max_uses == 2
    assert 6 <= (invite.expires_at - invite.created_at).days <= 7
    assert "0 of 2" in text(client.get("/team/gyn-onc/members"))
    refused = post(client, "/team/gyn-onc/invites", {"days": "999", "max_uses": "0"})
    assert refused.status_code == 422
    assert "Choose between 1 and 365 days." in text(refused)
    assert "Choose between 1 and 10000 people." in text(refused)
