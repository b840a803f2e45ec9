"""Reading badges and awards: what a badge requires, what an award covers."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from champion.badges.certificate import CompletedModule
from champion.badges.models import Badge, BadgeAward
from champion.catalog.models import Module, ModuleVersion, Series
from champion.extensions import db
from champion.progress.models import ModuleProgress


def criteria_module_ids(badges: Collection[Badge]) -> dict[int, set[int]]:
    """For each badge, the live modules its criteria require, in one query.

    ``series`` criteria take every required module of the series; ``modules`` criteria
    name modules outright. Retired modules can't be completed, so they never count.
    """
    rows = db.session.execute(
        select(Module.id, Series.slug, Module.slug, ModuleVersion.required)
        .join(Series, Module.series_id == Series.id)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.retired_at.is_(None))
    ).all()
    needed: dict[int, set[int]] = {}
    for badge in badges:
        series = set(badge.criteria_series)
        named = set(badge.criteria_modules)
        needed[badge.id] = {
            module_id
            for module_id, series_slug, slug, required in rows
            if (series_slug in series and required) or f"{series_slug}/{slug}" in named
        }
    return needed


def completed_modules(award: BadgeAward) -> list[CompletedModule]:
    """The badge's modules this learner completed, each with the duration of the version
    they completed it on, in catalog order."""
    module_ids = criteria_module_ids([award.badge])[award.badge_id]
    rows = db.session.execute(
        select(Series.title, ModuleVersion.title, ModuleVersion.duration,
               ModuleProgress.seconds_spent)
        .select_from(ModuleProgress)
        .join(Module, Module.id == ModuleProgress.module_id)
        .join(Series, Series.id == Module.series_id)
        .join(ModuleVersion, ModuleVersion.id == ModuleProgress.completed_version_id)
        .where(ModuleProgress.user_id == award.user_id,
               ModuleProgress.module_id.in_(module_ids),
               ModuleProgress.completed_at.is_not(None))
        .order_by(Series.position, ModuleVersion.position)
    )
    return [CompletedModule(series, title, minutes, seconds)
            for series, title, minutes, seconds in rows]
