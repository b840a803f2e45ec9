"""Sending reminders, the leads' weekly digest and lead messages; email preferences.

``send_reminders`` and ``send_digests`` read everything they need in a few grouped
queries, send over one SMTP connection, and write the sent-log in chunks (each chunk
committed, so a run stopped half-way keeps what it sent). A person gets at most one
reminder a day and a lead one digest an ISO week: a second run sends nothing new. A
message the server refuses is logged and tried again by the next run; it never stops
the batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import Row, bindparam, func, insert, select, update

from champion.assignments.models import Assignment, assignment_modules
from champion.assignments.operations import may_assign
from champion.assignments.queries import (
    STATES,
    module_link,
    overdue_people,
    per_learner,
)
from champion.audit.models import AuditEvent
from champion.audit.operations import record
from champion.auth.models import User
from champion.database import utcnow
from champion.departments.models import Department, department_leads, department_members
from champion.errors import OperationError
from champion.extensions import db
from champion.reminders.calendar import due_date_calendar
from champion.reminders.delivery import deliver_all
from champion.reminders.messages import Email, build_email
from champion.reminders.models import EMAIL_KINDS, EmailPreference, EmailSend

CHUNK = 200  # messages between two writes (and commits) of the sent-log
MESSAGES_PER_DAY = 3  # a lead's messages to their team, per department, in 24 hours
MESSAGE_AUDIENCES = ("everyone", "overdue")


class MessageError(OperationError):
    """The message can't be sent; the message says why."""


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, message: Email, error: str | None, kind: str) -> None:
        if error is None:
            self.sent += 1
            return
        current_app.logger.warning("%s to %s not sent: %s", kind, message.to, error)
        self.failed += 1
        self.errors.append(f"{message.to}: {error}")


def link_context():
    """Where ``url_for(..., _external=True)`` builds absolute links outside a request."""
    if has_request_context():
        return nullcontext()
    base = current_app.config.get("CHAMPION_BASE_URL") or "http://127.0.0.1:5000"
    return current_app.test_request_context(base_url=base)


# --- Preferences -------------------------------------------------------------------------


def wants(kind: str):
    """A condition on ``User.id``: the person has not turned ``kind`` off."""
    return ~User.id.in_(select(EmailPreference.user_id)
                        .where(getattr(EmailPreference, kind).is_(False)))


def preferences(user: User) -> dict[str, bool]:
    row = db.session.get(EmailPreference, user.id)
    return {kind: getattr(row, kind) if row else True for kind in EMAIL_KINDS}


def set_preferences(user: User, wanted: dict[str, bool], how: str = "preferences page") -> None:
    row = db.session.get(EmailPreference, user.id)
    if row is None:
        row = EmailPreference(user_id=user.id)
        db.session.add(row)
    before = {kind: getattr(row, kind) is not False for kind in EMAIL_KINDS}
    for kind in EMAIL_KINDS:
        if kind in wanted:
            setattr(row, kind, bool(wanted[kind]))
    row.updated_at = utcnow()
    after = {kind: getattr(row, kind) for kind in EMAIL_KINDS}
    if before != after:
        record(user, "email.preferences", user,
               f"{user.email}: email preferences changed ({how})",
               **{kind: after[kind] for kind in EMAIL_KINDS if before[kind] != after[kind]})


def unsubscribe(user: User, kind: str) -> None:
    """Turn off one kind of email for one person (the one-click link)."""
    set_preferences(user, {kind: False}, how="unsubscribe link")


# --- The sent-log ------------------------------------------------------------------------


def _log(kind: str, period: str) -> dict[int, Row]:
    """This period's rows of ``kind``, by person."""
    return {row.user_id: row for row in db.session.execute(
        select(EmailSend.user_id, EmailSend.id, EmailSend.tries, EmailSend.sent_at)
        .where(EmailSend.kind == kind, EmailSend.period == period))}


def _write_log(kind: str, period: str, results: list[tuple[int, str | None]],
               logged: dict[int, Row]) -> None:
    """Record ``results`` (person id, error or None) and commit: two statements at most."""
    now = utcnow()
    new = [{"user_id": user_id, "kind": kind, "period": period, "tries": 1,
            "last_error": error, "sent_at": None if error else now, "created_at": now}
           for user_id, error in results if user_id not in logged]
    again = [{"row_id": logged[user_id].id, "tries": logged[user_id].tries + 1,
              "last_error": error, "sent_at": None if error else now}
             for user_id, error in results if user_id in logged]
    if new:
        db.session.execute(insert(EmailSend), new)
    if again:
        table = EmailSend.__table__
        db.session.connection().execute(
            update(table).where(table.c.id == bindparam("row_id"))
            .values(tries=bindparam("tries"), last_error=bindparam("last_error"),
                    sent_at=bindparam("sent_at")), again)
    db.session.commit()


