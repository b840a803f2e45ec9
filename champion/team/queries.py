"""The lead dashboard: a constant handful of grouped queries, whatever the team's size.

Everything is scoped to one department's active members and to the live modules shown
(all series, or one). A learner's status counts the modules ModuleColumn.counts marks
(over all series, what the badges require; over one series, its required modules):
not started (no progress on any of them), complete (all of them complete), in progress
(anything between).

The database does the counting, and the department's progress is grouped twice per
page: by learner (the summary, and each learner's totals when the filter or sort needs
them) and by module and week (the completion rates and the chart). Only the page's
learners are read in full. Choosing them reads one small row per member, because names
are searched and ordered with Python's ``str.casefold``, which neither SQLite nor
PostgreSQL reproduces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Label,
    Row,
    Select,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    select,
)

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.catalog.live import live_catalog
from champion.database import utcnow
from champion.departments.models import Department, department_members
from champion.extensions import db
from champion.progress.models import STATUS_LABELS, ModuleProgress

SORTS = {"name": "Name", "progress": "Most progress", "activity": "Latest activity"}
PAGE_SIZE = 50
CHART_WEEKS = 26
BADGE_HOLDERS_SHOWN = 10


@dataclass(frozen=True)
class ModuleColumn:
    id: int
    series_id: int
    series_slug: str
    series_title: str
    slug: str
    title: str
    required: bool
    counts: bool = True  # toward a learner's status: what the badge requires (module_columns)

    @property
    def key(self) -> str:
        return f"{self.series_slug}/{self.slug}"


SYMBOLS = {"not_started": "—", "in_progress": "◐", "complete": "✓"}


@dataclass(frozen=True)
class Cell:
    status: str
    best_score: int | None

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


NOT_STARTED = Cell("not_started", None)


@dataclass
class LearnerRow:
    id: int
    name: str
    email: str
    started: int
    completed: int  # modules completed among those the status counts (ModuleColumn.counts)
    last_activity: datetime | None
    status: str  # decided by the database: see _status
    required_total: int
    badge_awarded_at: datetime | None = None
    cells: dict[int, Cell] = field(default_factory=dict)

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

    @property
    def need_totals(self) -> bool:
        """Whether choosing the page needs every member's progress totals."""
        return self.status in STATUS_LABELS or self.sort != "name"


@dataclass(frozen=True)
class Summary:
    members: int
    not_started: int
    complete: int
    series_rates: dict[int, int]  # series id -> members who completed all its required


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
    module_completions: dict[int, int]  # module id -> members who completed it
    series_rates: dict[int, int]  # series id -> learners who completed all its required
    badge_holders: list[tuple[str, str, datetime]]  # (name, award uid, awarded at), newest first
    badge_holder_count: int
    weekly: list[tuple[date, int]]
    deactivated: int = 0  # deactivated members, left out of everything above

    @property
    def counted(self) -> list[ModuleColumn]:
        """The modules a learner's status counts."""
        return [m for m in self.modules if m.counts]

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE_SIZE))


def _rows(query: Select) -> Sequence[Row]:
    """Run ``query`` on the session's connection and fetch all its rows at once.

    For the thousands of rows read here, the ORM's per-row loading step, or fetching rows
    one at a time, would each about double the cost of reading them. The dashboard only
    reads, so skipping the ORM's autoflush changes nothing.
    """
    return db.session.connection().execute(query).all()


def module_columns(series_slug: str | None = None) -> list[ModuleColumn]:
    """The live modules in catalog order (one series' when ``series_slug`` names it).

    Over every series, a learner's status counts what the badges require (a series no
    badge asks for is shown beside it, not folded in); over one series, its required
    modules. With no badge at all, every required module counts.
    """
    live = live_catalog()
    toward_badges = set().union(*(badge.module_ids for badge in live.badges))
    return [
        ModuleColumn(m.id, series.id, series.slug, series.title, m.slug, m.version.title,
                     m.version.required,
                     m.id in toward_badges if toward_badges and not series_slug
                     else m.version.required)
        for series in live.series if not series_slug or series.slug == series_slug
        for m in live.modules[series.id]
    ]


def live_series() -> list[tuple[int, str, str]]:
    return [(series.id, series.slug, series.title) for series in live_catalog().series]


def required_total(modules: list[ModuleColumn]) -> int:
    """How many modules a learner's status counts (ModuleColumn.counts)."""
    return sum(m.counts for m in modules)


def _required_ids(modules: list[ModuleColumn], series_id: int | None = None) -> list[int]:
    return [m.id for m in modules
            if m.required and (series_id is None or m.series_id == series_id)]


def _series_with_required(modules: list[ModuleColumn]) -> list[int]:
    """Series ids in scope order, leaving out series with nothing required."""
    return list(dict.fromkeys(m.series_id for m in modules if m.required))


