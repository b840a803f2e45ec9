"""Real-browser journeys: Playwright for Python driving Debian's Chromium.

A live server serves the test app (same database as the rest of the suite) from a thread.
The browser tests skip, saying why, where Chromium isn't installed; `.ci/run` installs it.
Set CHAMPION_SCREENSHOTS=1 to write screenshots of the main pages to docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium); .ci/run installs it",
                allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app on a free port, with the real curriculum as its content."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    previous = {key: app.config[key] for key in ("CHAMPION_BASE_URL", "CHAMPION_MODULES_DIR")}
    app.config.update(CHAMPION_BASE_URL=base, CHAMPION_MODULES_DIR=str(ROOT / "modules"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=10)
    app.config.update(previous)


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


AXE = Axe()


def check_accessibility(page: Page, name: str) -> None:
    """Zero serious or critical axe violations on the page; a screenshot when asked."""
    results = AXE.run(page)
    serious = [v for v in results.response["violations"]
               if v.get("impact") in ("serious", "critical")]
    details = "\n".join(
        f"{v['impact']}: {v['id']}: {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3]
                    if isinstance(node["target"][0], str))
        for v in serious)
    assert not serious, f"axe on {name} ({page.url}):\n{details}"
    if os.environ.get("CHAMPION_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
