"""Issue 17: a learner's journey without dead ends, in a real Chromium on a desktop and a
390 px phone, with axe on every page visited."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from champion.auth.models import Role, User
from champion.badges.models import BadgeAward
from champion.departments.models import Department
from champion.extensions import db
from tests.e2e.conftest import check_accessibility
from tests.e2e.test_journeys import (
    CHAMPION_MODULES,
    correct_inputs,
    give_the_evaluation,
    no_horizontal_scroll,
    read_to_the_end,
    sign_in,
    sync_curriculum,
)
from tests.helpers import PASSWORD, complete_module, mailed_link, make_user

PHONE = (390, 844)


def department() -> Department:
    dept = Department(slug="gyn-onc", name="Gynecologic Oncology")
    db.session.add(dept)
    db.session.commit()
    return dept


def visit(page, url: str, name: str) -> None:
    page.goto(url)
    check_accessibility(page, name)


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_a_learner_always_has_a_next_step(app, live_server, new_page):
    sync_curriculum()
    learner = make_user(Role.LEARNER, email="fellow@example.org", department=department())
    base, page = live_server, new_page()
    sign_in(page, base, learner.email)

    # The home card names the module to take next toward the badge, and the catalog says
    # which series count toward it.
    first, second = CHAMPION_MODULES[0], CHAMPION_MODULES[1]
    check_accessibility(page, "learner-home")
    main = page.inner_text("main")
    assert "11 modules to your Palliative Care Champion badge" in main
    assert "Counts toward the Palliative Care Champion badge" in main
    page.click(f".next-steps a:has-text('Next: {first.title}')")
    assert page.url == f"{base}/modules/{first.series}/{first.slug}"
    check_accessibility(page, "learner-module")

    # The last slide offers the quiz, beside a Next that is disabled and looks it.
    page.click("text=Presentation mode")
    page.wait_for_selector("[data-deck][data-ready]")
    assert page.is_hidden("[data-at-end]")
    page.keyboard.press("End")
    assert page.is_disabled("[data-next]")
    assert float(page.eval_on_selector("[data-next]", "b => getComputedStyle(b).opacity")) < 0.6
    check_accessibility(page, "learner-slides-end")
    page.click("[data-at-end]:has-text('Take the quiz')")
    assert page.url.endswith(f"/modules/{first.series}/{first.slug}/quiz")

    # Answers survive leaving the page: restored with a note, cleared on submit.
    read_to_the_end(page, base, first)
    page.goto(f"{base}/modules/{first.series}/{first.slug}/quiz")
    assert page.is_hidden("[data-quiz-restored]")
    chosen = correct_inputs(page, first)
    for input_id in chosen:
        page.check(f"#{input_id}")
    page.goto(f"{base}/modules/{first.series}/{first.slug}")
    page.go_back()
    page.wait_for_selector("[data-quiz-restored]:visible")
    check_accessibility(page, "learner-quiz-restored")
    assert all(page.is_checked(f"#{input_id}") for input_id in chosen)
    assert "filled in again" in page.inner_text("[data-quiz-restored]")
    page.click("main button[type=submit]:has-text('Submit answers')")
    page.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('champion-quiz:'))"
                         ) == []

    # A passed quiz offers the next module.
    assert "Passed" in page.inner_text("h1")
    check_accessibility(page, "learner-quiz-passed")
    page.click(f"text=Next module: {second.title}")
    assert page.url == f"{base}/modules/{second.series}/{second.slug}"

    # The presenter view, notes and all, is the champion's too.
    visit(page, f"{base}/modules/{second.series}/{second.slug}/slides/presenter",
          "learner-presenter")
    page.wait_for_selector("[data-presenter][data-ready]")
    assert page.locator(".presenter-notes").count() == 1

    # The case guide: the title once, facilitator notes set apart and out of the handout.
    visit(page, f"{base}/modules/{first.series}/{first.slug}/case", "learner-case")
    assert page.locator("h1").count() == 1
    notes = page.locator(".facilitator-notes")
    assert notes.count() >= 1
    assert page.eval_on_selector(".facilitator-notes",
                                 "n => getComputedStyle(n).backgroundColor") != "rgba(0, 0, 0, 0)"
    facilitator_text = notes.first.inner_text()
    page.click("text=Participant handout")
    check_accessibility(page, "learner-handout")
    assert page.locator(".facilitator-notes").count() == 0
    assert facilitator_text.splitlines()[-1] not in page.inner_text("main")


def test_on_a_phone_nothing_is_cut_off_or_out_of_reach(app, live_server, new_page):
    sync_curriculum()
    learner = make_user(Role.LEARNER, email="fellow@example.org", department=department())
    for module in CHAMPION_MODULES[:2]:
        complete_module(learner, module.series, module.slug)
    base, page = live_server, new_page(*PHONE)
    sign_in(page, base, learner.email)
    module = CHAMPION_MODULES[4]

    # The header takes at most two lines, not three.
    visit(page, base + "/", "phone-home")
    assert page.locator(".site-header").bounding_box()["height"] < 90
    for url, name in (("/me", "phone-me"), ("/me/account", "phone-account"),
                      (f"/modules/{module.series}/{module.slug}", "phone-module")):
        visit(page, base + url, name)
        assert no_horizontal_scroll(page), url
    # A long module offers its quiz near the top, without scrolling through it.
    assert in_viewport(page, "a:has-text('Go to the quiz')")

    # My progress's tables reflow: every value is on screen, labelled.
    page.goto(base + "/me")
    cell = page.locator("td[data-label='Best score']").first
    box = cell.bounding_box()
    assert box["x"] + box["width"] <= PHONE[0]
    assert page.eval_on_selector("td[data-label='Best score']",
                                 "td => getComputedStyle(td, '::before').content"
                                 ) == '"Best score: "'

    # Presentation mode: Next is on screen without scrolling, on every slide.
    visit(page, f"{base}/modules/{module.series}/{module.slug}/slides", "phone-slides")
    page.wait_for_selector("[data-deck][data-ready]")
    for _ in range(3):
        assert in_viewport(page, "[data-next]")
        page.click("[data-next]")
    page.keyboard.press("End")
    assert in_viewport(page, "[data-at-end]")


def test_my_progress_account_certificate_and_sharing(app, live_server, new_page, smtp):
    sync_curriculum()
    learner = make_user(Role.LEARNER, email="fellow@example.org", department=department())
    for module in CHAMPION_MODULES:
        complete_module(learner, module.series, module.slug)
    award = db.session.scalar(select(BadgeAward))
    base, page = live_server, new_page()
    sign_in(page, base, learner.email)

    # Where I stand: my department, and no more offers to join one.
    visit(page, base + "/me", "me-holder")
    main = page.inner_text("main")
    assert "Department: Gynecologic Oncology" in main
    assert "Join with an invite code" not in main

    # Sharing: a copy button, LinkedIn's form filled in, and what the PNG is for.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("button:has-text('Copy link')")
    page.wait_for_selector("button:has-text('Copied')")
    linkedin = page.get_attribute("a:has-text('Add to LinkedIn profile')", "href")
    assert linkedin.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
    assert f"certId={award.uid}" in linkedin
    page.click("text=Badge files, for badge wallets")
    assert "To a person or on LinkedIn it is only a picture" in page.inner_text("main")

    # Get your certificate: the evaluation, then the download, in one flow.
    page.click("text=Get your certificate")
    check_accessibility(page, "me-evaluation")
    give_the_evaluation(page)
    check_accessibility(page, "me-certificate")
    with page.expect_download() as download:
        page.click("text=Download the certificate (PDF)")
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"

    # My name, as I want it printed: changed from my account page, shown where it appears.
    page.goto(base + "/me")
    page.click("text=Change your name, email or password")
    check_accessibility(page, "account")
    assert "certificate of completion" in page.inner_text("main")
    page.fill("input[name=name]", "Dr Riley Chen")
    page.click("button:has-text('Save name')")
    assert "Your name is now Dr Riley Chen" in page.inner_text("main")
    check_accessibility(page, "account-renamed")
    visit(page, f"{base}/badges/assertions/{award.uid}", "verification-renamed")
    assert "Dr Riley Chen" in page.inner_text("h1")

    # My email: a link to the new address, which changes nothing until followed.
    page.goto(base + "/me/account")
    page.fill("input[name=email]", "riley.chen@example.org")
    page.locator("form[action$='/email'] input[name=current]").fill(PASSWORD)
    page.click("button:has-text('Send a confirmation link')")
    assert "We sent a link to riley.chen@example.org" in page.inner_text("main")
    link = mailed_link(smtp.messages[-1], "/me/account/email/")
    visit(page, base + link[link.index("/me/account"):], "account-confirm-email")
    page.click("button:has-text('Use riley.chen@example.org')")
    assert "Your email address is now riley.chen@example.org" in page.inner_text("main")
    assert "fellow@example.org" in smtp.messages[-1]  # the old address is told

    # My password: the current one first.
    page.locator("form[action$='/password'] input[name=current]").fill("not my password")
    page.fill("input[name=password]", "a brand new passphrase")
    page.fill("input[name=confirm]", "a brand new passphrase")
    page.click("button:has-text('Change password')")
    assert "Your current password is not the one you typed." in page.inner_text("main")
    check_accessibility(page, "account-password-error")
    page.locator("form[action$='/password'] input[name=current]").fill(PASSWORD)
    page.fill("input[name=password]", "a brand new passphrase")
    page.fill("input[name=confirm]", "a brand new passphrase")
    page.click("button:has-text('Change password')")
    assert "Your password is changed" in page.inner_text("main")
    db.session.expire_all()
    assert db.session.get(User, learner.id).email == "riley.chen@example.org"

    # A credential id typed with a slip gets a page that says so.
    stranger = new_page()
    visit(stranger, f"{base}/badges/assertions/{award.uid[:-1]}x", "no-such-credential")
    assert "No badge has this credential id" in stranger.inner_text("h1")


def test_a_revoked_badge_is_confirmed_mailed_and_shown_greyed(app, live_server, new_page,
                                                             smtp):
    sync_curriculum()
    learner = make_user(Role.LEARNER, email="fellow@example.org", department=department())
    admin = make_user(Role.ADMIN, email="admin@example.org")
    for module in CHAMPION_MODULES:
        complete_module(learner, module.series, module.slug)
    base, page = live_server, new_page()
    sign_in(page, base, admin.email)
    visit(page, f"{base}/admin/people/{learner.id}", "admin-person-revoke")
    page.fill("textarea[name=reason]", "Completed under a shared account.")
    page.click("text=Revoke Palliative Care Champion")  # no tick: nothing happens
    assert "Tick the box to confirm" in page.inner_text("main")
    check_accessibility(page, "admin-revoke-unconfirmed")
    page.fill("textarea[name=reason]", "Completed under a shared account.")
    page.check(f"#confirm-{db.session.scalar(select(BadgeAward.uid))}")
    page.click("text=Revoke Palliative Care Champion")
    assert "revoked for" in page.inner_text("main")
    assert any("Completed under a shared account." in m and "fellow@example.org" in m
               for m in smtp.messages)

    holder = new_page(*PHONE)
    sign_in(holder, base, learner.email)
    visit(holder, base + "/me", "me-revoked")
    award = holder.locator(".award-invalid")
    assert "Revoked" in award.inner_text()
    assert "Reason: Completed under a shared account." in award.inner_text()
    assert award.locator("img").evaluate("i => getComputedStyle(i).filter").startswith("grayscale")
    assert "Get your certificate" not in holder.inner_text("main")
    # The badge is no longer held, so the home card counts what is left honestly.
    visit(holder, base + "/", "home-revoked")
    assert "You are a Palliative Care Champion" not in holder.inner_text("main")
