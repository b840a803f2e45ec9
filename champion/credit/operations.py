"""Writing credit: the profile, acknowledging disclosures, claiming, and what deleting an
account leaves of it. Every refusal is a CreditError whose message says what to do."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from champion.audit.operations import record
from champion.auth.models import User
from champion.badges.models import ProgrammeEvaluation
from champion.content.credit import CREDIT_TYPES, hundredths, parse_amount
from champion.credit.models import CreditClaim, CreditProfile, DisclosureAcknowledgement
from champion.credit.professions import PROFESSIONS, fits
from champion.credit.queries import CreditActivity, standing
from champion.database import utcnow
from champion.errors import OperationError
from champion.extensions import db
from champion.progress.operations import lock_learner

RETENTION_YEARS = 6  # ACCME: attendance records kept six years from the activity's end


class CreditError(OperationError):
    pass


def retained_until(activity_end: date) -> date:
    """Six years after the activity's last day (28 February for a 29th)."""
    try:
        return activity_end.replace(year=activity_end.year + RETENTION_YEARS)
    except ValueError:
        return activity_end.replace(year=activity_end.year + RETENTION_YEARS, day=28)


def save_profile(user: User, *, profession: str | None, pars_consent: bool,
                 board: str | None = None, board_id: str | None = None,
                 birth_month: int | None = None, birth_day: int | None = None) -> CreditProfile:
    """The learner's profession, and their PARS details only if they consent to sharing them:
    without consent, none is kept."""
    if profession is not None and profession not in PROFESSIONS:
        raise CreditError("choose your profession from the list")
    if pars_consent:
        if profession != "physician":
            raise CreditError("PARS reporting is for physicians: choose Physician as your "
                              "profession, or leave the PARS consent unticked")
        if not (board and board_id and birth_month and birth_day):
            raise CreditError("to be reported to PARS give your certifying board, board ID, "
                              "and birth month and day")
        try:
            date(2000, birth_month, birth_day)  # a leap year: 29 February is a birthday
        except ValueError:
            raise CreditError(f"birth month {birth_month} has no day {birth_day}") from None
    profile = db.session.get(CreditProfile, user.id)
    if profile is None:
        profile = CreditProfile(user_id=user.id)
        db.session.add(profile)
    profile.profession = profession
    if pars_consent:
        profile.pars_consented_at = profile.pars_consented_at or utcnow()
        profile.board, profile.board_id = board, board_id
        profile.birth_month, profile.birth_day = birth_month, birth_day
    else:
        profile.pars_consented_at = profile.board = profile.board_id = None
        profile.birth_month = profile.birth_day = None
    record(user, "credit.profile", user, f"credit profile saved: {profession or 'no profession'}"
           f"{', PARS consent given' if pars_consent else ''}")
    return profile


def acknowledge_disclosures(user: User, activity: CreditActivity) -> None:
    exists = db.session.scalar(select(DisclosureAcknowledgement.id).where(
        DisclosureAcknowledgement.user_id == user.id,
        DisclosureAcknowledgement.series_id == activity.series.id,
        DisclosureAcknowledgement.digest == activity.digest))
    if exists is None:
        db.session.add(DisclosureAcknowledgement(user_id=user.id, series_id=activity.series.id,
                                                 digest=activity.digest))


