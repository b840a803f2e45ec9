"""Reading awards: what an award covers, for the certificate."""

from __future__ import annotations

from sqlalchemy import select

from champion.badges.certificate import CompletedModule
from champion.badges.models import BadgeAward
from champion.badges.operations import criteria_module_ids
from champion.catalog.models import Module, ModuleVersion, Series
from champion.extensions import db
from champion.progress.models import ModuleProgress


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