def _deliver(kind: str, period: str, messages: Iterable[tuple[int, Email]],
             logged: dict[int, Row]) -> RunReport:
    """Send (person id, message) pairs, logging each result; never stops on a failure."""
    report = RunReport()
    results: list[tuple[int, str | None]] = []
    for user_id, message, error in deliver_all(messages):
        report.count(message, error, kind)
        results.append((user_id, error))
        if len(results) >= CHUNK:
            _write_log(kind, period, results, logged)
            results = []
    if results:
        _write_log(kind, period, results, logged)
    return report


# --- Reminders ---------------------------------------------------------------------------


@dataclass
class Due:
    assignment_id: int
    title: str
    due_on: date
    state: str
    done: int
    total: int
    url: str = ""

    @property
    def label(self) -> str:
        return STATES[self.state]


def _assignment_links(assignment_ids: set[int]) -> dict[int, str]:
    """Each assignment's deep link: its first module in catalog order (one query)."""
    modules: dict[int, list[int]] = defaultdict(list)
    for assignment_id, module_id in db.session.execute(
        select(assignment_modules.c.assignment_id, assignment_modules.c.module_id)
        .where(assignment_modules.c.assignment_id.in_(assignment_ids))
    ):
        modules[assignment_id].append(module_id)
    links = {}
    for assignment_id, ids in modules.items():
        path = module_link(ids)
        links[assignment_id] = (
            url_for("catalog.module", series_slug=path[0], module_slug=path[1], _external=True)
            if path else url_for("progress.me", _external=True))
    return links


def due_reminders(today: date) -> dict[int, tuple[Row, list[Due]]]:
    """Person id -> (their name and email, what is due within a week or overdue), for
    everyone who wants reminders and has none logged as sent today: one query."""
    assigned = per_learner(today)
    sent_today = select(EmailSend.user_id).where(
        EmailSend.kind == "reminder", EmailSend.period == today.isoformat(),
        EmailSend.sent_at.is_not(None))
    found: dict[int, tuple[Row, list[Due]]] = {}
    for row in db.session.connection().execute(
        select(assigned.c.assignment_id, assigned.c.due_on, assigned.c.state,
               assigned.c.done, assigned.c.total, Assignment.title,
               User.id.label("user_id"), User.name, User.email)
        .join(Assignment, Assignment.id == assigned.c.assignment_id)
        .join(User, User.id == assigned.c.user_id)
        .where(assigned.c.state.in_(["overdue", "due_soon"]), User.active.is_(True),
               wants("reminders"), User.id.not_in(sent_today))
        .order_by(User.id, assigned.c.due_on, Assignment.title)
    ):
        _person, items = found.setdefault(row.user_id, (row, []))
        items.append(Due(row.assignment_id, row.title, row.due_on, row.state, row.done,
                         row.total))
    return found


def _reminder(person: Row, items: list[Due], calendars: dict[tuple[int, date], bytes]) -> Email:
    overdue = sum(item.state == "overdue" for item in items)
    subject = (f"{overdue} overdue: your Champion modules" if overdue
               else f"Due soon: {items[0].title}" if len(items) == 1
               else f"{len(items)} assignments due soon in Champion")
    attachments = [(f"due-{item.due_on.isoformat()}-{item.assignment_id}.ics",
                    calendars[item.assignment_id, item.due_on]) for item in items]
    return build_email(to=person.email, subject=subject, template="reminder",
                       user_id=person.user_id, kind="reminders", attachments=attachments,
                       name=person.name, items=items, overdue=overdue,
                       me_url=url_for("progress.me", _external=True))


def _calendars(due: dict[int, tuple[Row, list[Due]]], links: dict[int, str],
               now: datetime) -> dict[tuple[int, date], bytes]:
    """One calendar file per assignment and due date, shared by everyone it is due for.

    Its UID names the assignment only, so a file sent after the date moved updates the
    event in the person's calendar instead of adding a second one.
    """
    host = (current_app.config.get("CHAMPION_BASE_URL") or "champion").split("//")[-1]
    calendars: dict[tuple[int, date], bytes] = {}
    for _person, items in due.values():
        for item in items:
            key = (item.assignment_id, item.due_on)
            if key not in calendars:
                calendars[key] = due_date_calendar(
                    uid=f"assignment-{item.assignment_id}@{host}", title=item.title,
                    due_on=item.due_on, url=links.get(item.assignment_id, ""), stamp=now,
                    description=f"Champion: complete “{item.title}”")
    return calendars


def send_reminders(today: date | None = None) -> RunReport:
    """One email per person with something due within a week or overdue, at most once a
    day; failures are retried by the next run."""
    now = utcnow()
    today = today or now.date()
    with link_context():
        due = due_reminders(today)
        if not due:
            return RunReport()
        links = _assignment_links({i.assignment_id for _p, items in due.values() for i in items})
        logged = _log("reminder", today.isoformat())
        db.session.rollback()  # nothing read is kept open across the sending
        calendars = _calendars(due, links, now)

        def messages():
            for user_id, (person, items) in due.items():
                for item in items:
                    item.url = links.get(item.assignment_id, "")
                yield user_id, _reminder(person, items, calendars)

        return _deliver("reminder", today.isoformat(), messages(), logged)