def claim_credit(user: User, activity: CreditActivity, *, credit_type: str, amount: str,
                 share_name: bool = False, today: date | None = None) -> CreditClaim:
    """Record the learner's claim, once per activity and credit type, before expiry, for
    the time they attest, up to the maximum. Nothing is written when it refuses."""
    now = utcnow()
    today = today or now.date()
    credit = activity.credit
    offer = credit.offer(credit_type)
    if offer is None:
        raise CreditError(f"{activity.title} doesn't offer {_type_name(credit_type)}")
    if today > credit.expires:
        raise CreditError(f"credit for {activity.title} expired on "
                          f"{credit.expires:%-d %B %Y}: it can no longer be claimed")
    if today < credit.release:
        raise CreditError(f"credit for {activity.title} can be claimed from "
                          f"{credit.release:%-d %B %Y}")
    lock_learner(user.id, now)
    profile = db.session.get(CreditProfile, user.id)
    profession = profile.profession if profile else None
    if profession is None:
        raise CreditError("choose your profession first: it decides which credit you claim")
    if not fits(profession, credit_type):
        raise CreditError(f"{offer.name} is not claimed by a "
                          f"{PROFESSIONS[profession].label.lower()}: choose the credit for "
                          "your profession")
    where = standing(user.id, activity)
    if credit_type in where.claims:
        raise CreditError(f"you already claimed {offer.name} for {activity.title} on "
                          f"{where.claims[credit_type].claimed_at:%-d %B %Y}; a claim can't be "
                          "made twice or changed")
    if not where.acknowledged:
        raise CreditError("read and acknowledge the disclosures before claiming")
    if not where.modules_done:
        raise CreditError("complete the module and pass its post-test before claiming"
                          if activity.module else
                          "complete every required module and its post-test before claiming")
    if not where.evaluated:
        raise CreditError("complete the programme evaluation before claiming")
    attested = parse_amount(amount)
    if attested is None or attested <= 0:
        raise CreditError(f"give the {offer.name} you attest as a number, e.g. "
                          f"{hundredths(offer.maximum)}")
    if attested > offer.maximum:
        raise CreditError(f"{hundredths(attested)} is more than the maximum of "
                          f"{hundredths(offer.maximum)} {offer.name} designated for "
                          f"{activity.title}")
    if CREDIT_TYPES[credit_type].quarters_only and attested % 25:
        raise CreditError(f"{offer.name} is claimed in quarter hours (0.25, 0.5, 0.75...): "
                          f"{hundredths(attested)} isn't one")
    claim = CreditClaim(
        user_id=user.id, series_id=activity.series.id, module_slug=activity.module_slug,
        learner_name=user.name,
        learner_email=user.email, profession=profession, credit_type=credit_type,
        amount=attested, seconds_recorded=where.seconds_recorded,
        activity_title=activity.title, provider=credit.provider,
        release=credit.release, expires=credit.expires,
        designation={"type": offer.type, "name": offer.name, "maximum": offer.maximum,
                     "accreditation": offer.accreditation, "designation": offer.designation},
        share_name=share_name, claimed_at=now, completed_at=where.completed_at,
        retain_until=retained_until(credit.expires))
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError:  # the same claim, a moment earlier, in another tab
        raise CreditError(f"you already claimed {offer.name} for "
                          f"{activity.title}") from None
    record(user, "credit.claim", claim, f"{user.email} claimed {hundredths(attested)} "
           f"{offer.name} for {activity.title}", credit_type=credit_type,
           amount=hundredths(attested), claim_uid=claim.uid)
    return claim


def _type_name(code: str) -> str:
    return CREDIT_TYPES[code].name if code in CREDIT_TYPES else f"the credit '{code}'"


def erase_credit_data(user: User, today: date | None = None) -> None:
    """What deleting an account leaves of its credit: the claims still within their six
    years, with the learner's name (what the provider must keep), and nothing else: the
    profile (profession, PARS details), acknowledgements, the email on claims, expired
    claims."""
    today = today or utcnow().date()
    db.session.execute(delete(CreditProfile).where(CreditProfile.user_id == user.id))
    db.session.execute(delete(DisclosureAcknowledgement).where(
        DisclosureAcknowledgement.user_id == user.id))
    for claim in db.session.scalars(select(CreditClaim).where(CreditClaim.user_id == user.id)):
        if claim.retain_until < today:
            db.session.delete(claim)
        else:
            claim.learner_email = None
            claim.share_name = False


def mark_follow_up_sent(evaluation: ProgrammeEvaluation, when: datetime) -> None:
    evaluation.follow_up_sent_at = when
    record(None, "evaluation.follow_up", evaluation,
           f"60-day follow-up sent for evaluation {evaluation.id}")
