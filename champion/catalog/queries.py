"""Reading the catalog with a learner's status, in a fixed handful of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import select

from champion.catalog.models import Module, ModuleVersion, Series
from champion.catalog.rendered import load_rendered
from champion.extensions import db
from champion.progress.models import ModuleProgress

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
}


@dataclass
class ModuleEntry:
    module: Module
    version: ModuleVersion
    progress: ModuleProgress | None = None

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else "not_started"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class SeriesEntry:
    series: Series
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


def learner_progress(user_id: int | None) -> dict[int, ModuleProgress]:
    if user_id is None:
        return {}
    return {
        p.module_id: p
        for p in db.session.scalars(
            select(ModuleProgress).where(ModuleProgress.user_id == user_id)
        )
    }


def catalog(user_id: int | None, series_slug: str | None = None) -> list[SeriesEntry]:
    """Live series and modules, in catalog order, with ``user_id``'s status on each."""
    series_query = select(Series).where(Series.retired_at.is_(None))
    if series_slug is not None:
        series_query = series_query.where(Series.slug == series_slug)
    entries = {
        s.id: SeriesEntry(s)
        for s in db.session.scalars(series_query.order_by(Series.position, Series.slug))
    }
    if not entries:
        return []
    rows = db.session.execute(
        select(Module, ModuleVersion)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.series_id.in_(entries), Module.retired_at.is_(None))
        .order_by(ModuleVersion.position, Module.slug)
    ).all()
    progress = learner_progress(user_id)
    for module, version in rows:
        entries[module.series_id].modules.append(
            ModuleEntry(module, version, progress.get(module.id))
        )
    return list(entries.values())


def find_module(
    series_slug: str, module_slug: str, content: str | None = None
) -> tuple[Series, Module, ModuleVersion]:
    """The live module at ``series/module`` with its current version, or 404.

    ``content`` names the group of rendered content to load with it ("reading",
    "slides", "quiz" or "case"), from the worker's cache when it can; the rest stays in
    the database.
    """
    row = db.session.execute(
        select(Series, Module, ModuleVersion)
        .join(Module, Module.series_id == Series.id)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(
            Series.slug == series_slug,
            Module.slug == module_slug,
            Module.retired_at.is_(None),
            Series.retired_at.is_(None),
        )
    ).first()
    if row is None:
        abort(404)
    if content:
        load_rendered(row[2], content)
    return tuple(row)


@dataclass
class NextSteps:
    """What a signed-in learner should see first: where to pick up, how far to the badge."""

    resume: ModuleEntry | None
    resume_series: Series | None
    badge_name: str | None
    badge_slug: str | None
    badge_remaining: int | None  # required modules still to complete for the badge
    badge_total: int | None
    badge_held: bool


def next_steps(entries: list[SeriesEntry]) -> NextSteps:
    """From the catalog already loaded, plus one query for the badge the learner is after."""
    from champion.badges.models import Badge

    in_progress = [(m, e.series) for e in entries for m in e.modules
                   if m.status == "in_progress"]
    in_progress.sort(key=lambda pair: pair[0].progress.last_activity_at, reverse=True)
    resume, resume_series = in_progress[0] if in_progress else (None, None)
    badge = db.session.scalar(select(Badge).where(Badge.retired_at.is_(None)).order_by(Badge.id))
    if badge is None:
        return NextSteps(resume, resume_series, None, None, None, None, False)
    wanted = [m for e in entries for m in e.modules
              if (e.series.slug in badge.criteria_series and m.version.required)
              or f"{e.series.slug}/{m.module.slug}" in badge.criteria_modules]
    remaining = sum(m.status != "complete" for m in wanted)
    return NextSteps(resume, resume_series, badge.name, badge.slug, remaining, len(wanted),
                     remaining == 0 and bool(wanted))
