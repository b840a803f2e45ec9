"""Reading the catalog with a learner's status: the worker's live copy plus one query."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask import abort
from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import selectinload

from champion.badges.models import BadgeAward
from champion.catalog.live import LiveModule, LiveSeries, LiveVersion, live_catalog
from champion.catalog.models import Module, ModuleVersion
from champion.database import utcnow
from champion.extensions import db
from champion.progress.models import ModuleProgress, awaiting_view, progress_status


@dataclass
class ModuleEntry:
    module: LiveModule
    version: LiveVersion
    progress: Row | None = None  # the learner's module_progress row

    @property
    def status(self) -> str:
        if self.progress is None:
            return "not_started"
        return progress_status(self.progress.completed_at)

    @property
    def awaiting_view(self) -> bool:
        return awaiting_view(self.progress, self.version)


@dataclass
class SeriesEntry:
    series: LiveSeries
    modules: list[ModuleEntry] = field(default_factory=list)

    @property
    def required(self) -> list[ModuleEntry]:
        return [m for m in self.modules if m.version.required]

    @property
    def required_done(self) -> int:
        return sum(m.status == "complete" for m in self.required)

    @property
    def percent(self) -> int:
        required = self.required
        return 100 * self.required_done // len(required) if required else 0

    @property
    def minutes(self) -> int:
        return sum(m.version.duration for m in self.modules)

    @property
    def next_module(self) -> ModuleEntry | None:
        """Where to pick up: the first module in progress, else the first not complete."""
        for status in ("in_progress", "not_started"):
            for entry in self.modules:
                if entry.status == status:
                    return entry
        return None


_PROGRESS = ModuleProgress.__table__
# Built once: on the hot pages, making the statement would cost more than running it.
_LEARNER_PROGRESS = select(_PROGRESS).where(_PROGRESS.c.user_id == bindparam("user_id"))
_MODULE_PROGRESS = _LEARNER_PROGRESS.where(_PROGRESS.c.module_id == bindparam("module_id"))


def learner_progress(user_id: int | None) -> dict[int, Row]:
    """The learner's progress rows by module id: one query, plain rows."""
    if user_id is None:
        return {}
    rows = db.session.execute(_LEARNER_PROGRESS, {"user_id": user_id})
    return {row.module_id: row for row in rows}


def module_progress(user_id: int, module_id: int) -> Row | None:
    return db.session.execute(
        _MODULE_PROGRESS, {"user_id": user_id, "module_id": module_id}
    ).first()


def catalog(user_id: int | None, series_slug: str | None = None) -> list[SeriesEntry]:
    """Live series and modules, in catalog order, with ``user_id``'s status on each.

    The catalog itself comes from the worker's copy (``catalog.live``); the learner's
    progress is the page's one query.
    """
    live = live_catalog()
    progress = learner_progress(user_id)
    return [
        SeriesEntry(series, [ModuleEntry(m, m.version, progress.get(m.id))
                             for m in live.modules[series.id]])
        for series in live.series
        if series_slug is None or series.slug == series_slug
    ]


def find_live_module(series_slug: str, module_slug: str, content: str | None = None) -> LiveModule:
    """The live module at ``series/module`` for reading, or 404.

    ``content`` names the group of rendered content its version carries ("reading",
    "slides", "quiz" or "case"), from the worker's cache when it can.
    """
    module = live_catalog().module(series_slug, module_slug)
    if module is None:
        abort(404)
    if content:
        module = replace(module, version=module.version.with_content(content))
    return module


@dataclass
class NextSteps:
    """What a signed-in learner should see first: where to pick up, how far to the badge."""

    resume: ModuleEntry | None
    resume_series: LiveSeries | None
    badge_name: str | None
    badge_slug: str | None
    badge_remaining: int | None  # required modules still to complete for the badge
    badge_total: int | None
    badge_held: bool
    # The module to take next toward the badge (the first in progress, else the first not
    # started, in catalog order), and its series.
    toward_badge: ModuleEntry | None = None
    toward_badge_series: LiveSeries | None = None


def next_steps(entries: list[SeriesEntry], user_id: int | None = None) -> NextSteps:
    """From the catalog already loaded, and one query for a learner who has completed any of
    the badge's modules: whether they hold it. A holder is never told they are short of it
    (a module published since they earned it)."""
    in_progress = [(m, e.series) for e in entries for m in e.modules
                   if m.status == "in_progress"]
    in_progress.sort(key=lambda pair: pair[0].progress.last_activity_at, reverse=True)
    resume, resume_series = in_progress[0] if in_progress else (None, None)
    badge = live_catalog().badge
    if badge is None:
        return NextSteps(resume, resume_series, None, None, None, None, False)
    wanted = [(m, e.series) for e in entries for m in e.modules
              if m.module.id in badge.module_ids]
    remaining = sum(m.status != "complete" for m, _ in wanted)
    # Holding it is what the awards say: all done may still be unheld (revoked, or held
    # back until the email address is verified), and a holder may be short of a module
    # published since.
    held = (user_id is not None and bool(wanted) and remaining < len(wanted)
            and holds_badge(user_id, badge.id))
    toward = next(((m, s) for status in ("in_progress", "not_started")
                   for m, s in wanted if m.status == status), (None, None))
    return NextSteps(resume, resume_series, badge.name, badge.slug, remaining, len(wanted),
                     held, *toward)


def next_module_after(entries: list[SeriesEntry], module_id: int
                      ) -> tuple[ModuleEntry, LiveSeries] | None:
    """The module to take after ``module_id``: the next one in catalog order (coming round
    to the start) not yet complete, one the badge asks for first; None when all are done."""
    ordered = [(m, e.series) for e in entries for m in e.modules]
    at = next((i for i, (m, _) in enumerate(ordered) if m.module.id == module_id), -1)
    after = [pair for pair in ordered[at + 1:] + ordered[:at + 1]
             if pair[0].module.id != module_id and pair[0].status != "complete"]
    badge = live_catalog().badge
    toward = [pair for pair in after if badge and pair[0].module.id in badge.module_ids]
    return (toward or after or [None])[0]


def holds_badge(user_id: int, badge_id: int) -> bool:
    """Whether ``user_id`` holds a valid (not revoked, not expired) award of the badge."""
    return db.session.scalar(
        select(BadgeAward.id).where(
            BadgeAward.user_id == user_id, BadgeAward.badge_id == badge_id,
            BadgeAward.revoked_at.is_(None),
            (BadgeAward.expires_at.is_(None)) | (BadgeAward.expires_at > utcnow()))
        .limit(1)) is not None


def module_versions(module: Module) -> list[ModuleVersion]:
    """Every version of ``module``, newest first, with who made each."""
    return list(db.session.scalars(
        select(ModuleVersion).options(selectinload(ModuleVersion.created_by))
        .where(ModuleVersion.module_id == module.id).order_by(ModuleVersion.number.desc())
    ))
