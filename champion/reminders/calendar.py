"""Calendar files for due dates (RFC 5545, built with icalendar): pure, no Flask."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//Champion//Assignments//EN"


def due_date_calendar(*, uid: str, title: str, due_on: date, url: str, stamp: datetime,
                      description: str = "") -> bytes:
    """An all-day event on ``due_on``. ``uid`` stays the same for one person's assignment,
    so importing a later file with a changed date moves the event instead of adding one."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", f"Due: {title}")
    event.add("dtstart", due_on)
    event.add("dtend", due_on + timedelta(days=1))
    event.add("url", url)
    event.add("description", f"{description}\n{url}".strip())
    event.add("transp", "TRANSPARENT")  # a deadline, not time that is busy
    calendar.add_component(event)
    return calendar.to_ical()
