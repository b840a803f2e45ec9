"""The lead dashboard against a count by hand, and the shape of its work.

The dashboard's numbers come from grouped SQL; here a random department's progress is
counted again in plain Python and compared, for every view. The shape tests pin the
design down: a constant number of queries whatever the view and the team's size, and
one result with a row per member (the list the page is chosen from) while every other
result stays within a page or a chart, never the department's progress rows.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from champion.auth.models import User
from champion.badges.models import Badge, BadgeAward
from champion.database import utcnow
from champion.departments.models import Department, department_members
from champion.extensions import db
from champion.progress.models import STATUS_LABELS, ModuleProgress
from champion.team import queries
from champion.team.queries import CHART_WEEKS, Filters, dashboard, module_columns
from tests.helpers import login
from tests.test_query_budgets import BUDGETS

NAMES = ["Ann Adams", "anne", "Anne", "ÉLODIE Durand", "élise Martin", "Zoë Quinn",
         "STRAßE Hans", "strasse hans", "Ömer Yılmaz", "bob brown"]
VIEWS = ["", "sort=progress", "sort=activity", "status=not_started", "status=in_progress",
         "status=complete&sort=progress", "q=ann", "series=basics", "series=extras&page=2"]


def add_learners(department: Department, count: int, seed: int) -> list[int]:
    """``count`` members with random progress; a fifth have none. Returns their ids."""
    rng = random.Random(seed)
    now = utcnow()
    start = db.session.scalar(select(db.func.count()).select_from(User))
    db.session.execute(insert(User), [
        {"email": f"crowd{start + i}@example.org", "role": "learner", "active": True,
         "name": f"{rng.choice(NAMES)} {rng.randint(0, 3)}".removesuffix(" 0"),
         "created_at": now} for i in range(count)])
    ids = list(db.session.scalars(
        select(User.id).where(User.email.like("crowd%")).order_by(User.id)))[-count:]
    db.session.execute(insert(department_members), [
        {"department_id": department.id, "user_id": uid, "joined_at": now} for uid in ids])
    modules = [m.id for m in module_columns()]
    rows = []
    for uid in ids:
        if rng.random() < 0.2:
            continue
        for module_id in rng.sample(modules, rng.randint(1, len(modules))):
            # Whole days and a quarter: never on the chart's boundary, to the second.
            when = now - timedelta(days=rng.randint(0, 40 * 7), hours=6)
            done = rng.random() < 0.7
            rows.append({"user_id": uid, "module_id": module_id, "started_at": when,
                         "last_activity_at": when, "attempt_count": 1,
                         "best_score": rng.choice([None, 60, 100]),
                         "completed_at": when if done else None})
    db.session.execute(insert(ModuleProgress), rows)
    db.session.commit()
    return ids


@pytest.fixture
def crowd(app, synced, department, lead):
    """40 members of gyn-onc, badges for some, and an outsider department's progress."""
    ids = add_learners(department, 40, seed=1)
    other = Department(slug="onc-surg", name="Oncologic Surgery")
    db.session.add(other)
    db.session.commit()
    add_learners(other, 10, seed=2)
    badge = db.session.scalar(select(Badge))
    now = utcnow()
    for uid in ids[10:14]:  # deactivated: left out of every count, holders included
        db.session.get(User, uid).active = False
    for n, uid in enumerate(ids[:12]):
        db.session.add(BadgeAward(badge_id=badge.id, user_id=uid, narrative="n",
                                  recipient_identity="sha256$test",
                                  awarded_at=now - timedelta(days=n),
                                  revoked_at=now if n % 5 == 4 else None))
    db.session.commit()
    return department


def by_hand(department: Department, series: str | None):
    """The dashboard's numbers, counted in Python from the department's progress rows."""
    modules = module_columns(series)
    scope = {m.id for m in modules}
    counted = {m.id for m in modules if m.counts}  # what the status counts: the badge's
    members = set(db.session.scalars(
        select(department_members.c.user_id)
        .join(User, User.id == department_members.c.user_id)
        .where(department_members.c.department_id == department.id, User.active)))
    rows = [r for r in db.session.scalars(select(ModuleProgress))
            if r.user_id in members and r.module_id in scope]
    done = {(r.user_id, r.module_id) for r in rows if r.completed_at}
    started = Counter(r.user_id for r in rows)
    begun = Counter(r.user_id for r in rows if r.module_id in (counted or scope))

    def status(uid: int) -> str:
        if not begun[uid]:  # only modules the status counts: the badge's
            return "not_started"
        if counted and all((uid, m) in done for m in counted):
            return "complete"
        return "in_progress"

    series_ids = {m.series_id for m in modules if m.required}
    awards = sorted((a for a in db.session.scalars(select(BadgeAward))
                     if a.user_id in members and a.revoked_at is None),
                    key=lambda a: a.awarded_at, reverse=True)
    since = utcnow() - timedelta(weeks=CHART_WEEKS)
    weekly = Counter(monday(r.completed_at) for r in rows
                     if r.completed_at and r.completed_at >= since)
    return {
        "members": len(members),
        "statuses": {uid: status(uid) for uid in members},
        "series_rates": {sid: sum(all((uid, m.id) in done for m in modules
                                      if m.required and m.series_id == sid)
                                  for uid in members) for sid in series_ids},
        "module_completions": Counter(module for _uid, module in done),
        "weekly": sorted(weekly.items()),
        "last_activity": {uid: max((r.last_activity_at for r in rows if r.user_id == uid),
                                   default=None) for uid in members},
        "completed": {uid: sum((uid, m) in done for m in counted) for uid in members},
        "started": started,
        "holders": [(a.user.name, a.uid, a.awarded_at) for a in awards[:10]],
        "holder_count": len(awards),
        "badge_dates": {uid: min((a.awarded_at for a in awards if a.user_id == uid), default=None)
                        for uid in members},
    }


