"""A SCORM 1.2 package in Chromium, with scorm-again (tests/npm) as the LMS's runtime.

The test serves the unzipped package beside a host page that makes scorm-again's
``Scorm12API`` the page's ``window.API``, opens the package's SCO in a frame, as an LMS
does, answers the quiz and reads back what scorm-again recorded.
"""

from __future__ import annotations

import functools
import re
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from champion.content import load_content, render_module
from tests.e2e.conftest import ROOT, check_accessibility
from tests.e2e.test_journeys import plain
from tests.helpers import FIXTURE_CONTENT, sync

SCORM_AGAIN = ROOT / "tests" / "npm" / "node_modules" / "scorm-again" / "dist" / "scorm12.js"

if not SCORM_AGAIN.exists():
    pytest.skip("scorm-again is not installed: make tests/npm/node_modules/.installed "
                "(needs npm)", allow_module_level=True)

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>An LMS</title>
<script src="scorm12.js"></script>
<script>
  window.lmsCalls = [];
  window.lmsValues = {};  // the last value the SCO set for each element
  window.API = new Scorm12API({autocommit: false, logLevel: 5});
  ["LMSInitialize", "LMSCommit", "LMSFinish"].forEach(function (name) {
    window.API.on(name, function () { window.lmsCalls.push(name); });
  });
  window.API.on("LMSSetValue.cmi.*", function (element, value) {
    window.lmsValues[element] = value;
  });
</script></head>
<body><main><h1>An LMS</h1>
<iframe title="The module" style="width:100%;height:800px"></iframe>
<script>
  document.querySelector("iframe").src = new URLSearchParams(location.search).get("sco");
</script>
</main></body></html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def package_content(request, app, content_dir):
    """The fixture content, synced; with ``questions_per_attempt`` (indirect parameter) set
    on first-steps when a test asks for it."""
    per_attempt = getattr(request, "param", None)
    if per_attempt:
        module = content_dir / "basics" / "01-first-steps.md"
        module.write_text(module.read_text().replace(
            "pass_mark: 50", f"pass_mark: 50\nquestions_per_attempt: {per_attempt}"))
    return sync(content_dir)


@pytest.fixture
def lms(runner, package_content, tmp_path) -> Iterator[str]:
    """The package of the fixture series, unzipped and served with the host page."""
    out = tmp_path / "basics.zip"
    result = runner.invoke(args=["export", "scorm", "basics", str(out)])
    assert result.exit_code == 0, result.output
    site = tmp_path / "lms"
    zipfile.ZipFile(out).extractall(site)
    (site / "scorm12.js").write_bytes(SCORM_AGAIN.read_bytes())
    (site / "host.html").write_text(HOST_PAGE)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def key_by_prompt() -> dict[str, set[str]]:
    [module] = [m for m in load_content(FIXTURE_CONTENT).modules if m.slug == "first-steps"]
    return {plain(q["prompt"]): {plain(c["html"]) for c in q["choices"] if c["correct"]}
            for q in render_module(module).quiz["questions"]}


def answer(frame, right: bool) -> None:
    """Answer every question shown, rightly or (choosing only what is wrong) wrongly."""
    key = key_by_prompt()
    for question in frame.locator("fieldset.question").all():
        correct = key[plain(question.locator(".question-prompt").inner_html())]
        for choice in question.locator("li.choice").all():
            if (plain(choice.locator("label").inner_html()) in correct) == right:
                choice.locator("input").check()
                if not right:
                    break  # one wrong choice is enough
    frame.locator("button[type=submit]").click()


def scorm(page, element: str) -> str:
    return page.evaluate(f"window.API.cmi.core.{element}")


def test_a_learner_fails_then_passes_and_the_lms_records_status_and_score(new_page, lms):
    page = new_page()
    page.goto(f"{lms}/host.html?sco=basics/first-steps.html")
    frame = page.frame_locator("iframe")
    frame.locator("fieldset.question").first.wait_for()
    assert frame.locator("fieldset.question").count() == 2
    page.wait_for_function("window.lmsCalls.includes('LMSInitialize')")
    assert scorm(page, "lesson_status") == "incomplete"

    answer(frame, right=False)
    assert frame.get_by_text("You scored 0%: not passed (50% passes)").is_visible()
    assert frame.get_by_text("Questions to review: 1, 2.").is_visible()
    assert (scorm(page, "lesson_status"), scorm(page, "score.raw")) == ("failed", "0")
    assert "LMSCommit" in page.evaluate("window.lmsCalls")

    frame.get_by_role("button", name="Try again").click()
    answer(frame, right=True)
    assert frame.get_by_text("You scored 100%: passed").is_visible()
    assert (scorm(page, "lesson_status"), scorm(page, "score.raw")) == ("passed", "100")
    assert (scorm(page, "score.min"), scorm(page, "score.max")) == ("0", "100")

    # Leaving the SCO finishes the session, with the time spent in it.
    page.evaluate("document.querySelector('iframe').src = 'about:blank'")
    page.wait_for_function("window.lmsCalls.includes('LMSFinish')")
    session_time = page.evaluate("window.lmsValues['cmi.core.session_time']")
    assert re.fullmatch(r"0000:00:\d\d\.\d\d", session_time) and session_time != "0000:00:00.00"
    assert scorm(page, "lesson_status") == "passed"


def test_a_pass_is_not_taken_back_by_a_later_failure(new_page, lms):
    page = new_page()
    page.goto(f"{lms}/host.html?sco=basics/first-steps.html")
    frame = page.frame_locator("iframe")
    answer(frame, right=True)
    frame.get_by_role("button", name="Try again").click()
    answer(frame, right=False)
    assert (scorm(page, "lesson_status"), scorm(page, "score.raw")) == ("passed", "100")


def test_a_module_without_a_quiz_is_completed_by_its_button(new_page, lms):
    page = new_page()
    page.goto(f"{lms}/host.html?sco=basics/reading.html")
    frame = page.frame_locator("iframe")
    frame.get_by_role("button", name="Mark as complete").click()
    frame.get_by_text("Marked as complete.").wait_for()
    assert scorm(page, "lesson_status") == "completed"


def test_the_packaged_page_is_accessible_and_says_when_no_lms_records_it(new_page, lms):
    page = new_page(360, 800)
    page.goto(f"{lms}/basics/first-steps.html")
    assert page.get_by_text("not connected to a learning management system").is_visible()
    check_accessibility(page, "package-sco")


@pytest.mark.parametrize("package_content", [1], indirect=True)
def test_each_attempt_draws_questions_per_attempt_from_the_pool(new_page, lms):
    """One question of the two drawn each time; over attempts, both turn up."""
    page = new_page()
    page.goto(f"{lms}/host.html?sco=basics/first-steps.html")
    frame = page.frame_locator("iframe")
    seen = set()
    for _ in range(30):  # both by then, but for one time in 500 million
        assert frame.locator("fieldset.question").count() == 1
        seen.add(plain(frame.locator(".question-prompt").inner_html()))
        answer(frame, right=True)
        assert frame.get_by_text("You scored 100%: passed").is_visible()
        frame.get_by_role("button", name="Try again").click()
        if len(seen) == 2:
            break
    assert seen == set(key_by_prompt())
    assert (scorm(page, "lesson_status"), scorm(page, "score.raw")) == ("passed", "100")
