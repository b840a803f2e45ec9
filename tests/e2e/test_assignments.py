"""A lead assigns a series with a due date; a learner sees it first; axe on every page,
and on the reminder email's HTML."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

from champion.database import utcnow
from champion.reminders.operations import send_reminders
from tests.e2e.conftest import AXE
from tests.e2e.conftest import check_accessibility as serious_violations
from tests.e2e.test_journeys import sign_in, sync_curriculum

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def check_accessibility(page, name: str) -> None:
    """No serious axe violation (as every journey checks), and none at all of axe's WCAG
    2.1/2.2 AA rules (the bar of the accessibility conformance report)."""
    serious_violations(page, name)
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                     "resultTypes": ["violations"]})
    found = [f"{v['impact']}: {v['id']}: {v['help']} ({v['nodes'][0]['target']})"
             for v in results.response["violations"]]
    assert found == [], f"WCAG violations on {name} ({page.url}): {found}"


def test_a_lead_assigns_and_a_learner_sees_it(app, live_server, new_page, lead, learner,
                                              smtp):
    sync_curriculum()
    due = utcnow().date() + timedelta(days=4)

    page = new_page()
    sign_in(page, live_server, lead.email)
    page.goto(f"{live_server}/team/gyn-onc/")
    check_accessibility(page, "dashboard-assignments")
    page.click("text=Assign modules, change due dates, or message your team")
    page.wait_for_url(f"{live_server}/team/gyn-onc/assignments")
    check_accessibility(page, "assignments")
    page.check("input[name=kind][value=series]")
    page.select_option("select[name=series]", "part-1")
    page.check("input[name=audience][value=everyone]")
    page.fill("input[name=due_on]", due.isoformat())
    page.click("button:text('Assign')")
    page.wait_for_url(f"{live_server}/team/gyn-onc/assignments")
    assert "assigned, due" in page.inner_text(".flash, [role=status], body")
    check_accessibility(page, "assignments-after")
    page.click("table.assignments th a")
    assert learner.email in page.inner_text("main")
    check_accessibility(page, "assignment-detail")

    mine = new_page()
    sign_in(mine, live_server, learner.email)
    mine.goto(f"{live_server}/")
    assigned = mine.locator("#assigned-heading")
    assert assigned.is_visible()
    text = mine.inner_text(".assigned")
    assert "Palliative Care Module Series, Part 1" in text and "Due soon" in text
    # First on the page: before any series.
    assert mine.locator("main h2").first.inner_text() == "Assigned to you"
    check_accessibility(mine, "catalog-assigned")
    mine.click(".assigned a")
    assert "Assigned to you in" in mine.inner_text("main")
    check_accessibility(mine, "module-assigned")
    mine.goto(f"{live_server}/me")
    assert "Assigned to you" in mine.inner_text("main")
    check_accessibility(mine, "me-assigned")
    mine.goto(f"{live_server}/me/notifications")
    check_accessibility(mine, "notifications")

    # The reminder's HTML part, as a mail client would show it, and its unsubscribe link.
    assert send_reminders().sent == 1
    message = email.message_from_string(smtp.messages[0], policy=email.policy.default)
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    mail = new_page()
    mail.set_content(html.get_content())
    check_accessibility(mail, "reminder-email")
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(live_server)
    mail.goto(unsubscribe)
    check_accessibility(mail, "unsubscribe")
    mail.click("button:text('Unsubscribe')")
    assert "will no longer get" in mail.inner_text("main")
