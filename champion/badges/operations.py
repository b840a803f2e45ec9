"""Awarding badges: once, automatically, the moment their criteria are met."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from champion.badges.models import Badge, BadgeAward
from champion.catalog.models import Module, ModuleVersion, Series
from champion.database import utcnow
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


def award_earned_badges(user_ids: Collection[int] | None = None) -> list[BadgeAward]:
    """Award every badge whose criteria are now met and not yet awarded.

    Limited to ``user_ids`` when given. Runs inside the caller's transaction, so the
    award commits (or not) with the completion that earned it.
    """
    badges = list(db.session.scalars(select(Badge).where(Badge.retired_at.is_(None))))
    if not badges:
        return []
    awards: list[BadgeAward] = []
    for badge in badges:
        module_ids = criteria_module_ids([badge])[badge.id]
        if not module_ids:
            continue
        query = (
            select(ModuleProgress.user_id)
            .where(
                ModuleProgress.module_id.in_(module_ids),
                ModuleProgress.completed_at.is_not(None),
                ~exists().where(
                    BadgeAward.badge_id == badge.id,
                    BadgeAward.user_id == ModuleProgress.user_id,
                ),
            )
            .group_by(ModuleProgress.user_id)
            .having(func.count() == len(module_ids))
        )
        if user_ids is not None:
            query = query.where(ModuleProgress.user_id.in_(user_ids))
        for user_id in db.session.scalars(query):
            award = _insert_award(badge, user_id)
            if award is not None:
                awards.append(award)
    return awards


def _insert_award(badge: Badge, user_id: int) -> BadgeAward | None:
    """Insert one award; if another transaction just made it, keep theirs."""
    award = BadgeAward(
        badge=badge, user_id=user_id, narrative=badge.narrative, awarded_at=utcnow()
    )
    try:
        with db.session.begin_nested():
            db.session.add(award)
    except IntegrityError:
        return None
    return award