def member_ids(department_id: int) -> Select:
    """The department's active members: a deactivated account is left out of every count
    (the dashboard says how many; the members page marks them)."""
    return (select(department_members.c.user_id)
            .join(User, User.id == department_members.c.user_id)
            .where(department_members.c.department_id == department_id, User.active))


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- Progress grouped by learner ------------------------------------------------------


def _completed_count(counted: list[int], scope: list[int]) -> ColumnElement[int]:
    """Completed modules among ``counted``, an aggregate over one learner's progress rows.

    When every module in scope counts (all required, the usual case), the rows are
    already limited to the scope, so the per-row membership test is left out.
    """
    if set(counted) == set(scope):
        return func.count(ModuleProgress.completed_at)
    return func.count(case((and_(
        ModuleProgress.completed_at.is_not(None), ModuleProgress.module_id.in_(counted)
    ), 1)))


def _completed(modules: list[ModuleColumn]) -> Label[int]:
    counted = [m.id for m in modules if m.counts]
    return _completed_count(counted, [m.id for m in modules]).label("completed")


def _begun(modules: list[ModuleColumn]) -> Label[int]:
    """Modules begun among those the status counts (every one in scope if none counts):
    a learner who only opened a module the badge doesn't ask for hasn't started on it."""
    scope = [m.id for m in modules]
    counted = [m.id for m in modules if m.counts] or scope
    if set(counted) == set(scope):
        return func.count().label("begun")
    return func.count(case((ModuleProgress.module_id.in_(counted), 1))).label("begun")


def _standing(modules: list[ModuleColumn]) -> list[Label]:
    """Per learner: modules started, counted modules begun and completed, latest activity."""
    return [func.count().label("started"), _begun(modules), _completed(modules),
            func.max(ModuleProgress.last_activity_at).label("last_activity")]


def _series_done(modules: list[ModuleColumn]) -> list[Label[int]]:
    """Per learner: required modules completed in each series of _series_with_required."""
    scope = [m.id for m in modules]
    return [_completed_count(_required_ids(modules, sid), scope).label(f"series_{i}")
            for i, sid in enumerate(_series_with_required(modules))]


def progress_by_user(
    modules: list[ModuleColumn], users: Select | Sequence[int], *columns: Label
) -> Subquery:
    """Progress on the modules in scope grouped by learner: user_id and ``columns``.

    Only learners with progress in scope have a row: a member without one has not
    started. Callers ask for the aggregates they use: SQLite computes all it is given.
    """
    return (
        select(ModuleProgress.user_id.label("user_id"), *columns)
        .where(ModuleProgress.module_id.in_([m.id for m in modules]),
               ModuleProgress.user_id.in_(users))
        .group_by(ModuleProgress.user_id)
        .subquery("progress")
    )


def _status(progress: Subquery, total: int) -> ColumnElement[str]:
    """A member's status (a key of STATUS_LABELS), given ``progress`` outer-joined to them.

    The one definition of the statuses: the summary, the status filter and the learners
    shown all use it.
    """
    complete = progress.c.completed >= total if total else false()
    return case((func.coalesce(progress.c.begun, 0) == 0, "not_started"),
                (complete, "complete"), else_="in_progress")


def _member_columns(progress: Subquery, total: int) -> list[ColumnElement]:
    """Id, name, email, started, completed, last activity and status (Member's fields)
    of users outer-joined to ``progress`` (with _standing columns)."""
    return [User.id.label("id"), User.name.label("name"), User.email.label("email"),
            func.coalesce(progress.c.started, 0).label("started"),
            func.coalesce(progress.c.completed, 0).label("completed"),
            progress.c.last_activity.label("last_activity"),
            _status(progress, total).label("status")]


def _member_fields(row: Row) -> dict:
    """A row's _member_columns, by name."""
    mapping = row._mapping
    return {name: mapping[name] for name in Member._fields}


def _summary_counts(progress: Subquery, modules: list[ModuleColumn]) -> list[Label[int]]:
    """Learners who started, who completed everything, then each series' completers
    (_series_with_required): aggregates over ``progress`` rows (with _series_done
    columns), alone or outer-joined to the members, who add nothing to them."""
    complete = _status(progress, required_total(modules)) == "complete"
    return [
        func.count(case((progress.c.begun > 0, 1))).label("count_started"),
        func.count(case((complete, 1))).label("count_complete"),
        *(func.count(case((progress.c[f"series_{i}"] >= len(_required_ids(modules, sid)), 1)))
          .label(f"count_series_{i}")
          for i, sid in enumerate(_series_with_required(modules))),
    ]


