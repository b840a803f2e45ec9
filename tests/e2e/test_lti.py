"""In a real browser, from a real LTI 1.3 platform (lti1p3platform, tests/lti_platform/):
an administrator registers the LMS, an instructor adds a module with deep linking, a
learner launches into it and passes its quiz, and the score reaches the platform's
gradebook. axe checks each Champion page."""

from __future__ import annotations

from champion.lti import outbox
from champion.lti.keys import platform_keys, tool_jwks
from tests.e2e.conftest import check_accessibility
from tests.e2e.test_journeys import (
    CHAMPION_MODULES,
    answer,
    read_to_the_end,
    sign_in,
    sync_curriculum,
)
from tests.lti_platform.process import http, running_platform


def test_an_instructor_links_a_module_and_a_learners_pass_reaches_the_gradebook(
        app, live_server, new_page, admin):
    sync_curriculum()
    module = CHAMPION_MODULES[0]
    base = live_server
    with running_platform() as lms:
        platform_keys.clear()
        assert http("POST", lms + "/setup", json_body={
            "login_url": f"{base}/lti/login", "launch_url": f"{base}/lti/launch",
            "jwks": tool_jwks(), "fail_scores": 0}).status == 200
        # An administrator registers the LMS, copying what it shows.
        page = new_page()
        sign_in(page, base, admin.email)
        page.goto(f"{base}/admin/lti/")
        assert f"{base}/lti/jwks.json" in page.inner_text("main")  # what to paste in the LMS
        check_accessibility(page, "lti-admin")
        for label, value in [("Name", "Mercy Moodle"), ("Issuer (platform ID)", lms),
                             ("Client ID", "champion-tool"),
                             ("Authentication request URL", "http://lms.example.org/auth"),
                             ("Access token URL", f"{lms}/token"),
                             ("Public keyset URL", f"{lms}/jwks.json"),
                             ("Deployment IDs", "deployment-1")]:
            page.get_by_label(label, exact=True).fill(value)
        with page.expect_navigation():
            page.click("main button:has-text('Register')")
        assert "Authentication request URL: enter an https:// address" in page.inner_text("main")
        check_accessibility(page, "lti-admin-error")
        page.get_by_label("Authentication request URL", exact=True).fill(f"{lms}/authorize")
        with page.expect_navigation():
            page.click("main button:has-text('Register')")
        assert "Mercy Moodle registered" in page.inner_text("main")

        # The instructor's "add external tool content" button in the LMS.
        page = new_page()
        page.goto(f"{lms}/start?user=ines&kind=deeplink")
        page.wait_for_url(f"{base}/lti/deep-link")
        check_accessibility(page, "lti-deep-link")
        with page.expect_navigation():
            page.click("main button[type=submit]")  # nothing picked: refused, said where
        assert "Pick at least one module or series" in page.inner_text("main")
        check_accessibility(page, "lti-deep-link-error")
        page.check(f"label:has-text('{module.title}')")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{lms}/deep-link-return")
        [link] = http("GET", lms + "/state").json()["links"][-1:]
        assert link["custom"] == {"module": f"{module.series}/{module.slug}"}

        # A learner clicks the new link in the course: straight onto the module, signed in.
        learner = new_page(390, 844)
        learner.goto(f"{lms}/start?user=dana&link={link['index']}")
        learner.wait_for_url(f"{base}/modules/{module.series}/{module.slug}")
        assert module.title in learner.inner_text("h1")
        assert "Sign out" in learner.inner_text("header")
        check_accessibility(learner, "lti-module")
        read_to_the_end(learner, base, module)
        learner.goto(f"{base}/modules/{module.series}/{module.slug}/quiz")
        answer(learner, module)
        assert "You passed" in learner.inner_text("main")

        report = outbox.deliver()
        assert (report.delivered, report.failed) == (1, 0)
        [score] = [s for s in http("GET", lms + "/state").json()["scores"]
                   if s["lineitem"] == link["lineitem"]]
        assert (score["userId"], score["scoreGiven"], score["activityProgress"]) == (
            "sub-dana", 100, "Completed")
