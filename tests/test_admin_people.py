"""An administrator's journey: making leads of departments, correcting an address, sending a
reset, and reading the audit log by who, what and when (issue 17, Admin)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.auth.models import Role, User
from champion.database import utcnow
from champion.departments.models import Department
from champion.departments.operations import leads
from champion.extensions import db
from tests.helpers import client_for, csrf_token, mailed_link, make_user, post


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_making_someone_a_lead_asks_which_departments(app, admin, learner, department):
    other = Department(slug="onc-surg", name="Oncologic Surgery")
    db.session.add(other)
    db.session.commit()
    client = client_for(app, admin)
    page = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "Departments they lead" in page and "Oncologic Surgery" in page

    refused = post(client, f"/admin/people/{learner.id}/role", {"role": "lead"})
    assert refused.status_code == 422
    assert f"Choose the department(s) {learner.name} will lead" in refused.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(User, learner.id).role == "learner"

    done = post(client, f"/admin/people/{learner.id}/role",
                {"role": "lead", "departments": [str(other.id)]})
    assert done.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, learner.id)
    assert user.role == "lead" and leads(user, other) and not leads(user, department)
    assert [e.summary for e in events("lead.add")] == [
        f"{user.email} now leads Oncologic Surgery"]


def test_an_admin_corrects_an_address_under_the_one_email_rule(app, admin, learner, smtp):
    make_user(Role.LEARNER, email="taken@example.org")
    client = client_for(app, admin)
    url = f"/admin/people/{learner.id}/email"
    bad = post(client, url, {"email": "someone@clinic.test"})
    assert bad.status_code == 422 and "Enter a valid email address" in bad.get_data(as_text=True)
    assert 'value="someone@clinic.test"' in bad.get_data(as_text=True)  # kept as typed
    taken = post(client, url, {"email": "Taken@Example.org"})
    assert taken.status_code == 422
    assert "Another account already has the email taken@example.org" in taken.get_data(
        as_text=True)

    old = learner.email
    assert post(client, url, {"email": "Ann.Lee@Example.org"}).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, learner.id)
    assert user.email == "ann.lee@example.org" and not user.email_verified
    (event,) = events("user.email")
    assert event.actor_id == admin.id and event.detail == {"previous": old,
                                                           "email": "ann.lee@example.org"}
    recipients = [m for m in smtp.messages if f"To: {old}" in m]
    assert recipients and "changed the email address" in recipients[0]
    assert mailed_link(next(m for m in smtp.messages if "To: ann.lee@example.org" in m),
                       "/auth/verify/")


def test_an_admin_sends_a_reset_to_an_active_account_only(app, admin, learner, smtp):
    client = client_for(app, admin)
    assert "Send a password reset" in client.get(f"/admin/people/{learner.id}").get_data(
        as_text=True)
    post(client, f"/admin/people/{learner.id}/reset")
    assert any(f"To: {learner.email}" in m and "Reset your Champion password" in m
               for m in smtp.messages)
    (event,) = events("auth.reset_requested")
    assert event.actor_id == admin.id

    post(client, f"/admin/people/{learner.id}/active", {"confirm": "yes"})  # deactivated
    sent = len(smtp.messages)
    page = post(client, f"/admin/people/{learner.id}/reset", follow_redirects=True)
    assert "Only an active account" in page.get_data(as_text=True)
    assert len(smtp.messages) == sent


def test_who_is_shown_honestly(app, admin, learner):
    anonymous = app.test_client()
    token = csrf_token(anonymous, "/auth/login")
    anonymous.post("/auth/login", data={"csrf_token": token, "email": learner.email,
                                        "password": "wrong password here"})
    token = csrf_token(anonymous, "/auth/forgot")
    anonymous.post("/auth/forgot", data={"csrf_token": token, "email": learner.email})
    (reset,) = events("auth.reset_requested")
    assert reset.actor_id is None  # anyone can type an address: not the owner's doing
    page = client_for(app, admin).get("/admin/audit").get_data(as_text=True)
    assert "Someone not signed in (web)" in page and "Command line" not in page


def test_roster_attribution_only_for_rosters(app, lead, department):
    client = client_for(app, lead)
    post(client, f"/team/{department.slug}/members",
         {"email": "one@example.org", "name": "One Person"})
    post(client, f"/team/{department.slug}/members/import",
         {"roster": (io.BytesIO(b"email,name\ntwo@example.org,Two Person\n"), "r.csv")},
         content_type="multipart/form-data")
    summaries = [e.summary for e in events("member.add")]
    assert summaries == [f"one@example.org joined {department.name} (added by a lead)",
                         f"two@example.org joined {department.name} (roster import)"]


def test_the_audit_log_filters_by_who_what_when_and_words_and_exports_them(
        app, admin, learner, educator):
    client = client_for(app, admin)
    post(client, f"/admin/people/{learner.id}/name", {"name": "Dr Ann Lee"})
    post(client, f"/admin/people/{educator.id}/role", {"role": "learner"})
    old = AuditEvent(actor_id=admin.id, action="user.rename", target_type="user",
                     target_id=learner.id, summary="an old rename",
                     created_at=utcnow() - timedelta(days=40))
    db.session.add(old)
    db.session.commit()

    def shown(**args) -> str:
        return client.get("/admin/audit", query_string=args).get_data(as_text=True)

    by_action = shown(action="user.rename")
    assert "name Test Learner → Dr Ann Lee" in by_action and "role educator" not in by_action
    # The "what" choices read as words; their values stay the action names.
    assert '<option value="user.rename" selected>Account: rename</option>' in by_action
    assert "role educator → learner" in shown(action="user")
    assert "role educator" not in shown(who=learner.name)
    assert "Dr Ann Lee" in shown(who=admin.email)
    recent = shown(since=(utcnow() - timedelta(days=7)).date().isoformat())
    assert "an old rename" not in recent and "Dr Ann Lee" in recent
    assert "an old rename" in shown(until=(utcnow() - timedelta(days=30)).date().isoformat())
    assert "role educator" in shown(q="educator") and "Dr Ann Lee" not in shown(q="educator")
    assert "Nothing recorded matches these filters" in shown(q="no such words")

    response = client.get("/admin/audit.csv", query_string={"action": "user.rename"})
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["summary"] for r in rows] == [
        f"{learner.email}: name Test Learner → Dr Ann Lee", "an old rename"]
    assert rows[0]["who"] == admin.name and rows[0]["who_email"] == admin.email
