"""Membership: joining with invites, adding and removing people, importing rosters.

An account joins a department in exactly three ways: the department creates it (a lead's
form or roster, for an address with no account yet), its owner uses an invite, or its owner
accepts a lead's membership request. A lead never changes an account they did not create.
Every change is written to the audit log in the same transaction. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, exists, insert, or_, select, update

from champion.assignments.operations import assign_new_member
from champion.audit.operations import record
from champion.auth.models import Role, User
from champion.auth.operations import change_role, create_user, find_user
from champion.auth.tokens import SET_PASSWORD_LIFETIME, set_password_token
from champion.content.loader import SLUG
from champion.database import utcnow
from champion.departments.models import (
    Department,
    DepartmentInvite,
    MembershipRequest,
    department_leads,
    department_members,
)
from champion.departments.roster import Roster
from champion.errors import OperationError
from champion.extensions import db
from champion.mail import notify
from champion.urls import external_url


class MembershipError(OperationError):
    """The change can't be made; the message says why."""


def is_member(department: Department, user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(
        department_members.c.department_id == department.id,
        department_members.c.user_id == user.id,
    ))))


def leads(user: User, department: Department) -> bool:
    return bool(db.session.scalar(select(exists().where(
        department_leads.c.department_id == department.id,
        department_leads.c.user_id == user.id,
    ))))


def set_password_link(department: Department, user: User) -> str:
    """A link with which ``user`` sets their first password; only for the department's own.

    Refused unless ``department`` created the account, it is still a learner in it, and no
    password is set: otherwise a lead could hand themselves a link into an account that
    isn't theirs to open (a pending administrator, another department's lead).
    """
    if not (user.created_by_department_id == department.id and user.role == Role.LEARNER
            and user.password_hash is None and user.active and is_member(department, user)):
        raise MembershipError(f"{department.name} can't issue a set-password link for "
                              "this account")
    return external_url("auth.set_password", token=set_password_token(user))


def _changed_membership(user: User) -> None:
    # Links handed out before a change of department no longer work after it.
    user.invalidate_links()


def create_department(slug: str, name: str, actor: User | None) -> Department:
    if not SLUG.match(slug):
        raise MembershipError(
            f"'{slug}' is not a valid slug: use lowercase words joined by - (e.g. gyn-onc)"
        )
    if db.session.scalar(select(Department).where(Department.slug == slug)) is not None:
        raise MembershipError(f"a department '{slug}' already exists")
    department = Department(slug=slug, name=name.strip())
    db.session.add(department)
    record(actor, "department.create", department, f"department {slug} created ({name})")
    return department


def rename_department(department: Department, name: str, actor: User) -> None:
    previous, department.name = department.name, name.strip()
    if previous != department.name:
        record(actor, "department.rename", department,
               f"department {department.slug} renamed: {previous} → {department.name}",
               previous=previous)


def add_member(department: Department, user: User, actor: User | None, how: str) -> bool:
    """Add ``user`` to the department; False if they were already a member."""
    if is_member(department, user):
        return False
    joined = utcnow()
    db.session.execute(insert(department_members).values(
        department_id=department.id, user_id=user.id, joined_at=joined))
    assign_new_member(department.id, user.id, joined)
    _changed_membership(user)
    record(actor, "member.add", department, f"{user.email} joined {department.name} ({how})",
           user_id=user.id, how=how)
    return True


def remove_member(department: Department, user: User, actor: User) -> None:
    if not is_member(department, user):
        raise MembershipError(f"{user.email} is not a member of {department.name}")
    db.session.execute(delete(department_members).where(
        department_members.c.department_id == department.id,
        department_members.c.user_id == user.id,
    ))
    _changed_membership(user)
    record(actor, "member.remove", department, f"{user.email} removed from {department.name}",
           user_id=user.id)


def add_lead(department: Department, user: User, actor: User) -> None:
    if leads(user, department):
        raise MembershipError(f"{user.email} already leads {department.name}")
    db.session.execute(insert(department_leads).values(
        department_id=department.id, user_id=user.id))
    _changed_membership(user)
    record(actor, "lead.add", department, f"{user.email} now leads {department.name}",
           user_id=user.id)