# --- The leads' weekly digest ------------------------------------------------------------


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class TeamDigest:
    department: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    overdue: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    finished: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def send_digests(today: date | None = None) -> RunReport:
    """Each lead's weekly digest of their departments: who is overdue, who finished in the
    last seven days, and the counts; once an ISO week."""
    now = utcnow()
    today = today or now.date()
    period = iso_week(today)
    with link_context():
        sent = select(EmailSend.user_id).where(EmailSend.kind == "digest",
                                               EmailSend.period == period,
                                               EmailSend.sent_at.is_not(None))
        leads = db.session.execute(
            select(User.id, User.name, User.email, Department.id.label("department_id"),
                   Department.name.label("department"), Department.slug)
            .join(department_leads, department_leads.c.user_id == User.id)
            .join(Department, Department.id == department_leads.c.department_id)
            .where(User.active.is_(True), wants("digest"), User.id.not_in(sent))
            .order_by(User.id, Department.name)
        ).all()
        if not leads:
            return RunReport()
        departments = {row.department_id: TeamDigest(row.department) for row in leads}
        assigned = per_learner(today, Assignment.department_id.in_(departments))
        since = now - timedelta(days=7)
        for row in db.session.connection().execute(
            select(assigned.c.department_id, assigned.c.state, assigned.c.finished_at,
                   Assignment.title, User.name)
            .join(Assignment, Assignment.id == assigned.c.assignment_id)
            .join(User, User.id == assigned.c.user_id)
            .order_by(User.name)
        ):
            team = departments[row.department_id]
            team.counts[row.state] += 1
            if row.state == "overdue":
                team.overdue[row.title].append(row.name)
            elif row.state == "done" and row.finished_at and row.finished_at >= since:
                team.finished[row.title].append(row.name)
        logged = _log("digest", period)
        db.session.rollback()
        by_lead: dict[int, tuple[Row, list[tuple[Row, TeamDigest]]]] = {}
        for row in leads:
            team = departments[row.department_id]
            if sum(team.counts.values()):
                by_lead.setdefault(row.id, (row, []))[1].append((row, team))

        def messages():
            for lead_id, (lead, teams) in by_lead.items():
                yield lead_id, build_email(
                    to=lead.email, subject=f"Your team this week ({period})",
                    template="digest", user_id=lead_id, kind="digest", name=lead.name,
                    teams=[(url_for("assignments.index", slug=r.slug, _external=True), t)
                           for r, t in teams], states=STATES)

        return _deliver("digest", period, messages(), logged)


# --- Lead messages -----------------------------------------------------------------------


def messages_sent_today(actor: User, department: Department) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.actor_id == actor.id, AuditEvent.action == "team.message",
            AuditEvent.target_type == "department", AuditEvent.target_id == department.id,
            AuditEvent.created_at >= utcnow() - timedelta(days=1))) or 0


def send_team_message(department: Department, actor: User, audience: str, subject: str,
                      body: str, today: date | None = None) -> RunReport:
    """Email the department's members (or those with an overdue assignment) a short
    message from their lead; at most MESSAGES_PER_DAY a day per lead and department,
    each audited. People who turned lead messages off are left out."""
    if not may_assign(actor, department):
        raise MessageError(f"you don't lead {department.name}")
    if audience not in MESSAGE_AUDIENCES:
        raise MessageError("choose who the message is for")
    subject, body = subject.strip(), body.strip()
    if not subject or not body or len(subject) > 120 or len(body) > 2000:
        raise MessageError("a message needs a subject (up to 120 characters) and a text "
                           "(up to 2000)")
    if messages_sent_today(actor, department) >= MESSAGES_PER_DAY:
        raise MessageError(f"you have sent {MESSAGES_PER_DAY} messages to {department.name} "
                           "in the last 24 hours; try again tomorrow")
    query = (select(User.id, User.email)
             .join(department_members, department_members.c.user_id == User.id)
             .where(department_members.c.department_id == department.id,
                    User.active.is_(True), wants("messages"), User.id != actor.id))
    if audience == "overdue":
        query = query.where(User.id.in_(overdue_people(department.id,
                                                       today or utcnow().date())))
    recipients = db.session.execute(query.order_by(User.id)).all()
    record(actor, "team.message", department,
           f"{actor.email} emailed {len(recipients)} of {department.name} ({audience}): "
           f"{subject}", audience=audience, subject=subject, body=body,
           recipients=[r.id for r in recipients])
    report = RunReport()
    with link_context():
        messages = ((person.id, build_email(
            to=person.email, subject=f"{department.name}: {subject}", template="message",
            user_id=person.id, kind="messages", reply_to=actor.email, lead=actor.name,
            department=department.name, body=body)) for person in recipients)
        for _user_id, message, error in deliver_all(messages):
            report.count(message, error, "message")
    return report
