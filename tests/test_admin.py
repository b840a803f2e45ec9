"""Administration: people, roles, deactivation, departments, leads, and the audit log."""

from __future__ import annotations

from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.auth.models import User
from champion.departments.models import Department
from champion.departments.operations import leads
from champion.extensions import db
from tests.helpers import PASSWORD, client_for, csrf_token, login, post


def actions() -> list[str]:
    """Administrative actions, in order (sign-ins are audited too, but aren't these)."""
    return [a for a in db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
            if not a.startswith("auth.")]


def test_every_admin_url_is_for_admins_only(app, department, learner, lead, educator, admin):
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            values = {"user_id": learner.id, "slug": department.slug, "uid": "0" * 32,
                      "mapping_id": 1}
            urls.append((rule, rule.build({k: v for k, v in values.items()
                                           if k in rule.arguments})[1]))
    assert len(urls) >= 10
    for user in (learner, lead, educator):
        client = app.test_client()
        login(client, user)
        token = csrf_token(client, "/auth/logout")
        for rule, url in urls:
            response = client.get(url) if "GET" in rule.methods else client.post(
                url, data={"csrf_token": token})
            assert response.status_code == 403, (user.role, url)
    client = client_for(app, admin)
    for rule, url in urls:
        if "GET" in rule.methods:
            assert client.get(url).status_code == 200, url


def test_people_search_and_role_change_are_audited(app, admin, learner):
    client = client_for(app, admin)
    page = client.get("/admin/people?q=learner").get_data(as_text=True)
    assert learner.email in page and admin.email not in page
    response = post(client, f"/admin/people/{learner.id}/role", {"role": "educator"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, learner.id).role == "educator"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role"))
    assert event.actor_id == admin.id and event.detail == {"previous": "learner",
                                                           "role": "educator"}
    assert "role learner → educator" in client.get("/admin/audit").get_data(as_text=True)


def test_admins_cannot_lock_themselves_out(app, admin):
    client = client_for(app, admin)
    response = post(client, f"/admin/people/{admin.id}/role", {"role": "learner"})
    assert response.status_code == 422
    assert "You can&#39;t remove your own administrator role." in response.get_data(as_text=True)
    post(client, f"/admin/people/{admin.id}/active", {"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active and db.session.get(User, admin.id).role == "admin"


def test_deactivation_blocks_sign_in_and_keeps_history(app, admin, learner, synced):
    from tests.helpers import complete_module

    complete_module(learner, "basics", "first-steps")
    client = client_for(app, admin)
    unconfirmed = post(client, f"/admin/people/{learner.id}/active", follow_redirects=True)
    assert "Tick the box to confirm that Test Learner is to be deactivated." in \
        unconfirmed.get_data(as_text=True)
    db.session.refresh(learner)
    assert learner.active
    post(client, f"/admin/people/{learner.id}/active", {"confirm": "yes"})
    other = app.test_client()
    token = csrf_token(other, "/auth/login")
    response = other.post("/auth/login", data={"csrf_token": token, "email": learner.email,
                                               "password": PASSWORD})
    assert "This account has been deactivated" in response.get_data(as_text=True)
    page = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "Reactivate" in page
    post(client, f"/admin/people/{learner.id}/active")
    login(other, learner)
    assert "100%" in other.get("/me").get_data(as_text=True)  # the record is intact
    assert actions()[-2:] == ["user.deactivate", "user.activate"]


def test_departments_create_rename_and_assign_leads(app, admin, learner):
    client = client_for(app, admin)
    bad = post(client, "/admin/departments", {"slug": "Onc Surg", "name": "Surgery"})
    assert bad.status_code == 422 and "lowercase words joined by -" in bad.get_data(as_text=True)
    created = post(client, "/admin/departments", {"slug": "onc-surg", "name": "Surg"})
    assert created.status_code == 302
    dup = post(client, "/admin/departments", {"slug": "onc-surg", "name": "Again"})
    assert "already exists" in dup.get_data(as_text=True)
    post(client, "/admin/departments/onc-surg/rename", {"name": "Oncologic Surgery"})
    post(client, "/admin/departments/onc-surg/leads", {"email": learner.email})
    again = post(client, "/admin/departments/onc-surg/leads", {"email": learner.email})
    # The error reads as a sentence, with the department's name as it was written.
    assert "already leads Oncologic Surgery." in again.get_data(as_text=True)
    missing = post(client, "/admin/departments/onc-surg/leads", {"email": "nobody@example.org"})
    assert "No account has this email" in missing.get_data(as_text=True)
    db.session.expire_all()
    department = db.session.scalar(select(Department).where(Department.slug == "onc-surg"))
    user = db.session.get(User, learner.id)
    assert department.name == "Oncologic Surgery"
    assert leads(user, department) and user.role == "lead"
    post(client, f"/admin/departments/onc-surg/leads/{learner.id}/remove")
    assert not leads(user, department)
    assert actions() == ["department.create", "department.rename", "lead.add", "user.role",
                         "lead.remove"]
