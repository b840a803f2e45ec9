"""Two-factor sign-in in a real Chromium (issue 19): set it up from the account page
(the secret read off the page, the code computed as a phone would), sign out, and sign
in again with a code; axe on every page."""

from __future__ import annotations

import time

import pyotp

from champion.auth.models import Role
from tests.e2e.conftest import check_accessibility
from tests.e2e.test_journeys import sign_in
from tests.helpers import PASSWORD, make_user


def test_a_learner_sets_up_two_factor_and_signs_in_with_a_code(live_server, new_page):
    learner = make_user(Role.LEARNER, "two.factor@example.org")
    page = new_page()
    sign_in(page, live_server, learner.email)

    page.goto(f"{live_server}/me")
    page.click("text=Two-factor sign-in")
    page.wait_for_load_state()
    check_accessibility(page, "two-factor-off")

    page.click("main button:has-text('Set up two-factor sign-in')")
    page.wait_for_load_state()
    assert page.locator("main img[src^='data:image/svg+xml']").is_visible()  # the QR code
    check_accessibility(page, "two-factor-enrol")
    secret = page.inner_text("#two-factor-secret").replace(" ", "")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("main button:has-text('Turn two-factor on')")
    page.wait_for_load_state()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    check_accessibility(page, "two-factor-recovery-codes")
    page.click("text=I have saved them")
    page.wait_for_load_state()
    assert "on" in page.inner_text("main strong")

    page.goto(f"{live_server}/auth/logout")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    sign_in(page, live_server, learner.email)
    assert page.url.endswith("/auth/two-factor")
    check_accessibility(page, "two-factor-sign-in")
    page.fill("input[name=code]", "000000")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "doesn't match" in page.inner_text("main")
    check_accessibility(page, "two-factor-sign-in-error")
    # The enrolment used this step's code: the phone shows the next one 30 s later.
    page.fill("input[name=code]", pyotp.TOTP(secret).at(int(time.time()) + 30))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/me")
    assert page.url.endswith("/me")
    check_accessibility(page, "me-after-two-factor")


def test_with_password_sign_in_off_an_admin_breaks_glass_with_a_code(app, live_server,
                                                                     new_page):
    from champion.extensions import db
    from champion.twofactor.operations import confirm_enrolment, start_enrolment

    admin = make_user(Role.ADMIN, "break.glass@example.org")
    secret = start_enrolment(admin).secret
    confirm_enrolment(admin, pyotp.TOTP(secret).now())
    db.session.commit()
    app.config["CHAMPION_PASSWORD_SIGNIN"] = False
    try:
        page = new_page()
        page.goto(f"{live_server}/auth/login")
        assert not page.locator("input[name=password]").is_visible()  # folded away
        assert page.locator("text=Create account").count() == 0
        check_accessibility(page, "sign-in-password-off")
        page.click("summary:has-text('Administrator sign-in')")
        page.fill("input[name=email]", admin.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith("/auth/two-factor")
        page.fill("input[name=code]", pyotp.TOTP(secret).at(int(time.time()) + 30))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server}/admin/")
        assert page.url.endswith("/admin/")
        check_accessibility(page, "admin-after-break-glass")
    finally:
        app.config["CHAMPION_PASSWORD_SIGNIN"] = True
