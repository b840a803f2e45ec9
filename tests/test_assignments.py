"""Assignments: a lead assigns, learners see what is due first, the dashboard counts it,
and nobody assigns outside the departments they lead."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from champion.assignments.models import AssignedLearner, Assignment
from champion.assignments.operations import (
    AssignmentError,
    create_assignment,
    edit_assignment,
    resolve_target,
)
from champion.audit.models import AuditEvent
from champion.auth.models import Role, User
from champion.database import utcnow
from champion.departments.models import Department
from champion.departments.operations import add_member
from champion.extensions import db
from tests.helpers import client_for, complete_module, make_user, post

TODAY = utcnow().date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def other(app) -> Department:
    department = Department(slug="onc-surg", name="Oncologic Surgery")
    db.session.add(department)
    db.session.commit()
    return department


def assign_form(**fields) -> dict:
    return {"kind": "series", "series": "basics", "audience": "everyone", "due_on": day(5),
            **fields}


def test_a_lead_assigns_a_series_and_the_learner_sees_it_first(
        app, synced, department, lead, learner):
    client = client_for(app, lead)
    response = post(client, "/team/gyn-onc/assignments", assign_form(due_on=day(3)))
    assert response.status_code == 302
    assignment = db.session.scalar(select(Assignment))
    assert (assignment.title, assignment.everyone) == ("The Basics", True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.create"))
    assert event.actor_id == lead.id

    me = client_for(app, learner)
    catalog = me.get("/").get_data(as_text=True)
    assert "Assigned to you" in catalog
    assert catalog.index("Assigned to you") < catalog.index('id="series-basics"')
    assert "Due soon" in catalog and "0 of 3 modules done" in catalog
    mine = me.get("/me").get_data(as_text=True)
    assert mine.index("Assigned to you") < mine.index("badges-heading")
    module = me.get("/modules/basics/first-steps").get_data(as_text=True)
    assert "Assigned to you in “The Basics”" in module
    assert "Assigned to you" not in me.get("/modules/extras/figure").get_data(as_text=True)


def test_overdue_comes_first_and_done_says_so(app, synced, department, lead, learner):
    basics = resolve_target("series", "basics", [])
    figure = resolve_target("modules", None, ["extras/figure"])
    create_assignment(department, lead, figure, due_on=TODAY + timedelta(days=20))
    create_assignment(department, lead, basics, due_on=TODAY)
    db.session.execute(AssignedLearner.__table__.update()
                       .where(AssignedLearner.due_on == TODAY)
                       .values(due_on=TODAY - timedelta(days=1)))
    db.session.commit()
    page = client_for(app, learner).get("/").get_data(as_text=True)
    assert page.index("Overdue") < page.index("On track")
    complete_module(learner, "extras", "figure")
    page = client_for(app, learner).get("/me").get_data(as_text=True)
    assert "Done" in page and "1 of 1 module done" in page


def test_a_lead_assigns_chosen_members_only_from_their_department(
        app, synced, department, lead, learner, other):
    outsider = make_user(Role.LEARNER, "outsider@example.org", other)
    client = client_for(app, lead)
    refused = post(client, "/team/gyn-onc/assignments", assign_form(
        audience="chosen", members=f"{learner.email}\n\n{outsider.email}", title="Kept"))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert f"Line 3: {outsider.email} is not a member of Gynecologic Oncology" in page
    assert 'value="Kept"' in page  # what was entered is kept
    assert db.session.scalar(select(Assignment)) is None

    assert post(client, "/team/gyn-onc/assignments", assign_form(
        audience="chosen", members=learner.email)).status_code == 302
    rows = db.session.scalars(select(AssignedLearner)).all()
    assert [r.user_id for r in rows] == [learner.id]


def test_a_lead_cannot_assign_in_another_department(app, synced, department, lead, other):
    client = client_for(app, lead)
    assert post(client, "/team/onc-surg/assignments", assign_form()).status_code == 404
    with pytest.raises(AssignmentError, match="you don't lead Oncologic Surgery"):
        create_assignment(other, lead, resolve_target("series", "basics", []),
                          due_on=TODAY + timedelta(days=3))
    assert db.session.scalar(select(Assignment)) is None


def test_another_departments_assignment_is_not_found(app, synced, department, lead, other,
                                                       admin):
    theirs = create_assignment(other, admin, resolve_target("series", "basics", []),
                               due_on=TODAY + timedelta(days=3))
    db.session.commit()
    client = client_for(app, lead)
    assert client.get(f"/team/gyn-onc/assignments/{theirs.id}").status_code == 404
    assert post(client, f"/team/gyn-onc/assignments/{theirs.id}/withdraw").status_code == 404
    assert post(client, f"/team/gyn-onc/assignments/{theirs.id}",
                {"due_on": day(30)}).status_code == 404
    assert db.session.get(Assignment, theirs.id).withdrawn_at is None


def test_an_admin_assigns_in_any_department(app, synced, other, admin):
    client = client_for(app, admin)
    assert post(client, "/team/onc-surg/assignments",
                assign_form(kind="badge", badge="basics-graduate")).status_code == 302
    assignment = db.session.scalar(select(Assignment))
    assert (assignment.department_id, assignment.title) == (other.id, "Basics Graduate badge")


def test_bad_dates_are_refused_by_field(app, synced, department, lead):
    client = client_for(app, lead)
    past = post(client, "/team/gyn-onc/assignments", assign_form(due_on=day(-1)))
    assert past.status_code == 422 and "has already passed" in past.get_data(as_text=True)
    backwards = post(client, "/team/gyn-onc/assignments",
                     assign_form(starts_on=day(6), due_on=day(5)))
    assert "start date must be on or before the due date" in backwards.get_data(as_text=True)
    missing = post(client, "/team/gyn-onc/assignments", assign_form(due_on=""))
    assert "Choose a due date." in missing.get_data(as_text=True)
    assert db.session.scalar(select(Assignment)) is None


def test_a_start_date_hides_it_until_then(app, synced, department, lead, learner):
    create_assignment(department, lead, resolve_target("series", "basics", []),
                      starts_on=TODAY + timedelta(days=2), due_on=TODAY + timedelta(days=4))
    db.session.commit()
    assert "Assigned to you" not in client_for(app, learner).get("/").get_data(as_text=True)


def test_new_members_get_open_assignments_due_after_joining(
        app, synced, department, lead, learner):
    target = resolve_target("series", "basics", [])
    relative = create_assignment(department, lead, target, due_on=TODAY + timedelta(days=3),
                                 new_member_days=30, title="Relative")
    fixed = create_assignment(department, lead, target, due_on=TODAY + timedelta(days=3),
                              title="Fixed")
    chosen = create_assignment(department, lead, target, due_on=TODAY + timedelta(days=3),
                               member_ids=[learner.id], title="Chosen")
    withdrawn = create_assignment(department, lead, target, due_on=TODAY + timedelta(days=3),
                                  title="Withdrawn")
    withdrawn.withdrawn_at = utcnow()
    newcomer = make_user(Role.LEARNER, "newcomer@example.org")
    add_member(department, newcomer, lead, how="test")
    db.session.commit()
    due = dict(db.session.execute(
        select(AssignedLearner.assignment_id, AssignedLearner.due_on)
        .where(AssignedLearner.user_id == newcomer.id)).tuples().all())
    assert due == {relative.id: TODAY + timedelta(days=30), fixed.id: TODAY + timedelta(days=3)}
    assert chosen.id not in due

    # Moving the assignment's date leaves the newcomer's own (relative) date alone.
    edit_assignment(relative, lead, title="Relative", due_on=TODAY + timedelta(days=10),
                    starts_on=None, new_member_days=30)
    db.session.commit()
    rows = dict(db.session.execute(
        select(AssignedLearner.user_id, AssignedLearner.due_on)
        .where(AssignedLearner.assignment_id == relative.id)).tuples().all())
    assert rows == {learner.id: TODAY + timedelta(days=10),
                    newcomer.id: TODAY + timedelta(days=30)}


def test_editing_and_withdrawing_are_audited(app, synced, department, lead, learner):
    assignment = create_assignment(department, lead, resolve_target("series", "basics", []),
                                   due_on=TODAY + timedelta(days=3))
    db.session.commit()
    client = client_for(app, lead)
    url = f"/team/gyn-onc/assignments/{assignment.id}"
    assert client.get(url).status_code == 200
    assert post(client, url, {"title": "Basics first", "due_on": day(9)}).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.edit"))
    assert event.actor_id == lead.id
    assert event.detail["changes"]["due_on"] == [day(3), day(9)]
    assert event.detail["changes"]["title"] == ["The Basics", "Basics first"]

    assert post(client, f"{url}/withdraw").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "assignment.withdraw")).actor_id == lead.id
    assert "Assigned to you" not in client_for(app, learner).get("/").get_data(as_text=True)
    listed = client.get("/team/gyn-onc/assignments").get_data(as_text=True)
    assert f'href="/team/gyn-onc/assignments/{assignment.id}"' not in listed


def test_the_dashboard_counts_and_filters_by_state(app, synced, department, lead, learner):
    done = make_user(Role.LEARNER, "done@example.org", department)
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(done, "basics", slug)
    assignment = create_assignment(department, lead, resolve_target("series", "basics", []),
                                   due_on=TODAY + timedelta(days=3))
    db.session.commit()
    client = client_for(app, lead)
    dashboard = client.get("/team/gyn-onc/").get_data(as_text=True)
    assert 'aria-label="1 due soon: The Basics"' in dashboard
    assert 'aria-label="1 done: The Basics"' in dashboard
    assert 'aria-label="0 overdue: The Basics"' in dashboard
    overdue_only = client.get(f"/team/gyn-onc/assignments/{assignment.id}?state=done")
    page = overdue_only.get_data(as_text=True)
    assert "done@example.org" in page and learner.email not in page


def test_the_csv_and_the_report_count_assignments(app, synced, department, lead, learner,
                                                  runner):
    create_assignment(department, lead, resolve_target("series", "basics", []),
                      due_on=TODAY + timedelta(days=3))
    create_assignment(department, lead, resolve_target("modules", None, ["extras/figure"]),
                      due_on=TODAY + timedelta(days=30))
    db.session.commit()
    exported = client_for(app, lead).get("/team/gyn-onc/matrix.csv").get_data(as_text=True)
    (row,) = csv.DictReader(io.StringIO(exported))
    assert (row["assignments overdue"], row["assignments due soon"],
            row["assignments on track"], row["assignments done"]) == ("0", "1", "1", "0")
    result = runner.invoke(args=["report", "completion", "--department", "gyn-onc"])
    (reported,) = csv.DictReader(io.StringIO(result.output))
    assert reported["assignments due soon"] == "1"


def test_a_learner_cannot_reach_assignment_pages(app, synced, department, learner):
    client = client_for(app, learner)
    assert client.get("/team/gyn-onc/assignments").status_code == 403
    assert post(client, "/team/gyn-onc/assignments", assign_form()).status_code == 403
    assert db.session.scalar(select(Assignment)) is None


def test_a_refused_edit_changes_nothing_and_keeps_what_was_typed(
        app, synced, department, lead, learner):
    assignment = create_assignment(department, lead, resolve_target("series", "basics", []),
                                   due_on=TODAY + timedelta(days=3))
    db.session.commit()
    client = client_for(app, lead)
    url = f"/team/gyn-onc/assignments/{assignment.id}"
    refused = post(client, url, {"title": "Typed", "due_on": day(-2)})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "has already passed" in page and 'value="Typed"' in page
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).title == "The Basics"
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "assignment.edit")) is None


def test_an_account_made_on_the_command_line_gets_the_departments_assignments(
        app, synced, department, lead, runner):
    assignment = create_assignment(department, lead, resolve_target("series", "basics", []),
                                   due_on=TODAY + timedelta(days=3), title="Basics")
    db.session.commit()
    result = runner.invoke(args=["users", "create", "cli.learner@example.org", "--name",
                                 "Cli Learner", "--department", department.slug],
                           input="a long enough password 1\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "cli.learner@example.org"))
    assert db.session.scalar(select(AssignedLearner.assignment_id)
                             .where(AssignedLearner.user_id == user.id)) == assignment.id
