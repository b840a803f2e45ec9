"""Administration: people, departments and the audit log. Admins only."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from champion.admin.forms import (
    DepartmentForm,
    LeadForm,
    PersonEmailForm,
    PersonNameForm,
    RenameForm,
    RoleForm,
)
from champion.audit.models import AuditEvent
from champion.auth.access import role_required
from champion.auth.models import Role, User
from champion.auth.operations import (
    AccountError,
    change_role,
    find_user,
    rename_user,
    set_active,
)
from champion.auth.privacy import DeletionError, delete_account
from champion.badges.forms import RevokeForm
from champion.badges.models import BadgeAward
from champion.badges.operations import RevocationError, revoke_award
from champion.departments.models import Department, department_leads, department_members
from champion.departments.operations import (
    MembershipError,
    add_lead,
    change_role_leading,
    create_department,
    remove_lead,
    rename_department,
)
from champion.extensions import db
from champion.filters import sentence
from champion.team.forms import ActionForm
from champion.team.queries import like_pattern
from champion.twofactor.operations import TwoFactorError, reset_by_admin
from champion.twofactor.queries import has_two_factor

blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
PAGE = 50


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@blueprint.get("/")
@role_required(Role.ADMIN)
def index():
    by_role = dict(db.session.execute(
        select(User.role, func.count()).group_by(User.role)).tuples().all())
    return render_template(
        "admin/index.html", by_role=by_role,
        departments=db.session.scalar(select(func.count()).select_from(Department)),
        inactive=db.session.scalar(select(func.count()).where(User.active.is_(False))),
        recent=db.session.scalars(
            select(AuditEvent).options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.id.desc()).limit(5)).all(),
    )


@blueprint.get("/people")
@role_required(Role.ADMIN)
def people():
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") if request.args.get("role") in {r.value for r in Role} else ""
    query = select(User)
    if q:
        pattern = like_pattern(q)
        query = query.where(User.name.ilike(pattern, escape="\\")
                            | User.email.ilike(pattern, escape="\\"))
    if role:
        query = query.where(User.role == role)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = _page()
    users = db.session.scalars(
        query.order_by(User.name, User.id).limit(PAGE).offset((page - 1) * PAGE)).all()
    return render_template("admin/people.html", users=users, q=q, role=role, total=total,
                           page=page, pages=max(1, -(-total // PAGE)), roles=list(Role))


def role_form_for(user: User, form: RoleForm | None = None) -> RoleForm:
    form = form or RoleForm(data={"role": user.role, "departments": [
        d.id for d in db.session.scalars(
            select(Department).join(department_leads,
                                    department_leads.c.department_id == Department.id)
            .where(department_leads.c.user_id == user.id))]})
    form.departments.choices = [(d.id, d.name) for d in db.session.scalars(
        select(Department).order_by(Department.name))]
    return form


def _person_page(user: User, role_form: RoleForm | None = None, status: int = 200,
                 revoke_form: RevokeForm | None = None, name_form: PersonNameForm | None = None,
                 email_form: PersonEmailForm | None = None):
    memberships = db.session.scalars(
        select(Department).join(department_members,
                                department_members.c.department_id == Department.id)
        .where(department_members.c.user_id == user.id).order_by(Department.name)).all()
    led = db.session.scalars(
        select(Department).join(department_leads,
                                department_leads.c.department_id == Department.id)
        .where(department_leads.c.user_id == user.id).order_by(Department.name)).all()
    events = db.session.scalars(
        select(AuditEvent).options(selectinload(AuditEvent.actor))
        .where(AuditEvent.target_type == "user", AuditEvent.target_id == user.id)
        .order_by(AuditEvent.id.desc()).limit(20)).all()
    awards = db.session.scalars(
        select(BadgeAward).options(selectinload(BadgeAward.badge))
        .where(BadgeAward.user_id == user.id).order_by(BadgeAward.awarded_at)).all()
    return render_template(
        "admin/person.html", person=user, memberships=memberships, led=led, events=events,
        role_form=role_form_for(user, role_form), action=ActionForm(),
        email_form=email_form or PersonEmailForm(data={"email": user.email}),
        awards=awards, revoke_form=revoke_form or RevokeForm(),
        name_form=name_form or PersonNameForm(data={"name": user.name}),
        two_factor=has_two_factor(user),
    ), status


@blueprint.get("/people/<int:user_id>")
@role_required(Role.ADMIN)
def person(user_id: int):
    return _person_page(db.get_or_404(User, user_id))


@blueprint.post("/people/<int:user_id>/role")
@role_required(Role.ADMIN)
def person_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = role_form_for(user, RoleForm())
    if not form.validate_on_submit():
        return _person_page(user, form, 422)
    chosen = [d for d in db.session.scalars(select(Department).where(
        Department.id.in_(form.departments.data or [])))]
    try:
        change_role_leading(user, form.role.data, chosen, current_user)
    except (AccountError, MembershipError) as exc:
        (form.departments if isinstance(exc, MembershipError) else form.role).errors.append(
            sentence(exc))
        return _person_page(user, form, 422)
    db.session.commit()
    flash(f"{user.name} is now {user.role}.", "success")
    return redirect(url_for(".person", user_id=user.id))


@blueprint.post("/people/<int:user_id>/name")
@role_required(Role.ADMIN)
def person_name(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PersonNameForm()
    if not form.validate_on_submit():
        return _person_page(user, status=422, name_form=form)
    try:
        rename_user(user, form.name.data, current_user)
    except AccountError as exc:
        form.name.errors.append(sentence(exc))
        return _person_page(user, status=422, name_form=form)
    db.session.commit()
    flash(f"The name is now {user.name}.", "success")
    return redirect(url_for(".person", user_id=user.id))


@blueprint.post("/people/<int:user_id>/active")
@role_required(Role.ADMIN)
def person_active(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.active and request.form.get("confirm") != "yes":  # one click is not enough
        flash(f"Tick the box to confirm that {user.name} is to be deactivated.", "error")
    elif ActionForm().validate_on_submit():
        try:
            set_active(user, not user.active, current_user)
        except AccountError as exc:
            flash(sentence(exc), "error")
        else:
            db.session.commit()
            flash(f"{user.name} is {'active' if user.active else 'deactivated'}.", "success")
    return redirect(url_for(".person", user_id=user.id))


@blueprint.post("/people/<int:user_id>/two-factor")
@role_required(Role.ADMIN)
def person_two_factor(user_id: int):
    user = db.get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        try:
            reset_by_admin(user, current_user)
        except TwoFactorError as exc:
            flash(sentence(exc), "error")
        else:
            db.session.commit()
            flash(f"Two-factor sign-in is off for {user.name}.", "success")
    return redirect(url_for(".person", user_id=user.id))


@blueprint.post("/people/<int:user_id>/delete")
@role_required(Role.ADMIN)
def person_delete(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".person", user_id=user.id))
    if (request.form.get("confirm_email") or "").strip().lower() != user.email:
        flash("Type the account's email address exactly to confirm the deletion.", "error")
        return redirect(url_for(".person", user_id=user.id))
    try:
        delete_account(user, current_user)
    except DeletionError as exc:
        flash(sentence(exc), "error")
    else:
        db.session.commit()
        flash(f"Account {user.id} deleted: personal data erased, badges revoked.", "success")
    return redirect(url_for(".person", user_id=user.id))


@blueprint.post("/awards/<uid>/revoke")
@role_required(Role.ADMIN)
def revoke_award_view(uid: str):
    award = db.first_or_404(select(BadgeAward).where(BadgeAward.uid == uid))
    form = RevokeForm()
    if not form.validate_on_submit():
        return _person_page(award.user, revoke_form=form, status=422)
    try:
        revoke_award(award, form.reason.data, current_user)
    except RevocationError as exc:
        form.reason.errors.append(sentence(exc))
        return _person_page(award.user, revoke_form=form, status=422)
    db.session.commit()
    flash(f"{award.badge.name} revoked for {award.user.name}.", "success")
    return redirect(url_for(".person", user_id=award.user_id))


@blueprint.route("/departments", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def departments():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            department = create_department(form.slug.data, form.name.data, current_user)
        except MembershipError as exc:
            form.slug.errors.append(sentence(exc))
        else:
            db.session.commit()
            flash(f"Department {department.name} created.", "success")
            return redirect(url_for(".department", slug=department.slug))
    counts = dict(db.session.execute(
        select(department_members.c.department_id, func.count())
        .group_by(department_members.c.department_id)).tuples().all())
    rows = db.session.scalars(select(Department).order_by(Department.name)).all()
    return render_template("admin/departments.html", departments=rows, counts=counts,
                           form=form), (422 if form.errors else 200)


def _department_page(department: Department, **forms):
    leads = db.session.scalars(
        select(User).join(department_leads, department_leads.c.user_id == User.id)
        .where(department_leads.c.department_id == department.id).order_by(User.name)).all()
    members = db.session.scalar(select(func.count()).where(
        department_members.c.department_id == department.id))
    context = {"department": department, "leads": leads, "members": members,
               "rename": RenameForm(data={"name": department.name}), "lead_form": LeadForm(),
               "action": ActionForm()}
    context.update(forms)
    return render_template("admin/department.html", **context)


def _department_or_404(slug: str) -> Department:
    return db.first_or_404(select(Department).where(Department.slug == slug))


@blueprint.get("/departments/<slug>")
@role_required(Role.ADMIN)
def department(slug: str):
    return _department_page(_department_or_404(slug))


@blueprint.post("/departments/<slug>/rename")
@role_required(Role.ADMIN)
def department_rename(slug: str):
    department = _department_or_404(slug)
    form = RenameForm()
    if not form.validate_on_submit():
        return _department_page(department, rename=form), 422
    rename_department(department, form.name.data, current_user)
    db.session.commit()
    flash("Department renamed.", "success")
    return redirect(url_for(".department", slug=slug))


@blueprint.post("/departments/<slug>/leads")
@role_required(Role.ADMIN)
def department_add_lead(slug: str):
    department = _department_or_404(slug)
    form = LeadForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is None:
            form.email.errors.append("No account has this email. Create the account first.")
        else:
            try:
                add_lead(department, user, current_user)
                if user.role == Role.LEARNER:
                    change_role(user, Role.LEAD, current_user)
            except MembershipError as exc:
                form.email.errors.append(sentence(exc))
            else:
                db.session.commit()
                flash(f"{user.name} now leads {department.name}.", "success")
                return redirect(url_for(".department", slug=slug))
    return _department_page(department, lead_form=form), 422


@blueprint.post("/departments/<slug>/leads/<int:user_id>/remove")
@role_required(Role.ADMIN)
def department_remove_lead(slug: str, user_id: int):
    department = _department_or_404(slug)
    user = db.get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        try:
            remove_lead(department, user, current_user)
        except MembershipError as exc:
            flash(sentence(exc), "error")
        else:
            db.session.commit()
            flash(f"{user.name} no longer leads {department.name}.", "success")
    return redirect(url_for(".department", slug=slug))
