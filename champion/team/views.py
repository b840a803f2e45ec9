"""The lead dashboard, exports and member management, under /team/."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from champion.auth.access import role_required
from champion.auth.models import Role, User
from champion.badges.models import BadgeAward
from champion.database import utcnow
from champion.departments.models import Department, DepartmentInvite, department_members
from champion.departments.operations import (
    INVITE_DAYS,
    ImportResult,
    MembershipError,
    NewAccount,
    add_person,
    create_invite,
    import_roster,
    is_member,
    mail_set_password_link,
    remove_member,
    revoke_invite,
    set_password_link,
)
from champion.departments.roster import parse_roster
from champion.extensions import db
from champion.filters import sentence
from champion.progress.models import STATUS_LABELS
from champion.spreadsheet import to_csv
from champion.team.access import departments_in_scope, lead_of_department
from champion.team.chart import weekly_bars, weekly_series
from champion.team.forms import ActionForm, AddMemberForm, InviteForm, RosterForm
from champion.team.queries import (
    CHART_WEEKS,
    SORTS,
    Filters,
    dashboard,
    like_pattern,
)
from champion.team.report import completion_rows
from champion.urls import external_url

blueprint = Blueprint("team", __name__, url_prefix="/team", template_folder="templates")


def _filters() -> Filters:
    args = request.args
    return Filters(
        series=args.get("series") or None,
        status=args.get("status") if args.get("status") in STATUS_LABELS else None,
        q=(args.get("q") or "").strip()[:100],
        sort=args.get("sort") if args.get("sort") in SORTS else "name",
        page=max(args.get("page", 1, type=int) or 1, 1),
    )


def _csv(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@blueprint.get("/")
@role_required(Role.LEAD)
def index():
    departments = departments_in_scope(current_user)
    counts = dict(db.session.execute(
        select(department_members.c.department_id, func.count())
        .where(department_members.c.department_id.in_([d.id for d in departments]))
        .group_by(department_members.c.department_id)
    ).tuples().all())
    if len(departments) == 1 and current_user.role == Role.LEAD:
        return redirect(url_for(".department", slug=departments[0].slug))
    return render_template("team/index.html", departments=departments, counts=counts)


@blueprint.get("/<slug>/")
@lead_of_department
def department(department: Department):
    board = dashboard(department, _filters())
    weeks = weekly_series(board.weekly, CHART_WEEKS, utcnow().date())
    return render_template(
        "team/dashboard.html", board=board, chart=weekly_bars(weeks), weeks=weeks,
        statuses=STATUS_LABELS, sorts=SORTS,
    )


@blueprint.get("/<slug>/matrix.csv")
@lead_of_department
def matrix_csv(department: Department):
    """What the dashboard shows with the same filters and order, every page of it."""
    return _csv(to_csv(completion_rows([department], filters=_filters())),
                f"{department.slug}-completion.csv")


@blueprint.get("/<slug>/badges.csv")
@lead_of_department
def badges_csv(department: Department):
    rows = db.session.execute(
        select(User.name, User.email, BadgeAward.uid, BadgeAward.awarded_at)
        .join(BadgeAward, BadgeAward.user_id == User.id)
        .join(department_members, department_members.c.user_id == User.id)
        .where(department_members.c.department_id == department.id,
               BadgeAward.revoked_at.is_(None))
        .order_by(BadgeAward.awarded_at, User.name)
    )
    table = [["department", "name", "email", "awarded_at", "verification_url"]]
    table += [[department.slug, name, email, awarded.strftime("%Y-%m-%dT%H:%M:%SZ"),
               external_url("badges.assertion", uid=uid)]
              for name, email, uid, awarded in rows]
    return _csv(to_csv(table), f"{department.slug}-badge-holders.csv")


def _members_page(department: Department, **extra):
    q = (request.args.get("q") or "").strip()[:100]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = (
        select(User, department_members.c.joined_at)
        .join(department_members, department_members.c.user_id == User.id)
        .where(department_members.c.department_id == department.id)
    )
    if q:
        pattern = like_pattern(q)
        query = query.where(User.name.ilike(pattern, escape="\\")
                            | User.email.ilike(pattern, escape="\\"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    members = db.session.execute(
        query.order_by(User.name, User.id).limit(50).offset((page - 1) * 50)
    ).all()
    invites = db.session.scalars(
        select(DepartmentInvite)
        .where(DepartmentInvite.department_id == department.id)
        .order_by(DepartmentInvite.created_at.desc())
    ).all()
    context = {
        "department": department, "members": members, "total": total, "q": q, "page": page,
        "pages": max(1, -(-total // 50)), "invites": invites,
        "add_form": AddMemberForm(), "roster_form": RosterForm(), "action": ActionForm(),
        "invite_form": InviteForm(),
        "result": None, "roster_problems": None, "new_link": None,
    }
    context.update(extra)
    return render_template("team/members.html", **context)


@blueprint.get("/<slug>/members")
@lead_of_department
def members(department: Department):
    return _members_page(department)


@blueprint.post("/<slug>/members")
@lead_of_department
def add_member(department: Department):
    form = AddMemberForm()
    if not form.validate_on_submit():
        return _members_page(department, add_form=form), 422
    result = ImportResult()
    add_person(department, form.email.data, form.name.data, current_user, result)
    db.session.commit()
    if result.created:
        return _members_page(department, result=result)
    # The existing account's own name is never shown or changed: only what the lead typed.
    if result.requested:
        flash(f"{form.email.data} already has an account: they have been asked to join "
              f"{department.name} and will appear here if they accept.", "success")
    else:
        flash(f"{form.email.data} is already in {department.name}.", "success")
    return redirect(url_for(".members", slug=department.slug))


@blueprint.post("/<slug>/members/import")
@lead_of_department
def import_members(department: Department):
    form = RosterForm()
    if not form.validate_on_submit():
        return _members_page(department, roster_form=form), 422
    try:
        text = form.roster.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.roster.errors.append("The file is not UTF-8 text: save it from your spreadsheet "
                                  "as “CSV UTF-8”.")
        return _members_page(department, roster_form=form), 422
    roster = parse_roster(text)
    if roster.errors:
        return _members_page(department, roster_form=form, roster_problems=roster), 422
    result = import_roster(department, roster, current_user)
    db.session.commit()
    return _members_page(department, result=result, roster_problems=roster)


@blueprint.post("/<slug>/members/<int:user_id>/remove")
@lead_of_department
def remove(department: Department, user_id: int):
    user = db.get_or_404(User, user_id)
    if not is_member(department, user):
        abort(404)  # never say who a non-member is
    if ActionForm().validate_on_submit():
        try:
            remove_member(department, user, current_user)
        except MembershipError as exc:
            flash(sentence(exc), "error")
        else:
            db.session.commit()
            flash(f"{user.name} was removed from {department.name}. Their record is kept.",
                  "success")
    return redirect(url_for(".members", slug=department.slug))


@blueprint.post("/<slug>/members/<int:user_id>/link")
@lead_of_department
def password_link(department: Department, user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(404)
    try:
        link = set_password_link(department, user)
    except MembershipError:
        abort(404)
    mailed = mail_set_password_link(department, user, link, current_user)
    db.session.commit()
    return _members_page(department, new_link=NewAccount(user, link, mailed))


@blueprint.post("/<slug>/invites")
@lead_of_department
def new_invite(department: Department):
    form = InviteForm()
    if not form.validate_on_submit():
        return _members_page(department, invite_form=form), 422
    try:
        invite = create_invite(department, current_user, form.days.data or INVITE_DAYS,
                               form.max_uses.data)
    except MembershipError as exc:
        form.days.errors.append(sentence(exc))
        return _members_page(department, invite_form=form), 422
    db.session.commit()
    flash(f"New invite code {invite.code} created.", "success")
    return redirect(url_for(".members", slug=department.slug) + "#invites")


@blueprint.post("/<slug>/invites/<int:invite_id>/revoke")
@lead_of_department
def revoke(department: Department, invite_id: int):
    invite = db.get_or_404(DepartmentInvite, invite_id)
    if invite.department_id != department.id:
        abort(404)
    if ActionForm().validate_on_submit():
        revoke_invite(invite, current_user)
        db.session.commit()
        flash(f"Invite code {invite.code} no longer works.", "success")
    return redirect(url_for(".members", slug=department.slug) + "#invites")
