"""Awarding badges: once, automatically, the moment their criteria are met."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from champion.audit.operations import record
from champion.auth.models import User
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation, new_salt
from champion.badges.openbadges import hashed_email
from champion.catalog.live import LiveBadge, live_catalog
from champion.database import utcnow
from champion.errors import OperationError
from champion.extensions import db
from champion.mail import notify
from champion.progress.models import ModuleProgress
from champion.urls import external_url
from champion.xapi.operations import record_award


def award_earned_badges(user_ids: Collection[int] | None = None) -> list[BadgeAward]:
    """Award every badge whose criteria are now met and not yet (validly) held.

    A first award when every required module is complete. For a badge that expires, a
    new award once the previous one has expired and every required module has been
    passed again since it was earned (recertification). Limited to ``user_ids`` when
    given; runs inside the caller's transaction, so the award commits (or not) with the
    completion that earned it.

    Only earners with a verified email address: a credential names its earner's address,
    so an unverified earner's award is held (the completions count) until verifying the
    address calls this again.
    """

    now = utcnow()
    awards: list[BadgeAward] = []
    for badge in live_catalog().badges:
        if not badge.module_ids:
            continue
        for user_id, number, email in _earners(badge, user_ids, now):
            award = _insert_award(db.session.get(Badge, badge.id), user_id, number, email, now)
            if award is not None:
                awards.append(award)
    return awards


def _earners(badge: LiveBadge, user_ids: Collection[int] | None, now):
    """(user id, award number, email) of everyone who has just earned ``badge``."""
    params = {"badge_id": badge.id, "module_ids": sorted(badge.module_ids),
              "needed": len(badge.module_ids), "now": now}
    if user_ids is not None:
        params["user_ids"] = list(user_ids)
    earners: list[tuple[int, int, str]] = []
    for statement in _earner_statements(user_ids is not None, bool(badge.valid_for_days)):
        earners += db.session.execute(statement, params).tuples()
    return earners


@cache
def _earner_statements(for_users: bool, recertifies: bool) -> tuple[Select, ...]:
    """The queries ``_earners`` runs, built once: every passed quiz runs them."""
    module_ids = bindparam("module_ids", expanding=True)
    verified = exists().where(User.id == ModuleProgress.user_id,
                              User.email_verified_at.is_not(None))
    email = select(User.email).where(User.id == ModuleProgress.user_id).scalar_subquery()
    first = (
        select(ModuleProgress.user_id, literal(1), email)
        .where(
            ModuleProgress.module_id.in_(module_ids),
            ModuleProgress.completed_at.is_not(None),
            verified,
            ~exists().where(
                BadgeAward.badge_id == bindparam("badge_id"),
                BadgeAward.user_id == ModuleProgress.user_id,
            ),
        )
        .group_by(ModuleProgress.user_id)
        .having(func.count() == bindparam("needed"))
    )
    if for_users:
        first = first.where(ModuleProgress.user_id.in_(bindparam("user_ids", expanding=True)))
    if not recertifies:
        return (first,)
    latest_number = (
        select(BadgeAward.user_id, func.max(BadgeAward.number).label("number"))
        .where(BadgeAward.badge_id == bindparam("badge_id"))
        .group_by(BadgeAward.user_id)
        .subquery()
    )
    latest = aliased(BadgeAward)
    again = (
        select(ModuleProgress.user_id, latest.number + 1, email)
        .join(latest_number, latest_number.c.user_id == ModuleProgress.user_id)
        .join(latest, and_(latest.badge_id == bindparam("badge_id"),
                           latest.user_id == latest_number.c.user_id,
                           latest.number == latest_number.c.number))
        .where(
            ModuleProgress.module_id.in_(module_ids),
            ModuleProgress.last_completed_at > latest.awarded_at,
            latest.expires_at <= bindparam("now"),
            latest.revoked_at.is_(None),
            verified,
        )
        .group_by(ModuleProgress.user_id, latest.number)
        .having(func.count() == bindparam("needed"))
    )
    if for_users:
        again = again.where(ModuleProgress.user_id.in_(bindparam("user_ids", expanding=True)))
    return first, again


def _insert_award(badge: Badge, user_id: int, number: int, email: str,
                  now) -> BadgeAward | None:
    """Insert one award naming ``email`` (hashed); if another transaction just made it,
    keep theirs."""
    salt = new_salt()
    award = BadgeAward(
        badge=badge, user_id=user_id, number=number, narrative=badge.narrative, awarded_at=now,
        salt=salt, recipient_identity=hashed_email(email, salt),
        expires_at=now + timedelta(days=badge.valid_for_days) if badge.valid_for_days else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(award)
            db.session.flush()
            # Its bit in the status list: the id the database just gave it, which no
            # concurrent award can also have.
            award.status_index = award.id
    except IntegrityError:
        return None
    record_award(award)
    return award


class RevocationError(OperationError):
    """A revocation was refused."""


def revoke_award(award: BadgeAward, reason: str, actor: User) -> None:
    """Revoke an award, with a reason shown on its verification page and in its JSON."""
    if award.revoked_at is not None:
        raise RevocationError("this award is already revoked")
    if not reason.strip():
        raise RevocationError("give a reason: it is shown to anyone who checks the badge")
    award.revoked_at = utcnow()
    award.revocation_reason = reason.strip()
    award.revoked_by_id = actor.id
    record(actor, "award.revoke", award.user,
           f"{award.badge.name} revoked for {award.user.email}: {reason.strip()}",
           award_id=award.id, award_uid=award.uid)
    # The holder hears it from us, not from someone who checked their badge.
    notify(award.user.email, f"Your {award.badge.name} badge was revoked", (
        f"Hello {award.user.name},\n\nYour {award.badge.name} badge, earned "
        f"{award.awarded_at:%-d %B %Y}, was revoked by an administrator of Champion.\n\n"
        f"Reason: {reason.strip()}\n\nIts verification page now says it is revoked:\n\n"
        f"{external_url('badges.assertion', uid=award.uid)}\n\n"
        f"Your progress is on {external_url('progress.me')}. If you think this is a mistake, "
        "reply to this message or contact your administrator."))


def record_evaluation(award: BadgeAward, *, relevance: int, balanced: bool,
                      free_of_commercial_bias: bool, practice_change: str,
                      comments: str | None, competence: str, performance: str,
                      follow_up: bool = False) -> ProgrammeEvaluation:
    """The holder's programme evaluation of an award, asked once before the certificate."""
    evaluation = ProgrammeEvaluation(
        award_id=award.id, user_id=award.user_id, relevance=relevance, balanced=balanced,
        free_of_commercial_bias=free_of_commercial_bias, practice_change=practice_change,
        comments=comments, competence=competence, performance=performance,
        follow_up=follow_up)
    db.session.add(evaluation)
    return evaluation
