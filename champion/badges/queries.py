"""Reading badges and awards: what a badge requires, what an award covers."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Row, case, func, select
from sqlalchemy.orm import selectinload

from champion.badges.certificate import CompletedModule
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation
from champion.catalog.models import Module, ModuleVersion, Series
from champion.database import utcnow
from champion.extensions import db
from champion.progress.models import ModuleProgress

if TYPE_CHECKING:
    from champion.catalog.live import LiveBadge


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


@dataclass(frozen=True)
class EvaluationSummary:
    """The programme evaluations, summarised for educators."""

    # badge name, count, mean relevance, balanced, free of bias, competence increased, will
    # change practice (the last two of evaluations that asked them)
    by_badge: list[Row]
    relevance: dict[int, int]  # rating -> how many chose it
    recent: list[ProgrammeEvaluation]


def evaluation_summary(recent: int = 50) -> EvaluationSummary:
    by_badge = db.session.execute(
        select(
            Badge.name,
            func.count(ProgrammeEvaluation.id),
            func.avg(ProgrammeEvaluation.relevance),
            func.sum(case((ProgrammeEvaluation.balanced, 1), else_=0)),
            func.sum(case((ProgrammeEvaluation.free_of_commercial_bias, 1), else_=0)),
            func.sum(case((ProgrammeEvaluation.competence == "yes", 1), else_=0)),
            func.sum(case((ProgrammeEvaluation.performance == "yes", 1), else_=0)),
        )
        .join(BadgeAward, BadgeAward.id == ProgrammeEvaluation.award_id)
        .join(Badge, Badge.id == BadgeAward.badge_id)
        .group_by(Badge.name)
    ).all()
    relevance = dict(db.session.execute(
        select(ProgrammeEvaluation.relevance, func.count()).group_by(ProgrammeEvaluation.relevance)
    ).tuples().all())
    latest = db.session.scalars(
        select(ProgrammeEvaluation)
        .options(selectinload(ProgrammeEvaluation.award).selectinload(BadgeAward.badge))
        .order_by(ProgrammeEvaluation.created_at.desc()).limit(recent)
    ).all()
    return EvaluationSummary(list(by_badge), relevance, list(latest))


def revoked_status_indexes(start: int, stop: int) -> list[int]:
    """The status-list indexes in [start, stop) whose awards are revoked."""
    return list(db.session.scalars(
        select(BadgeAward.status_index)
        .where(BadgeAward.status_index >= start, BadgeAward.status_index < stop,
               BadgeAward.revoked_at.is_not(None))
    ))


def highest_status_index() -> int | None:
    return db.session.scalar(select(func.max(BadgeAward.status_index)))


@dataclass(frozen=True)
class RequirementChange:
    """What publishing a module would change about one badge's requirements."""

    badge_name: str
    added: bool  # True: the module becomes required; False: it stops being required
    holders: int  # people holding a valid award (they keep it: awards are never taken back)
    working: int  # people without it who have completed at least one of its modules


def requirement_changes(live_badges: Collection[LiveBadge], series_slug: str, module_slug: str,
                        required: bool, module_id: int | None) -> list[RequirementChange]:
    """Each of the live badges whose requirements change if ``series/module`` is published
    as ``required`` (``module_id`` None for a module not yet published), with how many
    learners that touches. A read for the confirmation asked before publishing."""
    live = {badge.id: badge for badge in live_badges}
    if not live:
        return []
    badges = db.session.scalars(select(Badge).where(Badge.id.in_(live))).all()
    changes = []
    for badge in badges:
        counted_now = module_id is not None and module_id in live[badge.id].module_ids
        counted_after = (required and series_slug in badge.criteria_series) or \
            f"{series_slug}/{module_slug}" in badge.criteria_modules
        if counted_now == counted_after:
            continue
        valid = (BadgeAward.badge_id == badge.id) & BadgeAward.revoked_at.is_(None) & (
            BadgeAward.expires_at.is_(None) | (BadgeAward.expires_at > utcnow()))
        holders = db.session.scalar(select(func.count(func.distinct(BadgeAward.user_id)))
                                    .where(valid)) or 0
        working = db.session.scalar(
            select(func.count(func.distinct(ModuleProgress.user_id)))
            .where(ModuleProgress.module_id.in_(live[badge.id].module_ids),
                   ModuleProgress.completed_at.is_not(None),
                   ModuleProgress.user_id.not_in(select(BadgeAward.user_id).where(valid)))
        ) or 0
        changes.append(RequirementChange(badge.name, counted_after, holders, working))
    return changes
