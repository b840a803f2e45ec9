"""A lead's assignments and team messages, under /team/<slug>/ (team/access.py scopes them)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from champion.assignments.forms import (
    AssignmentForm,
    ButtonForm,
    EditAssignmentForm,
    MessageForm,
)
from champion.assignments.models import KINDS, Assignment
from champion.assignments.operations import (
    AssignmentError,
    chosen_members,
    create_assignment,
    edit_assignment,
    resolve_target,
    withdraw_assignment,
)
from champion.assignments.queries import STATES, board, people
from champion.database import utcnow
from champion.departments.models import Department
from champion.extensions import db
from champion.filters import sentence
from champion.reminders.operations import (
    MESSAGES_PER_DAY,
    MessageError,
    messages_sent_today,
    send_team_message,
)
from champion.team.access import lead_of_department

blueprint = Blueprint("assignments", __name__, url_prefix="/team", template_folder="templates")


def _page(department: Department, status: int = 200, **forms):
    forms.setdefault("form", AssignmentForm())
    forms.setdefault("message_form", MessageForm())
    return render_template(
        "assignments/index.html", department=department,
        assignments=board(department.id, utcnow().date()), states=STATES, kinds=KINDS,
        messages_left=MESSAGES_PER_DAY - messages_sent_today(current_user, department),
        **forms), status


@blueprint.get("/<slug>/assignments")
@lead_of_department
def index(department: Department):
    return _page(department)


@blueprint.post("/<slug>/assignments")
@lead_of_department
def create(department: Department):
    form = AssignmentForm()
    if not form.validate_on_submit():
        return _page(department, 422, form=form)
    slug = {"series": form.series.data, "badge": form.badge.data}.get(form.kind.data)
    try:
        target = resolve_target(form.kind.data, slug, form.modules.data or [])
        member_ids = (None if form.audience.data == "everyone"
                      else chosen_members(department, (form.members.data or "").splitlines()))
        assignment = create_assignment(
            department, current_user, target, due_on=form.due_on.data,
            starts_on=form.starts_on.data, member_ids=member_ids,
            new_member_days=form.new_member_days.data, title=form.title.data)
    except AssignmentError as exc:
        form.form_errors.append(sentence(exc))
        return _page(department, 422, form=form)
    db.session.commit()
    flash(f"“{assignment.title}” assigned, due {assignment.due_on:%-d %B %Y}.", "success")
    return redirect(url_for(".index", slug=department.slug))


def _assignment(department: Department, assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    if assignment.department_id != department.id:
        abort(404)  # another department's assignment is not even said to exist
    return assignment


def _detail(department: Department, assignment: Assignment, form=None, status: int = 200):
    state = request.args.get("state")
    state = state if state in STATES else None
    if form is None:
        form = EditAssignmentForm(obj=assignment)
    return render_template(
        "assignments/detail.html", department=department, assignment=assignment,
        people=people(assignment, utcnow().date(), state), state=state, states=STATES,
        form=form, button=ButtonForm()), status


@blueprint.get("/<slug>/assignments/<int:assignment_id>")
@lead_of_department
def detail(department: Department, assignment_id: int):
    return _detail(department, _assignment(department, assignment_id))


@blueprint.post("/<slug>/assignments/<int:assignment_id>")
@lead_of_department
def edit(department: Department, assignment_id: int):
    assignment = _assignment(department, assignment_id)
    form = EditAssignmentForm()
    if not form.validate_on_submit():
        return _detail(department, assignment, form, 422)
    try:
        changes = edit_assignment(assignment, current_user, title=form.title.data or "",
                                  due_on=form.due_on.data, starts_on=form.starts_on.data,
                                  new_member_days=form.new_member_days.data)
    except AssignmentError as exc:  # refused before anything changed
        form.form_errors.append(sentence(exc))
        return _detail(department, assignment, form, 422)
    db.session.commit()
    flash(f"“{assignment.title}” saved." if changes else "Nothing was changed.", "success")
    return redirect(url_for(".detail", slug=department.slug, assignment_id=assignment.id))


@blueprint.post("/<slug>/assignments/<int:assignment_id>/withdraw")
@lead_of_department
def withdraw(department: Department, assignment_id: int):
    assignment = _assignment(department, assignment_id)
    if ButtonForm().validate_on_submit():
        try:
            withdraw_assignment(assignment, current_user)
        except AssignmentError as exc:
            flash(sentence(exc), "error")
        else:
            db.session.commit()
            flash(f"“{assignment.title}” was withdrawn: nobody is reminded of it any more.",
                  "success")
    return redirect(url_for(".index", slug=department.slug))


@blueprint.post("/<slug>/message")
@lead_of_department
def message(department: Department):
    form = MessageForm()
    if not form.validate_on_submit():
        return _page(department, 422, message_form=form)
    try:
        report = send_team_message(department, current_user, form.audience.data,
                                   form.subject.data, form.body.data)
    except MessageError as exc:
        form.form_errors.append(sentence(exc))
        return _page(department, 422, message_form=form)
    db.session.commit()
    flash(f"Message sent to {report.sent} "
          f"{'person' if report.sent == 1 else 'people'}"
          + (f"; {report.failed} could not be reached." if report.failed else "."), "success")
    return redirect(url_for(".index", slug=department.slug))
