"""The journeys each kind of user takes, in a real Chromium, with axe on every page."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from sqlalchemy import select

from champion.auth.models import Role
from champion.badges.models import BadgeAward
from champion.catalog.sync import sync_content
from champion.content import load_content
from champion.extensions import db
from tests.e2e.conftest import ROOT, check_accessibility
from tests.helpers import PASSWORD, complete_module, mailed_link, make_user

CURRICULUM = load_content(ROOT / "modules")
CHAMPION_MODULES = [m for m in CURRICULUM.modules if m.series in ("part-1", "part-2")]


def plain(fragment: str) -> str:
    """Text as a reader sees it, compared without its spacing (markup moves spaces)."""
    return "".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def answer_key(module) -> dict[str, set[str]]:
    """Each question's prompt -> its correct choices, as text a reader sees: the page shows
    questions and choices in an order of its own, so a learner answers by what they say."""
    from champion.content import render_module

    quiz = render_module(module).quiz
    return {plain(q["prompt"]): {plain(c["html"]) for c in q["choices"] if c["correct"]}
            for q in quiz["questions"]}


def correct_inputs(page, module) -> list[str]:
    """The ids of the inputs a learner who knows the answers would choose on this page."""
    key, chosen = answer_key(module), []
    for question in page.query_selector_all("fieldset.question"):
        correct = key["".join(question.query_selector(".question-prompt").inner_text().split())]
        for choice in question.query_selector_all("li.choice"):
            if "".join(choice.query_selector("label").inner_text().split()) in correct:
                chosen.append(choice.query_selector("input").get_attribute("id"))
    return chosen


def read_to_the_end(page, base: str, module) -> None:
    """Open the module's reading view and scroll to its end, which the page reports (at
    once, for a module whose end shows without scrolling)."""
    with page.expect_response(lambda r: r.url.endswith("/activity") and r.ok):
        page.goto(f"{base}/modules/{module.series}/{module.slug}")
        page.locator("[data-presentation-end]").scroll_into_view_if_needed()


def sync_curriculum() -> None:
    sync_content(CURRICULUM)
    db.session.commit()


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def answer(page, module) -> None:
    for input_id in correct_inputs(page, module):
        page.check(f"#{input_id}")
    page.click("main button[type=submit]:has-text('Submit answers')")
    page.wait_for_load_state()


def give_the_evaluation(page, follow_up: bool = False) -> None:
    """Answer the programme evaluation on its page, and submit it."""
    page.check("input[name=relevance][value='5']")
    page.check("input[name=balanced][value=yes]")
    page.check("input[name=free_of_commercial_bias][value=yes]")
    page.check("input[name=competence][value=yes]")
    page.check("input[name=performance][value=yes]")
    page.fill("textarea[name=practice_change]", "Ask about goals at the first recurrence.")
    if follow_up:
        page.check("input[name=follow_up]")
    page.click("main button[type=submit]")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_learner_goes_from_registration_to_badge_certificate_and_verification(
        app, live_server, new_page, smtp):
    sync_curriculum()
    base, page = live_server, new_page()
    page.goto(base + "/")
    check_accessibility(page, "catalog-anonymous")
    page.click("text=Create a free account")
    page.fill("input[name=name]", "Riley Resident")
    page.fill("input[name=email]", "riley@hospital.example")
    page.fill("input[name=password]", "short")
    page.fill("input[name=confirm]", "short")
    page.click("main button[type=submit]")
    assert page.get_attribute("input[name=password]", "aria-invalid") == "true"
    check_accessibility(page, "register-errors")
    page.fill("input[name=password]", "a long enough passphrase")
    page.fill("input[name=confirm]", "a long enough passphrase")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Check your email')")
    check_accessibility(page, "register-sent")
    page.click("main a:has-text('sign in')")
    page.fill("input[name=email]", "riley@hospital.example")
    page.fill("input[name=password]", "a long enough passphrase")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    check_accessibility(page, "catalog")

    # The address is confirmed from the link mailed to it (badges name it).
    [mail] = smtp.messages
    page.goto(mailed_link(mail, "/auth/verify/"))
    check_accessibility(page, "verify-email")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/me")
    assert "riley@hospital.example is verified" in page.inner_text("body")

    first = CHAMPION_MODULES[0]
    page.click(f"a:has-text('{first.title}')")
    check_accessibility(page, "module")
    page.click("text=Presentation mode")
    page.wait_for_selector("[data-deck][data-ready]")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.inner_text("[data-current]") == "3"
    assert "Presenter" not in page.inner_text("main")
    check_accessibility(page, "slides")

    # A first attempt that fails shows which questions were wrong, never the key.
    read_to_the_end(page, base, first)
    page.goto(f"{base}/modules/{first.series}/{first.slug}/quiz")
    check_accessibility(page, "quiz")
    right = set(correct_inputs(page, first))
    for question in page.query_selector_all("fieldset.question"):
        wrong = [c.get_attribute("id") for c in question.query_selector_all("input")
                 if c.get_attribute("id") not in right]
        question.query_selector(f"#{wrong[0]}").check()
    page.click("main button[type=submit]:has-text('Submit answers')")
    page.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    assert "Not yet passed" in page.inner_text("h1")
    assert "Correct answer" not in page.inner_text("main")
    assert page.locator(".explanation, .tag-key, .is-key, .feedback").count() == 0
    check_accessibility(page, "quiz-result-failed")

    # The retake entirely by keyboard: tab to each answer, space to choose it.
    page.click("text=Retake the quiz")
    for input_id in correct_inputs(page, first):
        page.focus(f"#{input_id}")
        page.keyboard.press("Space")
    page.focus("main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    assert "Passed" in page.inner_text("h1")
    assert "Correct answer" in page.inner_text("main")
    check_accessibility(page, "quiz-result")

    *middle, last = CHAMPION_MODULES[1:]
    for module in middle:
        read_to_the_end(page, base, module)
        page.goto(f"{base}/modules/{module.series}/{module.slug}/quiz")
        answer(page, module)
        assert "Passed" in page.inner_text("h1"), module.key
    # The last quiz passed before the module was read: not complete until it is.
    page.goto(f"{base}/modules/{last.series}/{last.slug}/quiz")
    answer(page, last)
    assert "Passed" in page.inner_text("h1")
    assert "to its end" in page.inner_text("main")
    assert "badge" not in page.inner_text("main")
    page.goto(base + "/me")
    assert "Quiz passed; reach the end of the module to complete it." in page.inner_text("main")
    read_to_the_end(page, base, last)
    page.goto(base + "/me")
    assert "You earned the Palliative Care Champion badge." in page.inner_text("main")

    page.goto(base + "/me")
    check_accessibility(page, "me")
    page.click("text=Get your certificate")
    check_accessibility(page, "evaluation")
    give_the_evaluation(page)
    check_accessibility(page, "certificate")
    with page.expect_download() as download:
        page.click("text=Download the certificate (PDF)")
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"

    page.goto(base + "/me")
    verification = page.get_attribute("a:has-text('Open the verification page')", "href")
    stranger = new_page()
    stranger.goto(base + verification)
    assert "Riley Resident" in stranger.inner_text("main")
    assert "riley@hospital.example" not in stranger.content()
    check_accessibility(stranger, "verification")

    phone = new_page(360, 740)
    phone.context.add_cookies(page.context.cookies())
    for url in ("/", f"/modules/{first.series}/{first.slug}",
                f"/modules/{first.series}/{first.slug}/quiz", "/me"):
        phone.goto(base + url)
        assert no_horizontal_scroll(phone), url
    check_accessibility(phone, "quiz-phone")


def test_a_lead_invites_a_learner_and_exports_the_dashboard(app, live_server, new_page,
                                                            department, lead):
    sync_curriculum()
    base = live_server
    learner = make_user(Role.LEARNER, email="newcomer@example.org")
    lead_page = new_page()
    sign_in(lead_page, base, lead.email)
    lead_page.goto(base + "/team/")
    check_accessibility(lead_page, "team-dashboard-empty")
    lead_page.click("nav.tabs >> text=Members and invites")
    lead_page.click("text=Create an invite code")
    check_accessibility(lead_page, "team-members")
    link = lead_page.input_value("input[aria-label^='Invite link']")

    learner_page = new_page()
    sign_in(learner_page, base, learner.email)
    learner_page.goto(link)
    check_accessibility(learner_page, "join")
    learner_page.click("main button[type=submit]")
    assert "You are a member of Gynecologic Oncology" in learner_page.inner_text("main")
    module = CHAMPION_MODULES[0]
    read_to_the_end(learner_page, base, module)
    learner_page.goto(f"{base}/modules/{module.series}/{module.slug}/quiz")
    answer(learner_page, module)

    lead_page.goto(base + "/team/gyn-onc/")
    text = lead_page.inner_text("main")
    assert "newcomer@example.org" in text and "Complete" in text
    check_accessibility(lead_page, "team-dashboard")
    with lead_page.expect_download() as download:
        lead_page.click("text=Download completion CSV")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    [row] = [r for r in rows if r["email"] == "newcomer@example.org"]
    assert row[module.key] == "Complete"


def test_an_educator_writes_and_publishes_a_module_then_reads_the_item_analysis(
        app, live_server, new_page, educator, learner):
    sync_curriculum()
    base, page = live_server, new_page()
    sign_in(page, base, educator.email)
    page.goto(base + "/author/")
    check_accessibility(page, "author")
    page.click("text=Write a new module")
    check_accessibility(page, "author-new")
    page.select_option("select[name=series]", "part-2")
    page.fill("input[name=title]", "Dyspnea at the end of life")
    page.fill("input[name=slug]", "dyspnea")
    page.fill("input[name=duration]", "12")
    page.click("main button[type=submit]")
    page.fill("textarea[name=body]", "## Assess first\n\nAsk how breathless she feels.\n\n"
                                     "---\n\n## Then treat\n\nA fan on the face helps.")
    page.wait_for_selector("#body-preview h2")  # the live preview rendered on the server
    check_accessibility(page, "author-edit")
    page.click("text=Save the draft")
    page.click("nav.tabs >> text=Quiz")
    page.click("text=Add a question")
    page.fill("textarea[name=questions-0-prompt]", "What helps breathlessness first?")
    page.fill("input[name=questions-0-choices-0-text]", "A handheld fan")
    page.check("input[name=questions-0-choices-0-correct]")
    page.fill("input[name=questions-0-choices-1-text]", "Oxygen for everyone")
    page.fill("textarea[name=questions-0-explanation]", "A fan on the face helps most.")
    page.click("button[value=save]")
    # Two choices: an item-writing warning, named at once, that doesn't block publishing.
    assert "Warning: question 1: only 2 choices" in page.inner_text("main")
    check_accessibility(page, "author-quiz")
    page.click("nav.tabs >> text=Preview and publish")
    assert "A fan on the face helps." in page.inner_text("main")
    check_accessibility(page, "author-preview")
    # A new required module in part-2 changes the badge: said, and confirmed with a tick.
    assert "Publishing this changes what a badge requires" in page.inner_text("main")
    page.check("#confirm-publish")
    page.click("main button:has-text('Publish')")
    assert "Published version 1" in page.inner_text("main")
    check_accessibility(page, "author-history")

    learner_page = new_page()
    sign_in(learner_page, base, learner.email)
    learner_page.goto(base + "/modules/part-2/dyspnea/quiz")
    learner_page.check("#q1-1")
    learner_page.click("main button[type=submit]")

    page.click("text=Item analysis")
    assert "1 learner's first attempt" in " ".join(page.inner_text("main").split())
    check_accessibility(page, "author-item-analysis")


def test_an_admin_changes_a_role_and_revokes_a_badge(app, live_server, new_page, admin,
                                                     learner):
    sync_curriculum()
    for module in CHAMPION_MODULES:
        complete_module(learner, module.series, module.slug)
    award = db.session.scalar(select(BadgeAward))
    base, page = live_server, new_page()
    sign_in(page, base, admin.email)
    page.goto(base + "/admin/")
    check_accessibility(page, "admin")
    page.click("a:has-text('People')")
    page.fill("input[name=q]", learner.email)
    page.click("main button:has-text('Search')")
    check_accessibility(page, "admin-people")
    page.click(f"a:has-text('{learner.name}')")
    page.select_option("select[name=role]", "educator")
    page.click("text=Change role")
    assert f"{learner.name} is now educator." in page.inner_text("main")
    page.fill("textarea[name=reason]", "Completed under a shared account.")
    page.check(f"#confirm-{award.uid}")
    page.click("text=Revoke Palliative Care Champion")
    check_accessibility(page, "admin-person")
    stranger = new_page()
    stranger.goto(f"{base}/badges/assertions/{award.uid}")
    assert "This badge has been revoked" in stranger.inner_text("main")
    assert "Completed under a shared account." in stranger.inner_text("main")
    check_accessibility(stranger, "verification-revoked")


def test_a_presenter_drives_the_room_and_a_learner_resumes_on_a_phone(
        app, live_server, new_page, educator, learner):
    sync_curriculum()
    base, module = live_server, CHAMPION_MODULES[3]
    audience = new_page()
    sign_in(audience, base, educator.email)
    audience.goto(f"{base}/modules/{module.series}/{module.slug}/slides")
    audience.wait_for_selector("[data-deck][data-ready]")
    presenter = audience.context.new_page()  # a second window of the same browser
    presenter.goto(f"{base}/modules/{module.series}/{module.slug}/slides/presenter")
    presenter.wait_for_selector("[data-presenter][data-ready]")
    check_accessibility(presenter, "presenter")
    presenter.keyboard.press("ArrowRight")
    presenter.keyboard.press("ArrowRight")
    audience.wait_for_function("document.querySelector('[data-current]').textContent === '3'")
    notes = presenter.inner_text(".presenter-notes")
    assert notes.strip() and "Notes" in notes
    assert "Notes" not in audience.inner_text("main")

    phone = new_page(360, 740)
    sign_in(phone, base, learner.email)
    phone.goto(f"{base}/modules/{module.series}/{module.slug}/slides")
    phone.wait_for_selector("[data-deck][data-ready]")
    phone.click("[data-next]")
    phone.click("[data-next]")
    phone.wait_for_timeout(2000)  # the position report is debounced
    again = new_page(360, 740)
    again.context.add_cookies(phone.context.cookies())  # another device, same account
    again.goto(f"{base}/modules/{module.series}/{module.slug}/slides")
    again.wait_for_selector("[data-deck][data-ready]")
    assert again.inner_text("[data-current]") == "3"
    assert no_horizontal_scroll(again)
    check_accessibility(again, "slides-phone")


def test_the_editor_warns_about_alt_text_and_says_why_a_preview_is_refused(
        app, live_server, new_page, educator):
    sync_curriculum()
    base, page = live_server, new_page()
    sign_in(page, base, educator.email)
    page.goto(base + "/author/modules/new")
    page.select_option("select[name=series]", "part-2")
    page.fill("input[name=title]", "Mouth care")
    page.fill("input[name=slug]", "mouth-care")
    page.fill("input[name=duration]", "5")
    page.click("main button[type=submit]")
    page.fill("textarea[name=body]", "## Look\n\n![](https://example.org/mouth.png)")
    page.click("text=Save the draft")
    notice = " ".join(page.inner_text("main .notice").split())
    assert ('Warning: image without alt text: describe it, or use alt="" if it is decorative'
            in notice)
    page.fill("textarea[name=body]", "Hi.\n\n" + "<a " * 20_000)
    page.wait_for_selector("#body-preview .error-summary")
    assert "markup left open: this '<a' is not closed" in page.inner_text("#body-preview")