def change_role_leading(user: User, role: Role | str, departments: list[Department],
                        actor: User) -> None:
    """An administrator changes ``user``'s role; a lead leads ``departments`` too.

    A lead with no department would see an empty team page and nobody would know why, so
    making someone a lead names at least one department (unless they already lead one).
    """
    role = Role(role)
    if role == Role.LEAD:
        led = db.session.scalar(select(exists().where(department_leads.c.user_id == user.id)))
        if not departments and not led:
            raise MembershipError(f"choose the department(s) {user.name} will lead")
        for department in departments:
            if not leads(user, department):
                add_lead(department, user, actor)
    change_role(user, role, actor)


def remove_lead(department: Department, user: User, actor: User) -> None:
    if not leads(user, department):
        raise MembershipError(f"{user.email} does not lead {department.name}")
    db.session.execute(delete(department_leads).where(
        department_leads.c.department_id == department.id,
        department_leads.c.user_id == user.id,
    ))
    _changed_membership(user)
    record(actor, "lead.remove", department, f"{user.email} no longer leads {department.name}",
           user_id=user.id)


INVITE_DAYS = 30  # how long an invite works unless its lead chooses otherwise
INVITE_MAX_DAYS = 365


def create_invite(department: Department, actor: User, days: int = INVITE_DAYS,
                  max_uses: int | None = None) -> DepartmentInvite:
    """A code that works for ``days`` days and, if given, for ``max_uses`` people."""
    if not 1 <= days <= INVITE_MAX_DAYS:
        raise MembershipError(f"an invite works for 1 to {INVITE_MAX_DAYS} days, not {days}")
    if max_uses is not None and max_uses < 1:
        raise MembershipError("an invite must allow at least one person to join")
    invite = DepartmentInvite(department=department, created_by=actor,
                              expires_at=utcnow() + timedelta(days=days), max_uses=max_uses)
    db.session.add(invite)
    limit = f", up to {max_uses} people" if max_uses else ""
    record(actor, "invite.create", department,
           f"invite code created for {department.name} ({days} days{limit})",
           days=days, max_uses=max_uses)
    return invite


def revoke_invite(invite: DepartmentInvite, actor: User) -> None:
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        record(actor, "invite.revoke", invite.department,
               f"invite code {invite.code} revoked", invite_id=invite.id)


def find_invite(code: str) -> DepartmentInvite | None:
    return db.session.scalar(
        select(DepartmentInvite).where(DepartmentInvite.code == code.strip().upper())
    )


class UnverifiedEmail(MembershipError):
    """The account's email address isn't verified yet."""


def require_verified_email(user: User) -> None:
    if not user.email_verified:
        raise UnverifiedEmail(
            f"verify your email address ({user.email}) first: use the link we sent you, or "
            "ask for a new one on your progress page")


