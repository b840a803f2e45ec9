"""The lead dashboard: a constant handful of grouped queries, whatever the team's size.

Everything is scoped to one department's members and to the live modules shown (all
series, or one). A learner's status over that scope is:
not started (no progress on any module), complete (every required module complete),
in progress (anything between).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, cast, func, or_, select
from sqlalchemy.sql import Subquery

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


@dataclass(frozen=True)
class Cell:
    status: str
    best_score: int | None
    completed_at: datetime | None


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
        return self.cells.get(module_id, Cell("not_started", None, None))


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


def member_stats(department_id: int, modules: list[ModuleColumn]) -> Subquery:
    """Per member: modules started and required modules completed in scope; last activity."""
    module_ids = [m.id for m in modules]
    required_ids = [m.id for m in modules if m.required]
    completed_required = func.count(case((and_(
        ModuleProgress.completed_at.is_not(None), ModuleProgress.module_id.in_(required_ids)
    ), 1)))
    return (
        select(
            department_members.c.user_id.label("user_id"),
            func.count(ModuleProgress.id).label("started"),
            completed_required.label("completed"),
            func.max(ModuleProgress.last_activity_at).label("last_activity"),
        )
        .select_from(department_members)
        .outerjoin(ModuleProgress, and_(
            ModuleProgress.user_id == department_members.c.user_id,
            ModuleProgress.module_id.in_(module_ids),
        ))
        .where(department_members.c.department_id == department_id)
        .group_by(department_members.c.user_id)
        .subquery("member_stats")
    )


def status_condition(stats: Subquery, status: str, required_total: int):
    complete = and_(stats.c.completed >= required_total, required_total > 0)
    if status == "not_started":
        return stats.c.started == 0
    if status == "complete":
        return complete
    return and_(stats.c.started > 0, ~complete)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def learner_rows(
    department_id: int,
    modules: list[ModuleColumn],
    filters: Filters,
    limit: int | None,
) -> tuple[list[LearnerRow], int]:
    """Members matching ``filters`` (a page of them if ``limit``) with their cells filled."""
    stats = member_stats(department_id, modules)
    required_total = sum(m.required for m in modules)
    query = (
        select(User.id, User.name, User.email, stats.c.started, stats.c.completed,
               stats.c.last_activity)
        .join(stats, stats.c.user_id == User.id)
    )
    if filters.q:
        pattern = like_pattern(filters.q.strip())
        query = query.where(or_(User.name.ilike(pattern, escape="\\"),
                                User.email.ilike(pattern, escape="\\")))
    if filters.status in STATUSES:
        query = query.where(status_condition(stats, filters.status, required_total))
    matching = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = {
        "progress": (stats.c.completed.desc(), stats.c.started.desc(), User.name, User.id),
        "activity": (stats.c.last_activity.desc().nulls_last(), User.name, User.id),
    }.get(filters.sort, (User.name, User.id))
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit).offset((max(filters.page, 1) - 1) * limit)
    rows = {
        row.id: LearnerRow(row.id, row.name, row.email, row.started, row.completed,
                           row.last_activity, required_total)
        for row in db.session.execute(query)
    }
    if rows:
        _fill_cells(rows, modules)
    return list(rows.values()), matching


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
        return cast(func.date_trunc("week", func.timezone("UTC", column)), Date)
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

    learners, matching = learner_rows(department.id, modules, filters, PAGE_SIZE)

    stats = member_stats(department.id, modules)
    members, not_started, complete = db.session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((stats.c.started == 0, 1), else_=0)), 0),
        func.coalesce(func.sum(case(
            (status_condition(stats, "complete", required_total), 1), else_=0)), 0),
    ).select_from(stats)).one()

    in_department = and_(
        department_members.c.user_id == ModuleProgress.user_id,
        department_members.c.department_id == department.id,
    )
    module_rates = {
        module_id: (started, completed)
        for module_id, started, completed in db.session.execute(
            select(ModuleProgress.module_id, func.count(), func.count(ModuleProgress.completed_at))
            .join(department_members, in_department)
            .where(ModuleProgress.module_id.in_(module_ids))
            .group_by(ModuleProgress.module_id)
        )
    }

    series_rates: dict[int, int] = {}
    if required_by_series:
        per_series = (
            select(ModuleProgress.user_id, Module.series_id, func.count().label("done"))
            .join(department_members, in_department)
            .join(Module, Module.id == ModuleProgress.module_id)
            .where(ModuleProgress.completed_at.is_not(None),
                   ModuleProgress.module_id.in_([m.id for m in modules if m.required]))
            .group_by(ModuleProgress.user_id, Module.series_id)
            .subquery()
        )
        series_rates = dict(db.session.execute(
            select(per_series.c.series_id, func.count())
            .where(or_(*(and_(per_series.c.series_id == sid, per_series.c.done >= n)
                         for sid, n in required_by_series.items())))
            .group_by(per_series.c.series_id)
        ).tuples().all())

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

    since = utcnow() - timedelta(weeks=CHART_WEEKS)
    week = _week_start(ModuleProgress.completed_at)
    weekly = [(_as_date(start), count) for start, count in db.session.execute(
        select(week, func.count())
        .join(department_members, in_department)
        .where(ModuleProgress.completed_at >= since, ModuleProgress.module_id.in_(module_ids))
        .group_by(week)
        .order_by(week)
    )]

    return Dashboard(
        department=department, filters=filters, modules=modules, series=live_series(),
        learners=learners, matching=matching, members=members, not_started=not_started,
        complete=complete, module_rates=module_rates, series_rates=series_rates,
        badge_holders=badge_holders, badge_holder_count=badge_holder_count, weekly=weekly,
    )
