"""A learner's data: all of it to take away, or erased on request.

Deletion policy (docs/security.md): the account's personal data (name, email, password)
is erased and sign-in is impossible; attempts and progress stay, anonymous, so that
question statistics and department totals don't change after the fact; each badge award is
revoked with the reason "The earner's account was deleted", so a link that was shared
still answers, truthfully, that the credential is no longer valid. Continuing education
credit claims are the provider's records, kept six years after their activity's end: they
keep the learner's name (and lose the email); everything else about credit is erased
(credit/operations.py::erase_credit_data).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from champion.assignments.models import AssignedLearner, Assignment
from champion.audit.operations import record
from champion.auth.models import Role, User
from champion.badges.models import BadgeAward, ProgrammeEvaluation
from champion.credit.models import CreditClaim, CreditProfile
from champion.credit.operations import erase_credit_data
from champion.database import utcnow
from champion.departments.models import Department, department_leads, department_members
from champion.errors import OperationError
from champion.extensions import db
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt
from champion.reminders.models import EMAIL_KINDS, EmailPreference, EmailSend


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about ``user``, as plain JSON-ready data."""
    departments = db.session.scalars(
        select(Department.name).join(department_members,
                                     department_members.c.department_id == Department.id)
        .where(department_members.c.user_id == user.id)).all()
    progress = db.session.scalars(
        select(ModuleProgress).options(selectinload(ModuleProgress.module))
        .where(ModuleProgress.user_id == user.id)).all()
    attempts = db.session.scalars(
        select(Attempt).options(selectinload(Attempt.answers), selectinload(Attempt.version))
        .where(Attempt.user_id == user.id).order_by(Attempt.id)).all()
    awards = db.session.scalars(
        select(BadgeAward).options(selectinload(BadgeAward.badge))
        .where(BadgeAward.user_id == user.id)).all()
    evaluations = db.session.scalars(
        select(ProgrammeEvaluation).where(ProgrammeEvaluation.user_id == user.id)).all()
    claims = db.session.scalars(
        select(CreditClaim).where(CreditClaim.user_id == user.id).order_by(CreditClaim.id)).all()
    profile = db.session.get(CreditProfile, user.id)
    return {
        "account": {"name": user.name, "email": user.email, "role": user.role,
                    "created_at": _iso(user.created_at),
                    "last_active_at": _iso(user.last_active_at)},
        "departments": list(departments),
        "progress": [{"module": p.module.key, "started_at": _iso(p.started_at),
                      "completed_at": _iso(p.completed_at), "best_score": p.best_score,
                      "attempts": p.attempt_count} for p in progress],
        "attempts": [{"module": a.version.source_path, "version": a.version.number,
                      "submitted_at": _iso(a.submitted_at), "score": a.score,
                      "passed": a.passed,
                      "answers": [{"question": ans.question_index + 1,
                                   "choices_selected": [i + 1 for i in ans.selected],
                                   "correct": ans.correct} for ans in a.answers]}
                     for a in attempts],
        "badges": [{"badge": a.badge.name, "awarded_at": _iso(a.awarded_at),
                    "expires_at": _iso(a.expires_at), "revoked_at": _iso(a.revoked_at),
                    "verification": a.uid} for a in awards],
        "evaluations": [{"relevance": e.relevance, "balanced": e.balanced,
                         "free_of_commercial_bias": e.free_of_commercial_bias,
                         "practice_change": e.practice_change, "comments": e.comments,
                         "competence": e.competence, "performance": e.performance,
                         "follow_up": e.follow_up,
                         "created_at": _iso(e.created_at)} for e in evaluations],
        "credit_profile": None if profile is None else {
            "profession": profile.profession,
            "pars_consented_at": _iso(profile.pars_consented_at), "board": profile.board,
            "board_id": profile.board_id, "birth_month": profile.birth_month,
            "birth_day": profile.birth_day},
        "credit_claims": [{"activity": c.activity_title, "credit": c.designation["name"],
                           "amount": c.amount / 100, "claimed_at": _iso(c.claimed_at),
                           "verification": c.uid} for c in claims],
        **_assignments_and_email(user),
    }


def _assignments_and_email(user: User) -> dict[str, Any]:
    """What was assigned to the person, their email choices and the emails sent (issue 18)."""
    assigned = db.session.execute(
        select(Assignment.title, Department.slug, AssignedLearner.due_on,
               AssignedLearner.assigned_at, Assignment.withdrawn_at)
        .join(Assignment, Assignment.id == AssignedLearner.assignment_id)
        .join(Department, Department.id == Assignment.department_id)
        .where(AssignedLearner.user_id == user.id).order_by(AssignedLearner.assigned_at))
    preference = db.session.get(EmailPreference, user.id)
    sent = db.session.scalars(select(EmailSend).where(EmailSend.user_id == user.id)
                              .order_by(EmailSend.created_at))
    return {
        "assignments": [{"title": a.title, "department": a.slug, "due_on": a.due_on.isoformat(),
                         "assigned_at": _iso(a.assigned_at), "withdrawn_at": _iso(a.withdrawn_at)}
                        for a in assigned],
        "email_preferences": {kind: getattr(preference, kind) if preference else True
                              for kind in EMAIL_KINDS},
        "emails_sent": [{"kind": e.kind, "period": e.period, "sent_at": _iso(e.sent_at),
                         "tries": e.tries} for e in sent],
    }


class DeletionError(OperationError):
    pass


def delete_account(user: User, actor: User) -> None:
    """Erase the account's personal data, per the policy above. The caller commits."""
    if user.id == actor.id:
        raise DeletionError("you can't delete your own account")
    if user.deleted_at is not None:
        raise DeletionError("this account is already deleted")
    now = utcnow()
    previous = user.email
    for award in db.session.scalars(select(BadgeAward).where(BadgeAward.user_id == user.id)):
        # The hashed address a credential names is personal data too: it goes.
        award.recipient_identity = "sha256$erased"
        if award.revoked_at is None:
            award.revoked_at = now
            award.revocation_reason = "The earner's account was deleted."
            award.revoked_by_id = actor.id
    for evaluation in db.session.scalars(select(ProgrammeEvaluation).where(
            ProgrammeEvaluation.user_id == user.id)):
        evaluation.comments = None  # free text may name people; the ratings stay
    erase_credit_data(user, now.date())
    db.session.execute(delete(department_members).where(department_members.c.user_id == user.id))
    db.session.execute(delete(department_leads).where(department_leads.c.user_id == user.id))
    user.name = "Deleted account"
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.password_hash = None
    user.role = Role.LEARNER.value
    user.active = False
    user.deleted_at = now
    # The audit trail keeps who deleted which account id, not the erased address.
    record(actor, "user.delete", user, f"account {user.id} deleted",
           email_domain=previous.rsplit("@", 1)[-1])