def join_with_invite(user: User, code: str) -> Department:
    invite = find_invite(code)
    if invite is None or not invite.active:
        raise MembershipError(
            "that invite code isn't valid any more: ask your department lead for a new one")
    require_verified_email(user)
    if is_member(invite.department, user):
        return invite.department
    # Counted in one statement, so two people racing for the last use can't both get in.
    counted = db.session.execute(
        update(DepartmentInvite)
        .where(DepartmentInvite.id == invite.id,
               or_(DepartmentInvite.max_uses.is_(None),
                   DepartmentInvite.uses < DepartmentInvite.max_uses))
        .values(uses=DepartmentInvite.uses + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not counted:
        raise MembershipError(
            "that invite code isn't valid any more: ask your department lead for a new one")
    db.session.refresh(invite)
    add_member(invite.department, user, user, how=f"invite {invite.code}")
    return invite.department


DECLINE_STANDS = timedelta(days=30)


def request_membership(department: Department, user: User, actor: User | None
                       ) -> MembershipRequest:
    """Ask an existing account to join; it joins only if its owner accepts."""
    pending = db.session.scalar(select(MembershipRequest).where(
        MembershipRequest.department_id == department.id,
        MembershipRequest.user_id == user.id,
        MembershipRequest.decided_at.is_(None)))
    if pending is not None:
        return pending
    # A "no" stands for a while: a lead can't turn requests into a stream of mail.
    declined = db.session.scalar(select(MembershipRequest).where(
        MembershipRequest.department_id == department.id,
        MembershipRequest.user_id == user.id,
        MembershipRequest.accepted.is_(False),
        MembershipRequest.decided_at > utcnow() - DECLINE_STANDS))
    if declined is not None:
        return declined
    request = MembershipRequest(department=department, user=user,
                                requested_by_id=actor.id if actor else None)
    db.session.add(request)
    record(actor, "member.request", department,
           f"{user.email} asked to join {department.name}", user_id=user.id)
    if user.active and user.deleted_at is None:
        notify(user.email, f"{department.name} asks you to join it on Champion", (
            f"Hello {user.name},\n\n{department.name} would like you to join it on Champion. "
            "Its leads would then see your progress, badges and quiz results.\n\n"
            f"Accept or decline when you are signed in: "
            f"{external_url('departments.requests')}\n\n"
            "If you don't know this department, decline: nothing changes unless you accept."
        ))
    return request


def decide_request(request: MembershipRequest, user: User, accept: bool) -> None:
    """The account's owner accepts (joins) or declines a lead's request."""
    if request.user_id != user.id:
        raise MembershipError("this request is for another account")
    if not request.pending:
        raise MembershipError("this request has already been answered")
    if accept:
        require_verified_email(user)
        add_member(request.department, user, user, how="request accepted")
    request.decided_at, request.accepted = utcnow(), accept
    record(user, "member.request_accept" if accept else "member.request_decline",
           request.department,
           f"{user.email} {'accepted' if accept else 'declined'} the request to join "
           f"{request.department.name}", user_id=user.id, request_id=request.id)


@dataclass
class NewAccount:
    user: User
    link: str  # where the new learner sets their password
    mailed: bool = False  # the link went to the learner's address (else the lead passes it on)


def mail_set_password_link(department: Department, user: User, link: str,
                           actor: User | None) -> bool:
    """Email a new learner their set-password link; True if a mail server took it (with no
    server configured, the lead hands the link on instead)."""
    days = SET_PASSWORD_LIFETIME.days
    sent = notify(user.email, f"Your Champion account for {department.name}", (
        f"Hello {user.name},\n\n{department.name} has made you a Champion account: short "
        "palliative care modules for gynecologic oncology teams. Choose your password with "
        f"this link, which works once, for {days} days:\n\n{link}\n\nThen sign in with "
        f"this address ({user.email}). If you weren't expecting this, ignore this message."))
    if sent:
        record(actor, "user.link_mailed", user,
               f"set-password link mailed to {user.email} for {department.name}",
               department_id=department.id)
    return sent


@dataclass
class ImportResult:
    created: list[NewAccount] = field(default_factory=list)
    requested: list[User] = field(default_factory=list)  # existing accounts asked to join
    unchanged: list[User] = field(default_factory=list)  # already members
    joined: int = 0


def add_person(
    department: Department, email: str, name: str, actor: User | None, result: ImportResult,
    how: str = "added by a lead",
) -> User:
    """Create a learner for a new address (with a set-password link) and add them.

    An existing account is never changed (not its name, not its departments): it is
    asked to join, and joins only if its owner accepts.
    """
    user = find_user(email)
    if user is None:
        user = create_user(email, name, password=None, created_by_department=department)
        db.session.flush()
        record(actor, "user.create", user,
               f"account created for {user.email} by {department.name} ({how})",
               department_id=department.id)
        add_member(department, user, actor, how=how)
        result.joined += 1
        link = set_password_link(department, user)
        result.created.append(
            NewAccount(user, link, mail_set_password_link(department, user, link, actor)))
    elif is_member(department, user):
        result.unchanged.append(user)
    else:
        request_membership(department, user, actor)
        result.requested.append(user)
    return user


def import_roster(department: Department, roster: Roster, actor: User | None) -> ImportResult:
    """Bulk-create or update learners; a roster with any error is refused whole."""
    if roster.errors:
        raise MembershipError("; ".join(roster.errors))
    result = ImportResult()
    for row in roster.rows:
        add_person(department, row.email, row.name, actor, result, how="roster import")
    record(actor, "roster.import", department,
           f"roster imported into {department.name}: {len(result.created)} created, "
           f"{len(result.requested)} asked to join, {len(result.unchanged)} already members")
    return result
