"""Formatting for pages: template filters, and operation errors as sentences."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask
from markupsafe import Markup


def date(value: datetime | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def datetime_utc(value: datetime | None) -> str:
    return value.strftime("%-d %B %Y, %H:%M UTC") if value else ""


def minutes(value: int) -> str:
    if value < 60:
        return f"{value} min"
    hours, rest = divmod(value, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


# What an audit action's first word is about, in the words the audit log's readers use.
AUDIT_SUBJECTS = {
    "assignment": "Assignment", "auth": "Sign-in and account", "award": "Badge",
    "content": "Content", "credit": "Credit", "department": "Department", "draft": "Draft",
    "email": "Email", "evaluation": "Evaluation", "invite": "Invite", "lead": "Lead",
    "lti": "LMS (LTI)", "media": "Media", "member": "Membership", "module": "Module",
    "quiz": "Quiz", "roster": "Roster", "scim": "Provisioning (SCIM)",
    "sso": "Single sign-on", "team": "Team", "two_factor": "Two-factor", "user": "Account",
}


def audit_action(action: str) -> str:
    """``user.rename`` as "Account: rename"; ``scim.user.create`` as "Provisioning (SCIM):
    user create". The raw name stays the filter's value."""
    subject, _, rest = action.partition(".")
    words = rest.replace(".", " ").replace("_", " ").replace("-", " ")
    label = AUDIT_SUBJECTS.get(subject, subject.replace("_", " ").capitalize())
    return f"{label}: {words}" if words else label


_PART = re.compile(r'<div class="reading-part" id="(part-\d+)">\s*<h[23][^>]*>(.*?)</h[23]>', re.S)


def reading_contents(body_html: str | None) -> list[tuple[str, str]]:
    """(anchor, heading as text) of each part of a module's reading view that opens with
    a heading: the contents list at the top of a long module."""
    return [(anchor, Markup(title).striptags())
            for anchor, title in _PART.findall(body_html or "")]


def sentence(message: object, end: str = ".") -> str:
    """An operation's error ("you can't ...") as a sentence for a flash or a form field.

    Only the first letter changes: names, emails and slugs inside keep their case.
    """
    text = str(message)
    return text[:1].upper() + text[1:] + end


def register(app: Flask) -> None:
    from champion.progress.models import STATUS_LABELS

    app.add_template_global(STATUS_LABELS, "status_labels")
    app.add_template_filter(date)
    app.add_template_filter(datetime_utc)
    app.add_template_filter(minutes)
    app.add_template_filter(audit_action)
    app.add_template_filter(reading_contents)
