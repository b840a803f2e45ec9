"""The lead dashboard: a constant handful of grouped queries, whatever the team's size.

Everything is scoped to one department's members and to the live modules shown (all
series, or one). A learner's status over that scope is:
not started (no progress on any module), complete (every required module complete),
in progress (anything between).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, cast, func, select

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.catalog.models import Module, ModuleVersion, Series
from champion.database import utcnow
from champion.departments.models import Department, department_members
from champion.extensions import db
from champion.progress.models import ModuleProgress

STATUSES = {"not_started": "Not started", "in_progress": "In progress", "complete": "Complete"}
SORTS = {"name": "Name", "progress": "Most progress", "activity": "Latest activity"}
PAGE_SIZE = 50
CHART_WEEKS = 26


@dataclass(frozen=True)
class ModuleColumn:
    id: int
    series_id: int
    series_slug: str
    series_title: str
    slug: str
    title: str
    required: bool

    @property
    def key(self) -> str:
        return f"{self.series_slug}/{self.slug}"


SYMBOLS = {"not_started": "—", "in_progress": "◐", "complete": "✓"}


@dataclass(frozen=True)
class Cell:
    status: str
    best_score: int | None
    completed_at: datetime | None

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]

    @property
    def label(self) -> str:
        return STATUSES[self.status]


NOT_STARTED = Cell("not_started", None, None)


@dataclass
class LearnerRow:
    id: int
    name: str
    email: str
    started: int
    completed: int
    last_activity: datetime | None
    required_total: int
    badge_awarded_at: datetime | None = None
    cells: dict[int, Cell] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.started == 0:
            return "not_started"
        if self.required_total and self.completed >= self.required_total:
            return "complete"
        return "in_progress"

    def cell(self, module_id: int) -> Cell:
        return self.cells.get(module_id, NOT_STARTED)

    def row(self, modules: list[ModuleColumn]) -> list[Cell]:
        return [self.cells.get(m.id, NOT_STARTED) for m in modules]


@dataclass(frozen=True)
class Filters:
    series: str | None = None
    status: str | None = None
    q: str = ""
    sort: str = "name"
    page: int = 1


@dataclass
class Dashboard:
    department: Department
    filters: Filters
    modules: list[ModuleColumn]
    series: list[tuple[int, str, str]]  # (id, slug, title) of every live series
    learners: list[LearnerRow]
    matching: int  # learners matching the filters
    members: int
    not_started: int
    complete: int
    module_rates: dict[int, tuple[int, int]]  # module id -> (started, completed)
    series_rates: dict[int, int]  # series id -> learners who completed all its required
    badge_holders: list[tuple[str, str, datetime]]  # (name, award uid, awarded at), newest first
    badge_holder_count: int
    weekly: list[tuple[date, int]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE_SIZE))

    @property
    def required_total(self) -> int:
        return sum(m.required for m in self.modules)

    def required_in_series(self, series_id: int) -> int:
        return sum(m.required for m in self.modules if m.series_id == series_id)


def module_columns(series_slug: str | None = None) -> list[ModuleColumn]:
    query = (
        select(Module.id, Series.id, Series.slug, Series.title, Module.slug,
               ModuleVersion.title, ModuleVersion.required)
        .join(Series, Module.series_id == Series.id)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.retired_at.is_(None), Series.retired_at.is_(None))
        .order_by(Series.position, Series.slug, ModuleVersion.position, Module.slug)
    )
    if series_slug:
        query = query.where(Series.slug == series_slug)
    return [ModuleColumn(*row) for row in db.session.execute(query)]


def live_series() -> list[tuple[int, str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(Series.id, Series.slug, Series.title)
        .where(Series.retired_at.is_(None))
        .order_by(Series.position, Series.slug)
    )]


@dataclass(frozen=True)
class MemberStats:
    """One member's standing over the modules in scope, from one grouped query."""

    id: int
    name: str
    email: str
    started: int
    completed: int  # required modules completed
    last_activity: datetime | None
    series_done: tuple[int, ...]  # required modules completed, per series in scope order


