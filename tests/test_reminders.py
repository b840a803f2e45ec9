"""Reminders, digests and lead messages, sent to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from email.message import Message

from icalendar import Calendar
from sqlalchemy import func, select

from champion.assignments.models import AssignedLearner
from champion.assignments.operations import create_assignment, resolve_target
from champion.audit.models import AuditEvent
from champion.auth.models import Role
from champion.database import utcnow
from champion.departments.models import Department
from champion.extensions import db
from champion.reminders.models import EmailPreference, EmailSend
from champion.reminders.operations import (
    MESSAGES_PER_DAY,
    send_digests,
    send_reminders,
)
from champion.reminders.tokens import unsubscribe_token
from tests.helpers import client_for, complete_module, make_user, post

TODAY = utcnow().date()
BASICS = ("first-steps", "second-steps", "reading")  # its required modules


def assign(department, lead, due_in: int = 3, **kwargs):
    target = resolve_target("series", "basics", [])
    assignment = create_assignment(department, lead, target,
                                   due_on=TODAY + timedelta(days=due_in), **kwargs)
    db.session.commit()
    return assignment


def parsed(raw: str) -> Message:
    return email.message_from_string(raw, policy=email.policy.default)


def part(message: Message, content_type: str) -> Message:
    return next(p for p in message.walk() if p.get_content_type() == content_type)


def text_of(message: Message, content_type: str = "text/plain") -> str:
    return part(message, content_type).get_content().replace("\r\n", "\n")


def recipients(smtp) -> list[str]:
    return [parsed(raw)["To"] for raw in smtp.messages]


def test_assignment_reminder_with_calendar_then_completion_stops_reminders(
        app, synced, department, lead, learner, smtp):
    assignment = assign(department, lead, due_in=3)

    report = send_reminders(TODAY)

    assert (report.sent, report.failed) == (1, 0)
    (raw,) = smtp.messages
    message = parsed(raw)
    assert message["To"] == learner.email
    assert "Due soon" in message["Subject"]
    # RFC 8058: a one-click https link, and the header that says a POST does it.
    assert re.fullmatch(r"<https://champion\.test/me/notifications/unsubscribe/[^>]+>",
                        message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = text_of(message)
    assert "Basics" in body and "https://champion.test/modules/basics/first-steps" in body
    html = text_of(message, "text/html")
    assert '<html lang="en">' in html and "<title>" in html
    assert 'href="https://champion.test/modules/basics/first-steps"' in html
    # The calendar file parses back: an all-day event on the due date.
    attachment = part(message, "text/calendar")
    assert attachment.get_filename().endswith(".ics")
    calendar = Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == assignment.due_on
    assert str(event["summary"]) == "Due: The Basics"
    assert str(event["uid"]) == f"assignment-{assignment.id}@champion.test"

    for slug in BASICS:
        complete_module(learner, "basics", slug)
    assert send_reminders(TODAY + timedelta(days=1)).sent == 0
    assert send_reminders(TODAY + timedelta(days=10)).sent == 0  # done is never overdue
    assert len(smtp.messages) == 1


def test_a_second_run_the_same_day_sends_nothing(app, synced, department, lead, learner, smtp):
    assign(department, lead, due_in=1)
    assert send_reminders(TODAY).sent == 1
    assert send_reminders(TODAY).sent == 0
    assert len(smtp.messages) == 1
    # The next day is a new reminder.
    assert send_reminders(TODAY + timedelta(days=1)).sent == 1


def test_nothing_due_within_a_week_is_not_reminded(app, synced, department, lead, learner, smtp):
    assign(department, lead, due_in=20)
    assert send_reminders(TODAY).sent == 0
    assert send_reminders(TODAY + timedelta(days=14)).sent == 1  # six days left
    overdue = parsed(smtp.messages[0])
    assert send_reminders(TODAY + timedelta(days=21)).sent == 1
    assert "overdue" in parsed(smtp.messages[1])["Subject"]
    assert "overdue" not in overdue["Subject"]


def test_an_smtp_outage_mid_batch_loses_no_reminder(app, synced, department, lead, smtp):
    people = [make_user(Role.LEARNER, f"learner{n}@example.org", department) for n in range(5)]
    assign(department, lead)
    smtp.refuse_after = 2  # the server starts refusing after two messages

    first = send_reminders(TODAY)

    assert (first.sent, first.failed) == (2, 3)
    failed = db.session.scalars(select(EmailSend).where(EmailSend.sent_at.is_(None))).all()
    assert len(failed) == 3 and all("451" in row.last_error for row in failed)
    smtp.refuse_after = None  # the server is back: the next run sends what failed
    second = send_reminders(TODAY)
    assert (second.sent, second.failed) == (3, 0)
    assert sorted(recipients(smtp)) == sorted(p.email for p in people)
    assert send_reminders(TODAY).sent == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.max(EmailSend.tries))) == 2


def test_a_server_that_is_down_fails_the_batch_without_stopping_it(
        app, synced, department, lead, learner, runner):
    make_user(Role.LEARNER, "second@example.org", department)
    assign(department, lead)
    app.config.update(CHAMPION_SMTP_HOST="127.0.0.1", CHAMPION_SMTP_PORT=1)  # nobody there
    try:
        result = runner.invoke(args=["reminders", "send"])
    finally:
        app.config.update(CHAMPION_SMTP_HOST=None, CHAMPION_SMTP_PORT=25)
    assert result.exit_code == 1
    assert "reminders: 0 sent, 2 failed" in result.output
    assert db.session.scalar(select(func.count()).select_from(EmailSend)
                             .where(EmailSend.kind == "reminder")) == 2


def test_unsubscribe_from_the_link_alone(app, synced, department, lead, learner, smtp):
    assign(department, lead)
    send_reminders(TODAY)
    link = re.search(r"<https://champion\.test(/[^>]+)>",
                     parsed(smtp.messages[0])["List-Unsubscribe"])[1]
    anonymous = client_for(app)

    page = anonymous.get(link)  # opening it in a browser only asks
    assert page.status_code == 200 and "Stop sending" in page.get_data(as_text=True)
    assert db.session.get(EmailPreference, learner.id) is None
    # The mail client's one-click POST: no session, no CSRF token.
    done = anonymous.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "will no longer get" in done.get_data(as_text=True)
    row = db.session.get(EmailPreference, learner.id)
    assert (row.reminders, row.digest, row.messages) == (False, True, True)
    assert send_reminders(TODAY + timedelta(days=1)).sent == 0


def test_an_unsubscribe_link_acts_for_one_person_and_one_kind_only(
        app, synced, department, lead, learner):
    anonymous = client_for(app)
    token = unsubscribe_token(learner.id, "reminders")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert anonymous.post(f"/me/notifications/unsubscribe/{forged}").status_code == 410
    assert anonymous.get(f"/me/notifications/unsubscribe/{forged}").status_code == 410
    assert anonymous.post(f"/me/notifications/unsubscribe/{token}").status_code == 200
    assert db.session.get(EmailPreference, lead.id) is None
    # The exemption from CSRF is this link's alone: the preferences form still needs it.
    signed_in = client_for(app, learner)
    assert signed_in.post("/me/notifications", data={"reminders": "y"}).status_code == 400


def test_the_preferences_page_turns_kinds_on_and_off(app, synced, learner_client, learner):
    assert learner_client.get("/me/notifications").status_code == 200
    post(learner_client, "/me/notifications", {"reminders": "y"})
    row = db.session.get(EmailPreference, learner.id)
    assert (row.reminders, row.digest, row.messages) == (True, False, False)
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "email.preferences")) is not None


def test_leads_get_a_weekly_digest_once_a_week(app, synced, department, lead, learner, smtp):
    finisher = make_user(Role.LEARNER, "finisher@example.org", department)
    finisher.name = "Fay Finisher"
    assign(department, lead, due_in=1)
    for slug in BASICS:
        complete_module(finisher, "basics", slug)
    later = TODAY + timedelta(days=2)  # the learner is overdue by then

    report = send_digests(later)

    assert report.sent == 1
    (raw,) = smtp.messages
    message = parsed(raw)
    assert message["To"] == lead.email
    body = text_of(message)
    assert "Overdue:\n- The Basics: Test Learner\n" in body
    assert "Finished this week:\n- The Basics: Fay Finisher\n" in body
    assert "1 overdue" in body and "1 done" in body
    assert send_digests(later).sent == 0  # same ISO week
    next_week = later + timedelta(days=7)
    assert send_digests(next_week).sent == 1


# --- Lead messages ----------------------------------------------------------------------


def test_a_lead_messages_the_overdue_ones(app, synced, department, lead, learner, smtp):
    done = make_user(Role.LEARNER, "done@example.org", department)
    assign(department, lead, due_in=0)
    for slug in BASICS:
        complete_module(done, "basics", slug)
    db.session.execute(
        AssignedLearner.__table__.update().values(due_on=TODAY - timedelta(days=2)))
    db.session.commit()
    client = client_for(app, lead)

    response = post(client, "/team/gyn-onc/message",
                    {"audience": "overdue", "subject": "Please finish Basics",
                     "body": "Ten minutes each."})

    assert response.status_code == 302
    assert recipients(smtp) == [learner.email]
    message = parsed(smtp.messages[0])
    assert message["Reply-To"] == lead.email
    assert message["Subject"] == "Gynecologic Oncology: Please finish Basics"
    assert "Ten minutes each." in text_of(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "team.message"))
    assert event.actor_id == lead.id and event.detail["recipients"] == [learner.id]


def test_lead_messages_are_rate_limited(app, synced, department, lead, learner, smtp):
    client = client_for(app, lead)
    form = {"audience": "everyone", "subject": "Hello", "body": "Hi all"}
    for _ in range(MESSAGES_PER_DAY):
        assert post(client, "/team/gyn-onc/message", form).status_code == 302
    refused = post(client, "/team/gyn-onc/message", form)
    assert refused.status_code == 422
    assert "try again tomorrow" in refused.get_data(as_text=True)
    assert len(smtp.messages) == MESSAGES_PER_DAY


def test_a_lead_cannot_message_another_department(app, synced, department, lead, smtp):
    other = Department(slug="onc-surg", name="Oncologic Surgery")
    db.session.add(other)
    db.session.commit()
    make_user(Role.LEARNER, "surgeon@example.org", other)
    client = client_for(app, lead)
    response = post(client, "/team/onc-surg/message",
                    {"audience": "everyone", "subject": "Hi", "body": "Spam"})
    assert response.status_code == 404
    assert smtp.messages == []


def test_people_who_turned_lead_messages_off_are_left_out(
        app, synced, department, lead, learner, smtp):
    second = make_user(Role.LEARNER, "second@example.org", department)
    anonymous = client_for(app)
    anonymous.post(f"/me/notifications/unsubscribe/{unsubscribe_token(learner.id, 'messages')}")
    post(client_for(app, lead), "/team/gyn-onc/message",
         {"audience": "everyone", "subject": "Hi", "body": "News"})
    assert recipients(smtp) == [second.email]


def test_withdrawn_and_not_yet_started_assignments_remind_no_one(
        app, synced, department, lead, learner, smtp):
    withdrawn = assign(department, lead)
    withdrawn.withdrawn_at = utcnow()
    assign(department, lead, starts_on=TODAY + timedelta(days=2))
    assert send_reminders(TODAY).sent == 0
    assert send_reminders(TODAY + timedelta(days=2)).sent == 1  # the start date came


def test_the_command_sends_and_says_how_many(app, synced, department, lead, learner, smtp,
                                             runner):
    assign(department, lead)
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "reminders: 1 sent, 0 failed" in result.output
    assert "digests: 1 sent, 0 failed" in result.output
    again = runner.invoke(args=["reminders", "send"])
    assert "reminders: 0 sent, 0 failed" in again.output
    wrong = runner.invoke(args=["reminders", "send", "--date", "next tuesday"])
    assert wrong.exit_code == 2 and "is not a date like" in wrong.output


def test_my_data_holds_my_assignments_and_email(app, synced, department, lead, learner, smtp):
    assign(department, lead)
    send_reminders(TODAY)
    data = client_for(app, learner).get("/me/data.json").get_json()
    assert [a["title"] for a in data["assignments"]] == ["The Basics"]
    assert data["email_preferences"] == {"reminders": True, "digest": True, "messages": True}
    assert [(e["kind"], e["period"]) for e in data["emails_sent"]] == [
        ("reminder", TODAY.isoformat())]