def _as_summary(members: int, counts: Sequence[int], modules: list[ModuleColumn]) -> Summary:
    started, complete, *done = counts
    series = _series_with_required(modules)
    return Summary(members, members - started, complete, dict(zip(series, done, strict=True)))


def summary(department_id: int, modules: list[ModuleColumn]) -> Summary:
    """The department's summary: one aggregate row over the learners with progress."""
    progress = progress_by_user(modules, member_ids(department_id),
                                _begun(modules), _completed(modules), *_series_done(modules))
    members = select(func.count()).select_from(member_ids(department_id).subquery()
                                               ).scalar_subquery()
    ((count, *counts),) = _rows(
        select(members, *_summary_counts(progress, modules)).select_from(progress))
    return _as_summary(count, counts, modules)


# --- Choosing the learners shown ------------------------------------------------------


class Member(NamedTuple):
    """A member as the page is chosen. The totals and status are read only when
    Filters.need_totals (they are zero and None otherwise)."""

    id: int
    name: str
    email: str
    started: int = 0
    completed: int = 0
    last_activity: datetime | None = None
    status: str | None = None


def _names(department_id: int) -> list[Member]:
    return [Member(*row) for row in _rows(
        select(User.id, User.name, User.email)
        .join(department_members, department_members.c.user_id == User.id)
        .where(department_members.c.department_id == department_id, User.active)
    )]


def _standings(department_id: int, modules: list[ModuleColumn]) -> tuple[list[Member], Summary]:
    """Every member with their totals and status, and the department's summary.

    The summary's counts are window aggregates over these same rows, so the department's
    progress is grouped by learner once for both.
    """
    progress = progress_by_user(modules, member_ids(department_id),
                                *_standing(modules), *_series_done(modules))
    counts = _summary_counts(progress, modules)
    rows = _rows(
        select(*_member_columns(progress, required_total(modules)),
               *(count.element.over().label(count.name) for count in counts))
        .join(department_members, department_members.c.user_id == User.id)
        .outerjoin(progress, progress.c.user_id == User.id)
        .where(department_members.c.department_id == department_id, User.active)
    )
    totals = [rows[0]._mapping[count.name] if rows else 0 for count in counts]
    return ([Member(**_member_fields(row)) for row in rows],
            _as_summary(len(rows), totals, modules))


def members(
    department_id: int, modules: list[ModuleColumn], filters: Filters
) -> tuple[list[Member], Summary | None]:
    """Every member, as the page is chosen from them, and the summary if it came along."""
    if filters.need_totals:
        return _standings(department_id, modules)
    return _names(department_id), None


def _sort_key(sort: str) -> Callable[[Member], tuple]:
    if sort == "progress":
        return lambda s: (-s.completed, -s.started, s.name.casefold(), s.id)
    if sort == "activity":
        return lambda s: (s.last_activity is None,
                          -(s.last_activity.timestamp() if s.last_activity else 0),
                          s.name.casefold(), s.id)
    return lambda s: (s.name.casefold(), s.id)


def _chosen(everyone: list[Member], filters: Filters) -> list[Member]:
    """The members matching ``filters``, in the order shown."""
    chosen = everyone
    if filters.q:
        needle = filters.q.strip().casefold()
        chosen = [s for s in chosen if needle in s.name.casefold() or needle in s.email]
    if filters.status in STATUS_LABELS:
        chosen = [s for s in chosen if s.status == filters.status]
    return sorted(chosen, key=_sort_key(filters.sort))


def learner_rows(
    department_id: int,
    modules: list[ModuleColumn],
    filters: Filters,
    limit: int | None,
    everyone: list[Member] | None = None,
) -> tuple[list[LearnerRow], int]:
    """Members matching ``filters`` (a page of them if ``limit``) with their cells filled,
    and how many match. ``everyone`` is members()'s list, if the caller has it."""
    if everyone is None:
        everyone, _summary = members(department_id, modules, filters)
    chosen = _chosen(everyone, filters)
    shown = chosen
    if limit is not None:
        offset = (max(filters.page, 1) - 1) * limit
        shown = chosen[offset:offset + limit]
    if not shown:
        return [], len(chosen)
    # A page names its few learners; the whole list is read by membership instead of
    # a list of thousands of ids (SQLite caps the number of bound parameters).
    users = [s.id for s in shown] if limit is not None else member_ids(department_id)
    learners = _learners(users, modules)
    return [learners[s.id] for s in shown], len(chosen)


