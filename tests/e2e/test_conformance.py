"""The evidence behind docs/accessibility.md (the conformance report), page by page.

Every page each role reaches is checked in Chromium against what WCAG 2.1 AA (and 2.2's
additions) asks that a machine can check: axe's WCAG rules with no violation of any impact
(the journeys' own axe runs only fail on serious ones), reflow at 320 CSS pixels (1.4.10)
and at 200% zoom (1.4.4), text spacing (1.4.12), a skip link first in the tab order (2.4.1),
a visible focus indicator on everything the keyboard reaches (2.4.7), focus not hidden behind
sticky content (2.4.11), page titles that differ (2.4.2) and the page language (3.1.1).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from champion.auth.models import Role
from champion.badges.models import BadgeAward
from tests.e2e.conftest import AXE
from tests.e2e.test_journeys import CHAMPION_MODULES, sign_in, sync_curriculum
from tests.helpers import complete_module, make_user

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# WCAG 1.4.12's spacing, set through the CSSOM (the site's CSP refuses injected style sheets).
TEXT_SPACING = """() => document.querySelectorAll('body *').forEach(el => {
    el.style.setProperty('line-height', '1.5', 'important');
    el.style.setProperty('letter-spacing', '0.12em', 'important');
    el.style.setProperty('word-spacing', '0.16em', 'important');
    if (el.tagName === 'P') el.style.setProperty('margin-bottom', '2em', 'important');
})"""

# (who, path, what the page is): every page a role reaches from the navigation.
PAGES = [
    (None, "/auth/login", "sign-in"),
    (None, "/auth/register", "registration"),
    (None, "/auth/forgot", "forgotten password"),
    ("learner", "/", "catalog"),
    ("learner", "/modules/part-1/", "series"),
    ("learner", "/modules/part-1/cancer-pain-essentials", "module"),
    ("learner", "/modules/part-1/cancer-pain-essentials/slides", "presentation"),
    ("learner", "/modules/part-1/cancer-pain-essentials/quiz", "quiz"),
    ("learner", "/modules/part-1/primary-palliative-care/case", "case guide"),
    ("learner", "/modules/part-1/primary-palliative-care/handout", "handout"),
    ("learner", "/resources", "resources"),
    ("learner", "/me", "my progress"),
    ("learner", "/badges/palliative-care-champion", "badge"),
    ("learner", "{award}", "verification"),
    ("educator", "/author/", "authoring"),
    ("lead", "/team/", "lead dashboard"),
    ("admin", "/admin/", "administration"),
    ("admin", "/admin/audit", "audit log"),
]


@pytest.fixture
def people(app):
    sync_curriculum()
    learner = make_user(Role.LEARNER, "learner@example.org")
    for module in CHAMPION_MODULES:
        complete_module(learner, module.series, module.slug)
    award = db_award()
    return {"learner": learner, "educator": make_user(Role.EDUCATOR, "educator@example.org"),
            "lead": make_user(Role.LEAD, "lead@example.org"),
            "admin": make_user(Role.ADMIN, "admin@example.org"), "award": award}


def db_award() -> str:
    from champion.extensions import db

    award = db.session.scalar(select(BadgeAward))
    assert award is not None, "the learner should hold the champion badge"
    return f"/badges/assertions/{award.uid}"


def wcag_violations(page) -> list[str]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                     "resultTypes": ["violations"]})
    return [f"{v['impact']}: {v['id']}: {v['help']} ({len(v['nodes'])} elements, first "
            f"{v['nodes'][0]['target']})" for v in results.response["violations"]]


def overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def wide_elements(page) -> list[str]:
    """The innermost elements that reach past the right edge: what to fix."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el =>
        el.getBoundingClientRect().right > innerWidth + 1
        && ![...el.children].some(c => c.getBoundingClientRect().right > innerWidth + 1)
        && !el.closest('[data-scrolls]')
    ).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
        + ' ' + (el.textContent || '').trim().slice(0, 30))""")


def clipped_by_spacing(page) -> list[str]:
    """Elements whose text no longer fits a box that hides what overflows."""
    page.evaluate(TEXT_SPACING)
    return page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
        const s = getComputedStyle(el);
        const hides = v => v === 'hidden' || v === 'clip';
        if (!hides(s.overflowY) && !hides(s.overflowX)) return false;
        if (el.closest('.skip-link, .visually-hidden, .sr-only')) return false;
        // a form field's value scrolls inside it whatever the spacing: not clipped text
        if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) return false;
        if (s.position === 'absolute' && el.getBoundingClientRect().width <= 1) return false;
        return el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2;
    }).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""")


def focus_problems(page, presses: int = 60) -> list[str]:
    """Tab through the page: the skip link comes first, and everything reached shows focus
    and is not hidden under sticky content."""
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.textContent.trim()")
    problems = [] if first == "Skip to content" else [f"first tab stop is {first!r}"]
    seen = set()
    for _ in range(presses):
        state = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const s = getComputedStyle(el);
            const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                          || s.boxShadow !== 'none';
            // the first box of the element: a link that wraps has one per line
            const r = el.getClientRects()[0] || el.getBoundingClientRect();
            const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
            const y = Math.min(Math.max(r.top + Math.min(r.height, 20) / 2, 0), innerHeight - 1);
            const top = document.elementFromPoint(x, y);
            const covered = r.width > 0 && top && !el.contains(top) && !top.contains(el)
                            && !(el.labels && [...el.labels].some(l => l.contains(top)));
            const label = (el.textContent || el.name || el.id || '').trim().slice(0, 40);
            return {name: el.tagName.toLowerCase() + ' ' + label, shown, covered};
        }""")
        if state is None or state["name"] in seen:
            break
        seen.add(state["name"])
        if not state["shown"]:
            problems.append(f"no visible focus on {state['name']!r}")
        if state["covered"]:
            problems.append(f"focus hidden under other content at {state['name']!r}")
        page.keyboard.press("Tab")
    return problems


def test_every_page_meets_the_checks_a_machine_can_make(app, live_server, new_page, people):
    failures: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    signed_in: dict[str | None, object] = {}
    for who, path, name in PAGES:
        path = path.format(award=people["award"])
        if who not in signed_in:
            page = new_page()
            if who is not None:
                sign_in(page, live_server, people[who].email)
            signed_in[who] = page
        page = signed_in[who]
        problems: list[str] = []
        page.set_viewport_size({"width": 1280, "height": 900})
        response = page.goto(live_server + path)
        assert response is not None and response.ok, f"{name}: {path} answered {response.status}"
        problems += wcag_violations(page)
        if page.evaluate("document.documentElement.lang") != "en":
            problems.append("no page language")
        titles[name] = page.title()
        problems += focus_problems(page)
        for width, what in ((320, "reflow at 320 px (1.4.10)"), (640, "200% zoom (1.4.4)")):
            page.set_viewport_size({"width": width, "height": 800})
            page.reload()
            if overflows(page):
                problems.append(f"scrolls sideways at {what}: {wide_elements(page)}")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        problems += [f"text spacing clips {el} (1.4.12)" for el in clipped_by_spacing(page)]
        if problems:
            failures[f"{name} ({path})"] = problems
    repeated = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    if repeated:
        failures["page titles (2.4.2)"] = [f"{t!r} is the title of more than one page"
                                           for t in sorted(repeated)]
    assert not failures, "\n".join(f"{page}:\n  " + "\n  ".join(p) for page, p in failures.items())
