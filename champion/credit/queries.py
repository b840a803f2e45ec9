"""Reading credit: what a series designates, where a learner stands, and the records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from champion.auth.models import User
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation
from champion.catalog.models import Module, ModuleVersion, Series
from champion.content.credit import CreditDesignation, Disclosures
from champion.credit.models import CreditClaim, CreditProfile, DisclosureAcknowledgement
from champion.extensions import db
from champion.progress.models import ModuleProgress

FOLLOW_UP_AFTER = timedelta(days=60)


@dataclass(frozen=True)
class CreditActivity:
    """A live series, or one of its modules, that designates credit, with its designation
    and the series' disclosures (which cover every activity in it)."""

    series: Series
    credit: CreditDesignation
    disclosures: Disclosures
    module: Module | None = None  # a module designated on its own
    module_title: str = ""

    @property
    def title(self) -> str:
        """How claims, certificates and records name it: the module with its series."""
        return f"{self.series.title}: {self.module_title}" if self.module else self.series.title

    @property
    def module_slug(self) -> str:
        return self.module.slug if self.module else ""

    @property
    def key(self) -> str:
        return f"{self.series.slug}/{self.module_slug}" if self.module else self.series.slug

    @property
    def digest(self) -> str:
        """The disclosures as they stand: a changed disclosure must be seen again."""
        text = json.dumps(self.series.disclosures, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def credit_activity(slug: str, module_slug: str | None = None) -> CreditActivity | None:
    """The series ``slug``'s credit, or, given ``module_slug``, that module's own."""
    series = db.session.scalar(select(Series).where(
        Series.slug == slug, Series.retired_at.is_(None)))
    if series is None or series.disclosures is None:  # (stored as JSON null: not in SQL)
        return None
    disclosures = Disclosures.from_stored(series.disclosures)
    if module_slug is None:
        return None if series.credit is None else CreditActivity(
            series, CreditDesignation.from_stored(series.credit), disclosures)
    row = db.session.execute(
        select(Module, ModuleVersion.title, ModuleVersion.credit)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .where(Module.series_id == series.id, Module.slug == module_slug,
               Module.retired_at.is_(None), ModuleVersion.credit.is_not(None))).first()
    if row is None:
        return None
    return CreditActivity(series, CreditDesignation.from_stored(row.credit), disclosures,
                          row.Module, row.title)


def module_activities(series_slug: str) -> list[CreditActivity]:
    """The series' modules that designate credit of their own, in order."""
    slugs = db.session.scalars(
        select(Module.slug).join(Series, Series.id == Module.series_id)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .where(Series.slug == series_slug, Module.retired_at.is_(None),
               ModuleVersion.credit.is_not(None))
        .order_by(ModuleVersion.position, Module.slug)).all()
    return [a for slug in slugs if (a := credit_activity(series_slug, slug)) is not None]


def acknowledged(user_id: int, activity: CreditActivity) -> bool:
    return db.session.scalar(select(DisclosureAcknowledgement.id).where(
        DisclosureAcknowledgement.user_id == user_id,
        DisclosureAcknowledgement.series_id == activity.series.id,
        DisclosureAcknowledgement.digest == activity.digest)) is not None


def must_read_disclosures(user_id: int, slug: str) -> bool:
    """Whether the learner has yet to acknowledge the disclosures of a series that (or a
    module of which) designates credit."""
    activity = credit_activity(slug) or next(iter(module_activities(slug)), None)
    return activity is not None and not acknowledged(user_id, activity)


def profile_of(user_id: int) -> CreditProfile | None:
    return db.session.get(CreditProfile, user_id)


@dataclass(frozen=True)
class RequiredModule:
    title: str
    minutes: int
    completed_at: datetime | None
    seconds_spent: int


@dataclass
class Standing:
    """Where a learner stands on claiming an activity's credit."""

    acknowledged: bool
    modules: list[RequiredModule]
    evaluated: bool
    claims: dict[str, CreditClaim] = field(default_factory=dict)  # by credit type

    @property
    def modules_done(self) -> bool:
        return bool(self.modules) and all(m.completed_at for m in self.modules)

    @property
    def ready(self) -> bool:
        return self.acknowledged and self.modules_done and self.evaluated

    @property
    def completed_at(self) -> datetime | None:
        done = [m.completed_at for m in self.modules if m.completed_at]
        return max(done) if self.modules_done else None

    @property
    def seconds_recorded(self) -> int:
        return sum(m.seconds_spent for m in self.modules)

    @property
    def minutes_nominal(self) -> int:
        return sum(m.minutes for m in self.modules)


def standing(user_id: int, activity: CreditActivity) -> Standing:
    """The required modules (completed, and time recorded), the evaluation and the claims."""
    rows = db.session.execute(
        select(ModuleVersion.title, ModuleVersion.duration, ModuleProgress.completed_at,
               func.coalesce(ModuleProgress.seconds_spent, 0).label("seconds"))
        .select_from(Module)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .outerjoin(ModuleProgress, (ModuleProgress.module_id == Module.id)
                   & (ModuleProgress.user_id == user_id))
        .where(Module.series_id == activity.series.id, Module.retired_at.is_(None),
               Module.id == activity.module.id if activity.module
               else ModuleVersion.required.is_(True))
        .order_by(ModuleVersion.position, Module.slug)
    ).all()
    modules = [RequiredModule(r.title, r.duration, r.completed_at, r.seconds) for r in rows]
    evaluated = db.session.execute(
        select(Badge.criteria_series, Badge.criteria_modules)
        .join(BadgeAward, BadgeAward.badge_id == Badge.id)
        .join(ProgrammeEvaluation, ProgrammeEvaluation.award_id == BadgeAward.id)
        .where(ProgrammeEvaluation.user_id == user_id)).all()
    claims = db.session.scalars(select(CreditClaim).where(
        CreditClaim.user_id == user_id, CreditClaim.series_id == activity.series.id,
        CreditClaim.module_slug == activity.module_slug)).all()
    return Standing(
        acknowledged=acknowledged(user_id, activity), modules=modules,
        evaluated=any(_covers(r.criteria_series, r.criteria_modules, activity)
                      for r in evaluated),
        claims={c.credit_type: c for c in claims})


def _covers(series: list[str], modules: list[str], activity: CreditActivity) -> bool:
    """Whether a badge with these criteria covers the activity: its series, or (for a
    module's own credit) the module itself."""
    return activity.series.slug in series or (activity.module is not None
                                               and activity.key in modules)


def evaluation_award_uid(user_id: int, activity: CreditActivity) -> str | None:
    """The learner's award of a badge covering the activity: where its evaluation is asked."""
    rows = db.session.execute(
        select(BadgeAward.uid, Badge.criteria_series, Badge.criteria_modules)
        .join(Badge, Badge.id == BadgeAward.badge_id)
        .where(BadgeAward.user_id == user_id, BadgeAward.revoked_at.is_(None))
        .order_by(BadgeAward.awarded_at.desc())).all()
    return next((r.uid for r in rows
                 if _covers(r.criteria_series, r.criteria_modules, activity)), None)


def claims_of(user_id: int) -> list[CreditClaim]:
    return list(db.session.scalars(select(CreditClaim).where(CreditClaim.user_id == user_id)
                                   .order_by(CreditClaim.claimed_at, CreditClaim.id)))


def claim_by_uid(uid: str) -> CreditClaim | None:
    return db.session.scalar(select(CreditClaim).where(CreditClaim.uid == uid))


def claims_between(start: date | None, end: date | None,
                   credit_type: str | None = None) -> list[CreditClaim]:
    """Every claim made from ``start`` to ``end`` (inclusive days, UTC), oldest first."""
    query = select(CreditClaim).order_by(CreditClaim.claimed_at, CreditClaim.id)
    if start is not None:
        query = query.where(CreditClaim.claimed_at >= _midnight(start))
    if end is not None:
        query = query.where(CreditClaim.claimed_at < _midnight(end + timedelta(days=1)))
    if credit_type:
        query = query.where(CreditClaim.credit_type == credit_type)
    return list(db.session.scalars(query))


def pars_learners(claims: list[CreditClaim]) -> dict[int, CreditProfile]:
    """The physicians among ``claims``' learners who consented to PARS reporting and gave
    their board ID and birth month and day, by user id."""
    ids = {c.user_id for c in claims if c.credit_type == "ama"}
    if not ids:
        return {}
    rows = db.session.scalars(select(CreditProfile).where(
        CreditProfile.user_id.in_(ids), CreditProfile.pars_consented_at.is_not(None),
        CreditProfile.board_id.is_not(None), CreditProfile.birth_month.is_not(None),
        CreditProfile.birth_day.is_not(None)))
    return {p.user_id: p for p in rows}


def due_follow_ups(now: datetime) -> list[tuple[ProgrammeEvaluation, User]]:
    """Evaluations whose learner asked for the 60-day follow-up, due and not yet sent."""
    rows = db.session.execute(
        select(ProgrammeEvaluation, User)
        .join(User, User.id == ProgrammeEvaluation.user_id)
        .where(ProgrammeEvaluation.follow_up.is_(True),
               ProgrammeEvaluation.follow_up_sent_at.is_(None),
               ProgrammeEvaluation.created_at <= now - FOLLOW_UP_AFTER,
               User.deleted_at.is_(None), User.active.is_(True))
        .order_by(ProgrammeEvaluation.id)).all()
    return [(row[0], row[1]) for row in rows]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