def _learners(users: Select | list[int], modules: list[ModuleColumn]) -> dict[int, LearnerRow]:
    """These learners' rows with their totals, badge dates and cells: two queries."""
    total = required_total(modules)
    progress = progress_by_user(modules, users, *_standing(modules))
    badges = (
        select(BadgeAward.user_id, func.min(BadgeAward.awarded_at).label("awarded_at"))
        .where(BadgeAward.user_id.in_(users), BadgeAward.revoked_at.is_(None))
        .group_by(BadgeAward.user_id)
        .subquery("badges")
    )
    rows = {
        row.id: LearnerRow(**_member_fields(row), required_total=total,
                           badge_awarded_at=row.awarded_at)
        for row in _rows(
            select(*_member_columns(progress, total), badges.c.awarded_at)
            .outerjoin(progress, progress.c.user_id == User.id)
            .outerjoin(badges, badges.c.user_id == User.id)
            .where(User.id.in_(users))
        )
    }
    complete = ModuleProgress.completed_at.is_not(None)
    for user_id, module_id, done, best_score in _rows(
        select(ModuleProgress.user_id, ModuleProgress.module_id, complete,
               ModuleProgress.best_score)
        .where(ModuleProgress.user_id.in_(users),
               ModuleProgress.module_id.in_([m.id for m in modules]))
    ):
        rows[user_id].cells[module_id] = Cell("complete" if done else "in_progress", best_score)
    return rows


# --- Module rates, the weekly chart and badge holders ---------------------------------


def _week_number(column, first_monday: date) -> ColumnElement[int]:
    """Whole weeks from ``first_monday`` (UTC) to ``column``, for a ``column`` after it.

    A week's number rather than its date: cheaper to compute and to group on, on both
    databases, and turned into a date once per week in Python.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        # date - date is a whole number of days; sessions run in UTC (app.py).
        return (cast(column, Date) - first_monday) // 7
    days = func.julianday(column) - func.julianday(first_monday.isoformat())
    return cast(days / 7, Integer)  # SQLite: toward zero, which is down here


def completions(
    department_id: int, modules: list[ModuleColumn]
) -> tuple[dict[int, int], list[tuple[date, int]]]:
    """How many members completed each module, and the chart's weekly completions.

    One grouping of the department's completed progress by module and week (no week
    outside the chart's range) gives both. Progress not completed is not read at all:
    the page shows no count of it.
    """
    since = utcnow() - timedelta(weeks=CHART_WEEKS)
    first_monday = since.date() - timedelta(days=since.weekday())
    week = case((ModuleProgress.completed_at >= since,
                 _week_number(ModuleProgress.completed_at, first_monday)))
    by_module: dict[int, int] = {}
    weekly: dict[date, int] = {}
    for module_id, number, completed in _rows(
        select(ModuleProgress.module_id, week, func.count())
        .where(ModuleProgress.completed_at.is_not(None),
               ModuleProgress.module_id.in_([m.id for m in modules]),
               ModuleProgress.user_id.in_(member_ids(department_id)))
        .group_by(ModuleProgress.module_id, week)
    ):
        by_module[module_id] = by_module.get(module_id, 0) + completed
        if number is not None:
            monday = first_monday + timedelta(weeks=number)
            weekly[monday] = weekly.get(monday, 0) + completed
    return by_module, sorted(weekly.items())


def badge_holders(department_id: int) -> tuple[list[tuple[str, str, datetime]], int]:
    """The newest holders' (name, award uid, awarded at), and how many holders in all.

    The count is a window over the same rows, computed before the LIMIT: one query.
    """
    rows = _rows(
        select(User.name, BadgeAward.uid, BadgeAward.awarded_at, func.count().over())
        .join(User, User.id == BadgeAward.user_id)
        .where(BadgeAward.user_id.in_(member_ids(department_id)),
               BadgeAward.revoked_at.is_(None))
        .order_by(BadgeAward.awarded_at.desc())
        .limit(BADGE_HOLDERS_SHOWN)
    )
    holders = [(name, uid, awarded) for name, uid, awarded, _total in rows]
    return holders, rows[0][3] if rows else 0


def deactivated_members(department_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(department_members)
        .join(User, User.id == department_members.c.user_id)
        .where(department_members.c.department_id == department_id, ~User.active)) or 0


def dashboard(department: Department, filters: Filters) -> Dashboard:
    modules = module_columns(filters.series)
    everyone, totals = members(department.id, modules, filters)
    totals = totals or summary(department.id, modules)
    learners, matching = learner_rows(department.id, modules, filters, PAGE_SIZE, everyone)
    module_completions, weekly = completions(department.id, modules)
    holders, holder_count = badge_holders(department.id)
    return Dashboard(
        department=department, filters=filters, modules=modules, series=live_series(),
        learners=learners, matching=matching, members=totals.members,
        not_started=totals.not_started, complete=totals.complete,
        module_completions=module_completions, series_rates=totals.series_rates,
        badge_holders=holders, badge_holder_count=holder_count, weekly=weekly,
        deactivated=deactivated_members(department.id),
    )