def member_stats(department_id: int, modules: list[ModuleColumn]) -> list[MemberStats]:
    """Every member's stats in one grouped query: the only query that reads every member."""
    module_ids = [m.id for m in modules]
    series_ids = list(dict.fromkeys(m.series_id for m in modules))

    def completed_of(ids: list[int]):
        return func.count(case((and_(
            ModuleProgress.completed_at.is_not(None), ModuleProgress.module_id.in_(ids)
        ), 1)))

    per_series = [
        completed_of([m.id for m in modules if m.required and m.series_id == sid])
        for sid in series_ids
    ]
    members = select(department_members.c.user_id).where(
        department_members.c.department_id == department_id)
    # Aggregate progress per user first, then attach names: grouping on the id alone.
    progress = (
        select(ModuleProgress.user_id.label("user_id"),
               func.count().label("started"),
               completed_of([m.id for m in modules if m.required]).label("completed"),
               func.max(ModuleProgress.last_activity_at).label("last_activity"),
               *(column.label(f"series_{i}") for i, column in enumerate(per_series)))
        .where(ModuleProgress.module_id.in_(module_ids),
               ModuleProgress.user_id.in_(members))
        .group_by(ModuleProgress.user_id)
        .subquery()
    )
    query = (
        select(User.id, User.name, User.email,
               func.coalesce(progress.c.started, 0), func.coalesce(progress.c.completed, 0),
               progress.c.last_activity,
               *(func.coalesce(progress.c[f"series_{i}"], 0) for i in range(len(per_series))))
        .select_from(department_members)
        .join(User, User.id == department_members.c.user_id)
        .outerjoin(progress, progress.c.user_id == User.id)
        .where(department_members.c.department_id == department_id)
    )
    return [MemberStats(*row[:6], tuple(row[6:])) for row in db.session.execute(query)]


def learner_status(stats: MemberStats, required_total: int) -> str:
    if stats.started == 0:
        return "not_started"
    if required_total and stats.completed >= required_total:
        return "complete"
    return "in_progress"


def _sort_key(sort: str):
    if sort == "progress":
        return lambda s: (-s.completed, -s.started, s.name.casefold(), s.id)
    if sort == "activity":
        return lambda s: (s.last_activity is None,
                          -(s.last_activity.timestamp() if s.last_activity else 0),
                          s.name.casefold(), s.id)
    return lambda s: (s.name.casefold(), s.id)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def learner_rows(
    department_id: int,
    modules: list[ModuleColumn],
    filters: Filters,
    limit: int | None,
    stats: list[MemberStats] | None = None,
) -> tuple[list[LearnerRow], int]:
    """Members matching ``filters`` (a page of them if ``limit``) with their cells filled.

    Filtering and sorting run over the grouped stats (one small row per member), so the
    number of queries never depends on the department's size.
    """
    if stats is None:
        stats = member_stats(department_id, modules)
    required_total = sum(m.required for m in modules)
    chosen = stats
    if filters.q:
        needle = filters.q.strip().casefold()
        chosen = [s for s in chosen if needle in s.name.casefold() or needle in s.email]
    if filters.status in STATUSES:
        chosen = [s for s in chosen if learner_status(s, required_total) == filters.status]
    chosen = sorted(chosen, key=_sort_key(filters.sort))
    shown = chosen
    if limit is not None:
        offset = (max(filters.page, 1) - 1) * limit
        shown = chosen[offset:offset + limit]
    rows = {
        s.id: LearnerRow(s.id, s.name, s.email, s.started, s.completed, s.last_activity,
                         required_total)
        for s in shown
    }
    if rows:
        _fill_cells(rows, modules)
    return list(rows.values()), len(chosen)


