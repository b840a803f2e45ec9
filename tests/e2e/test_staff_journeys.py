"""The staff journeys of issue 17 in a real Chromium, on a desktop and a 390 px phone, with
axe on every page visited: an educator (GIFT, toolbar, history, analysis, preview), a lead
(counts, a page per person, CSV, roster, invites, phone) and an admin (leads' departments,
email, reset, audit filters)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from champion.auth.models import Role
from champion.catalog.models import Module
from champion.departments.models import Department
from champion.extensions import db
from tests.e2e.conftest import check_accessibility
from tests.e2e.test_journeys import CHAMPION_MODULES, sign_in, sync_curriculum
from tests.helpers import complete_module, make_user

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def words(page) -> str:
    return " ".join(page.inner_text("main").split())


def assert_editor_words(page) -> None:
    """The browser editor speaks of fields, lines of its boxes and questions: never of a
    file, its Markdown lines or a command."""
    text = words(page)
    for word in (".md", "of the Markdown", "champion modules", "modules/"):
        assert word not in text, word


def test_an_educator_imports_formats_compares_and_reads_the_analysis(
        app, live_server, new_page, educator, tmp_path):
    sync_curriculum()
    module = db.session.scalar(select(Module).where(Module.slug == CHAMPION_MODULES[0].slug))
    base, page = live_server, new_page()
    sign_in(page, base, educator.email)
    page.goto(base + "/author/")
    page.click(f"tr:has-text('{module.current_version.title}') >> button:has-text('Edit')")
    page.wait_for_selector("form.editor")
    title = module.current_version.title
    assert "draft in" in page.inner_text("h1") and ".md" not in page.inner_text("h1")

    # The toolbar: one Tab stop, arrow keys between buttons, Markdown at the cursor.
    toolbar = page.locator("[role=toolbar][aria-controls=body]")
    assert toolbar.locator("button").count() == 8
    for name in ("Bold", "Italic", "Heading", "Bulleted list", "Link", "Image", "Slide break",
                 "Presenter note"):
        assert toolbar.get_by_role("button", name=name, exact=True).count() == 1
    body = page.locator("textarea[name=body]")
    body.evaluate("area => { area.focus(); area.setSelectionRange(0, 0); }")
    page.keyboard.type("Key point\n\n")
    body.evaluate("area => area.setSelectionRange(0, 0)")
    page.keyboard.press("Shift+Tab")  # back to the toolbar, on its first button
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Bold"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Heading"
    page.keyboard.press("Enter")
    assert body.input_value().startswith("## Key point\n\n## ")
    body.evaluate("area => area.setSelectionRange(area.value.length, area.value.length)")
    toolbar.get_by_role("button", name="Presenter note").click()
    assert "<!-- Presenter note: not shown to learners -->" in body.input_value()
    check_accessibility(page, "staff-author-edit-toolbar")
    assert_editor_words(page)
    page.click("text=Save the draft")
    assert "Draft saved" in words(page)

    # A GIFT file: the multiple-choice question is imported, the others listed by line.
    gift = tmp_path / "bank.gift"
    gift.write_text("::One:: Which helps first? {=A fan ~Oxygen for all}\n\n"
                    "::Two:: Fans help. {T}\n")
    page.click("nav.tabs >> text=Quiz")
    assert f"Quiz: {title}" in page.inner_text("h1")
    assert title in page.inner_text("nav.breadcrumbs")
    assert "Single answer" in words(page) or "Select all that apply" in words(page)
    box = page.locator("input.big-check").first.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # a large "correct" control
    page.set_input_files("input[name=gift]", str(gift))
    page.check("input[name=mode][value=append]")
    page.click("main button:has-text('Import')")
    text = words(page)
    assert "Imported 1 question into the draft; skipped 1: line 3: question 2 is a " \
           "true/false question" in text
    assert "Which helps first?" in page.content()
    check_accessibility(page, "staff-author-quiz-imported")
    assert_editor_words(page)
    bad = tmp_path / "bad.gift"
    bad.write_text("Is it true? {T}\n")
    page.set_input_files("input[name=gift]", str(bad))
    page.click("main button:has-text('Import')")
    assert "Nothing was imported" in words(page)
    assert "No questions yet" not in words(page)
    assert "Which helps first?" in page.content()  # the draft's questions, still there
    check_accessibility(page, "staff-author-quiz-refused")
    phone = new_page(**PHONE)
    sign_in(phone, base, educator.email)
    phone.goto(base + page.get_attribute("nav.tabs a:has-text('Quiz')", "href"))
    assert no_sideways_scroll(phone)  # the choices scroll inside their question
    check_accessibility(phone, "staff-author-quiz-phone")

    # The preview: slides with presenter notes, the key, labelled as the educator's view.
    page.click("nav.tabs >> text=Preview and publish")
    shown = words(page).lower()  # the labels are set in capitals
    assert "slides and presenter notes (educator's view" in shown
    assert "presenter note: not shown to learners" in shown
    assert "the quiz, with the key (educator's view)" in shown
    check_accessibility(page, "staff-author-preview")
    assert_editor_words(page)
    page.click("main button:has-text('Publish')")

    # History: the module as read, word by word; only what changed is marked.
    page.select_option("select[name=a]", "1")
    page.select_option("select[name=b]", "2")
    page.click("text=Show the differences")
    diff = page.locator(".word-diff")
    assert "Key point" in diff.locator("ins").all_inner_texts()[0]
    assert diff.locator("del").count() <= 2  # the first edit no longer reformats the file
    assert "unchanged paragraphs" in diff.inner_text()
    check_accessibility(page, "staff-author-history")

    page.click("text=Item analysis")
    assert "nothing is flagged yet" in words(page) and "⚠" not in words(page)
    check_accessibility(page, "staff-author-analysis")

    phone.goto(page.url.replace("/analysis", "/history") + "?a=1&b=2")
    assert no_sideways_scroll(phone)
    check_accessibility(phone, "staff-author-history-phone")


def test_a_lead_reads_honest_numbers_a_person_and_imports_a_roster(
        app, live_server, new_page, department, lead, tmp_path):
    sync_curriculum()
    holder = make_user(Role.LEARNER, email="holder@example.org", department=department)
    gone = make_user(Role.LEARNER, email="gone@example.org", department=department)
    holder.name, gone.name = "Hana Holder", "Gil Gone"
    db.session.commit()
    for module in CHAMPION_MODULES:
        complete_module(holder, module.series, module.slug)
    gone.active = False
    db.session.commit()

    base, page = live_server, new_page()
    sign_in(page, base, lead.email)
    page.goto(base + "/team/gyn-onc/")
    text = words(page)
    assert "1 members" in text or "1 member" in text
    assert "1 completed what the badge requires" in text
    assert "1 deactivated account is left out" in text and "Gil Gone" not in text
    assert "Toward the badge" in text
    assert page.locator("svg.chart text", has_text="Modules completed").count() == 1
    assert page.locator("svg.chart text", has_text="Week starting").count() == 1
    check_accessibility(page, "staff-team-dashboard")

    with page.expect_download() as download:
        page.click("text=Download completion CSV")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["name"] for r in rows] == ["Hana Holder"] and rows[0]["status"] == "Complete"

    page.click("a:has-text('Hana Holder')")
    assert "Hana Holder" in page.inner_text("h1")
    text = words(page)
    assert "Palliative Care Champion — earned" in text and "Modules" in text
    check_accessibility(page, "staff-team-person")

    page.goto(base + "/team/gyn-onc/members")
    assert "Deactivated not counted on the dashboard" in words(page)
    roster = tmp_path / "roster.csv"
    roster.write_text("email;name\nnew.person@example.org;Nia New\n\n"
                      "holder@example.org;Hana Holder\n")
    page.set_input_files("input[name=roster]", str(roster))
    page.click("main button:has-text('Import')")
    assert ("The roster had 3 rows under its header: 1 new account, 0 existing accounts "
            "asked to join, 1 already member, 1 blank row skipped.") in words(page)
    page.fill("input[name=days]", "7")
    page.fill("input[name=max_uses]", "5")
    page.click("text=Create an invite code")
    assert "0 of 5" in words(page)
    check_accessibility(page, "staff-team-members")

    phone = new_page(**PHONE)
    sign_in(phone, base, lead.email)
    for url in ("/team/gyn-onc/", f"/team/gyn-onc/people/{holder.id}", "/team/gyn-onc/members"):
        phone.goto(base + url)
        assert no_sideways_scroll(phone), url
        check_accessibility(phone, "staff-team-phone" + url.replace("/", "-"))


def test_an_admin_makes_a_lead_corrects_an_address_and_searches_the_audit_log(
        app, live_server, new_page, admin, learner):
    db.session.add(Department(slug="onc-surg", name="Oncologic Surgery"))
    db.session.commit()
    anonymous = new_page()
    sign_in(anonymous, live_server, learner.email, "not the password at all")

    base, page = live_server, new_page()
    sign_in(page, base, admin.email)
    page.goto(f"{base}/admin/people/{learner.id}")
    page.select_option("select[name=role]", "lead")
    page.click("text=Change role")
    assert "Choose the department(s) Test Learner will lead" in words(page)
    check_accessibility(page, "staff-admin-person-lead-refused")
    page.check("label:has-text('Oncologic Surgery')")
    page.click("text=Change role")
    assert "Test Learner is now lead." in words(page)
    assert "Leads: Oncologic Surgery" in words(page)

    page.fill("input[name=email]", "ann.lee@example.org")
    page.click("text=Change email")
    assert "The email is now ann.lee@example.org" in words(page)
    page.click("text=Send a password reset to ann.lee@example.org")
    assert "A password reset link was mailed to ann.lee@example.org" in words(page)
    check_accessibility(page, "staff-admin-person")

    page.click("nav.tabs >> text=Audit log")
    assert "Someone not signed in (web)" in words(page)
    assert "Command line" not in words(page)
    page.fill("input[name=who]", admin.email)
    page.select_option("select[name=action]", "user.email")
    page.click("main button:has-text('Filter')")
    text = words(page)
    assert "1 change matches" in text and "email changed to ann.lee@example.org" in text
    check_accessibility(page, "staff-admin-audit")
    with page.expect_download() as download:
        page.click("text=Download these as CSV")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["action"] for r in rows] == ["user.email"]

    phone = new_page(**PHONE)
    sign_in(phone, base, admin.email)
    for url in ("/admin/audit", f"/admin/people/{learner.id}"):
        phone.goto(base + url)
        assert no_sideways_scroll(phone), url
        check_accessibility(phone, "staff-admin-phone" + url.replace("/", "-"))