def monday(when: datetime) -> date:
    return when.date() - timedelta(days=when.weekday())


@pytest.mark.parametrize("series", [None, "basics", "extras"])
def test_the_summaries_match_a_count_by_hand(app, crowd, series):
    expected = by_hand(crowd, series)
    board = dashboard(crowd, Filters(series=series))
    statuses = Counter(expected["statuses"].values())
    assert (board.members, board.not_started, board.complete) == (
        expected["members"], statuses["not_started"], statuses["complete"])
    assert board.series_rates == expected["series_rates"]
    assert board.module_completions == expected["module_completions"]
    assert board.weekly == expected["weekly"]
    assert board.badge_holder_count == expected["holder_count"]
    assert board.badge_holders == expected["holders"]


@pytest.mark.parametrize("status", [None, *STATUS_LABELS])
@pytest.mark.parametrize("sort", ["name", "progress", "activity"])
def test_every_page_matches_a_sort_by_hand(app, crowd, sort, status, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 7)
    expected = by_hand(crowd, None)
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(expected["statuses"])))}
    keys = {
        "name": lambda u: (u.name.casefold(), u.id),
        "progress": lambda u: (-expected["completed"][u.id], -expected["started"][u.id],
                               u.name.casefold(), u.id),
        "activity": lambda u: (expected["last_activity"][u.id] is None,
                               -(expected["last_activity"][u.id] or datetime.min).timestamp()
                               if expected["last_activity"][u.id] else 0,
                               u.name.casefold(), u.id),
    }
    chosen = sorted((u for u in users.values()
                     if status is None or expected["statuses"][u.id] == status), key=keys[sort])
    pages = max(1, -(-len(chosen) // 7))
    for page in range(1, pages + 2):  # and one past the end
        board = dashboard(crowd, Filters(status=status, sort=sort, page=page))
        assert board.matching == len(chosen)
        shown = chosen[(page - 1) * 7:page * 7]
        assert [learner.id for learner in board.learners] == [u.id for u in shown]
        for learner in board.learners:
            assert learner.status == expected["statuses"][learner.id]
            assert learner.completed == expected["completed"][learner.id]
            assert learner.last_activity == expected["last_activity"][learner.id]
            assert learner.badge_awarded_at == expected["badge_dates"][learner.id]


def test_the_query_count_is_the_same_for_every_view_and_team_size(
    app, crowd, lead, count_queries, monkeypatch
):
    monkeypatch.setattr(queries, "PAGE_SIZE", 5)  # page 2 has learners at either size
    client = app.test_client()
    login(client, lead)

    def counts() -> dict[str, int]:
        found = {}
        for view in VIEWS:
            with count_queries() as counter:
                assert client.get(f"/team/gyn-onc/?{view}").status_code == 200
            found[view] = counter.count
        return found

    small = counts()
    add_learners(db.session.get(Department, crowd.id), 60, seed=3)
    assert counts() == small
    assert max(small.values()) <= BUDGETS["team dashboard"], small


@pytest.mark.parametrize("view", ["", "sort=progress&status=in_progress"])
def test_only_the_member_list_grows_with_the_team(app, crowd, lead, monkeypatch, view):
    """One result has a row per member; the rest stay within a page or the chart."""
    monkeypatch.setattr(queries, "PAGE_SIZE", 5)
    sizes: list[int] = []
    real = queries._rows

    def recording(query):
        rows = real(query)
        sizes.append(len(rows))
        return rows

    monkeypatch.setattr(queries, "_rows", recording)
    client = app.test_client()
    login(client, lead)
    modules = len(module_columns())
    bound = modules * (CHART_WEEKS + 1) + 5 * (modules + 1) + queries.BADGE_HOLDERS_SHOWN + 10
    department = db.session.get(Department, crowd.id)
    for _grow in range(2):
        add_learners(department, 100, seed=len(sizes))
        members = db.session.scalar(  # active ones: the deactivated are left out
            select(db.func.count()).select_from(department_members)
            .join(User, User.id == department_members.c.user_id)
            .where(department_members.c.department_id == crowd.id, User.active))
        progress_rows = db.session.scalar(select(db.func.count()).select_from(ModuleProgress))
        assert progress_rows > bound  # so reading them would show
        sizes.clear()
        assert client.get(f"/team/gyn-onc/?{view}").status_code == 200
        assert members in sizes
        sizes.remove(members)
        assert sum(sizes) <= bound, sizes


@pytest.mark.parametrize("view", ["", "sort=progress", "status=complete"])
def test_a_department_without_members(app, synced, department, lead, view):
    board = dashboard(department, Filters(status="complete" if "status" in view else None,
                                          sort="progress" if "sort" in view else "name"))
    assert (board.members, board.not_started, board.complete, board.matching) == (0, 0, 0, 0)
    assert board.series_rates == {sid: 0 for sid in board.series_rates} != {}
    client = app.test_client()
    login(client, lead)
    assert "No members yet" in client.get(f"/team/gyn-onc/?{view}").get_data(as_text=True)