def _fill_cells(rows: dict[int, LearnerRow], modules: list[ModuleColumn]) -> None:
    """Progress cells and badge dates for these learners: two queries."""
    user_ids = list(rows)
    for user_id, module_id, completed_at, best_score in db.session.execute(
        select(ModuleProgress.user_id, ModuleProgress.module_id, ModuleProgress.completed_at,
               ModuleProgress.best_score)
        .where(ModuleProgress.user_id.in_(user_ids),
               ModuleProgress.module_id.in_([m.id for m in modules]))
    ):
        status = "complete" if completed_at else "in_progress"
        rows[user_id].cells[module_id] = Cell(status, best_score, completed_at)
    for user_id, awarded_at in db.session.execute(
        select(BadgeAward.user_id, func.min(BadgeAward.awarded_at))
        .where(BadgeAward.user_id.in_(user_ids), BadgeAward.revoked_at.is_(None))
        .group_by(BadgeAward.user_id)
    ):
        rows[user_id].badge_awarded_at = awarded_at


def _week_start(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", column), Date)  # sessions run in UTC (app.py)
    return func.date(column, "weekday 0", "-6 days")  # SQLite: the Monday of that week


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def dashboard(department: Department, filters: Filters) -> Dashboard:
    modules = module_columns(filters.series)
    module_ids = [m.id for m in modules]
    required_by_series: dict[int, int] = {}
    for m in modules:
        if m.required:
            required_by_series[m.series_id] = required_by_series.get(m.series_id, 0) + 1
    required_total = sum(required_by_series.values())

    stats = member_stats(department.id, modules)
    learners, matching = learner_rows(department.id, modules, filters, PAGE_SIZE, stats)
    statuses = [learner_status(member, required_total) for member in stats]
    series_order = list(dict.fromkeys(m.series_id for m in modules))
    series_rates = {
        sid: sum(member.series_done[index] >= required_by_series[sid] for member in stats)
        for index, sid in enumerate(series_order) if required_by_series.get(sid)
    }

    # Per module and week in one grouping: each module's started and completed counts,
    # and the chart's weekly completions (the bucket is NULL outside the chart's range).
    since = utcnow() - timedelta(weeks=CHART_WEEKS)
    week = case((ModuleProgress.completed_at >= since, _week_start(ModuleProgress.completed_at)))
    module_rates: dict[int, tuple[int, int]] = {}
    weekly_counts: dict[date, int] = {}
    for module_id, bucket, started, completed in db.session.execute(
        select(ModuleProgress.module_id, week, func.count(),
               func.count(ModuleProgress.completed_at))
        .join(department_members, and_(
            department_members.c.user_id == ModuleProgress.user_id,
            department_members.c.department_id == department.id,
        ))
        .where(ModuleProgress.module_id.in_(module_ids))
        .group_by(ModuleProgress.module_id, week)
    ):
        before = module_rates.get(module_id, (0, 0))
        module_rates[module_id] = (before[0] + started, before[1] + completed)
        if bucket is not None and completed:
            day = _as_date(bucket)
            weekly_counts[day] = weekly_counts.get(day, 0) + completed

    holders_query = (
        select(User.name, BadgeAward.uid, BadgeAward.awarded_at)
        .join(User, User.id == BadgeAward.user_id)
        .join(department_members, and_(department_members.c.user_id == BadgeAward.user_id,
                                       department_members.c.department_id == department.id))
        .where(BadgeAward.revoked_at.is_(None))
    )
    badge_holder_count = db.session.scalar(
        select(func.count()).select_from(holders_query.subquery())
    )
    badge_holders = [tuple(row) for row in db.session.execute(
        holders_query.order_by(BadgeAward.awarded_at.desc()).limit(10)
    )]

    weekly = sorted(weekly_counts.items())

    return Dashboard(
        department=department, filters=filters, modules=modules, series=live_series(),
        learners=learners, matching=matching, members=len(stats),
        not_started=statuses.count("not_started"), complete=statuses.count("complete"),
        module_rates=module_rates, series_rates=series_rates,
        badge_holders=badge_holders, badge_holder_count=badge_holder_count, weekly=weekly,
    )
