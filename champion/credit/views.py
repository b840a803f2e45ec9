"""Credit for learners: disclosures before the activity, the claim after it, the transcript,
the certificates, and the public page that verifies a claim."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from champion.badges.models import BadgeAward
from champion.content.credit import CREDIT_TYPES, hundredths
from champion.credit.documents import TranscriptBadge, claim_certificate_pdf, transcript_pdf
from champion.credit.forms import AcknowledgeForm, ClaimForm, ProfileForm
from champion.credit.operations import (
    CreditError,
    acknowledge_disclosures,
    claim_credit,
    save_profile,
)
from champion.credit.professions import PROFESSIONS
from champion.credit.queries import (
    CreditActivity,
    claim_by_uid,
    claims_of,
    credit_activity,
    evaluation_award_uid,
    module_activities,
    profile_of,
    standing,
)
from champion.database import utcnow
from champion.extensions import db
from champion.filters import sentence
from champion.urls import external_url

blueprint = Blueprint("credit", __name__, template_folder="templates")


@blueprint.app_template_filter("credit_amount")
def credit_amount(amount: int) -> str:
    """A claim's amount (hundredths) as people write it: 1.75."""
    return hundredths(amount)


def _activity_or_404(slug: str, module_slug: str | None = None) -> CreditActivity:
    activity = credit_activity(slug, module_slug)
    if activity is None:
        abort(404)
    return activity


@blueprint.route("/modules/<series_slug>/disclosures", methods=["GET", "POST"])
@login_required
def disclosures(series_slug: str):
    # The series' disclosures cover its own credit and its modules' (docs/credit.md).
    activities = [a for a in (credit_activity(series_slug),) if a is not None]
    activities += module_activities(series_slug)
    if not activities:
        abort(404)
    activity = activities[0]
    form = AcknowledgeForm()
    if form.validate_on_submit():
        acknowledge_disclosures(current_user, activity)
        db.session.commit()
        flash("Thank you: you have read the disclosures. You can start the activity.", "success")
        return redirect(url_for("catalog.series", series_slug=series_slug))
    return render_template("credit/disclosures.html", activity=activity, form=form,
                           activities=activities, standing=standing(current_user.id, activity))


def _offers_for(activity: CreditActivity, profession: str | None) -> list:
    fitting = PROFESSIONS[profession].credit_types if profession in PROFESSIONS else ()
    return [o for o in activity.credit.offers if o.type in fitting]


@blueprint.route("/modules/<series_slug>/credit", methods=["GET", "POST"])
@login_required
def claim(series_slug: str):
    return _claim(_activity_or_404(series_slug))


@blueprint.route("/modules/<series_slug>/<module_slug>/credit", methods=["GET", "POST"])
@login_required
def module_claim(series_slug: str, module_slug: str):
    return _claim(_activity_or_404(series_slug, module_slug))


def _claim(activity: CreditActivity):
    profile = profile_of(current_user.id)
    profession = profile.profession if profile else None
    where = standing(current_user.id, activity)
    fitting = _offers_for(activity, profession)
    offers = [o for o in fitting if o.type not in where.claims]  # what is left to claim
    form = ClaimForm()
    # A claimed type stays a valid choice, so a second claim meets the operation's refusal.
    form.credit_type.choices = [SelectChoice(o.type, f"{o.name} (maximum "
                                             f"{hundredths(o.maximum)})") for o in fitting]
    if len(offers) == 1 and not form.credit_type.data:
        form.credit_type.data = offers[0].type
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                made = claim_credit(current_user, activity, credit_type=form.credit_type.data,
                                    amount=form.amount.data, share_name=form.share_name.data)
            except CreditError as error:
                db.session.rollback()
                form.amount.errors = [*form.amount.errors, sentence(error)]
            else:
                db.session.commit()
                flash(f"You claimed {hundredths(made.amount)} {made.designation['name']}. "
                      "Your certificate is in your transcript.", "success")
                return redirect(url_for(".transcript"))
    return render_template(
        "credit/claim.html", activity=activity, standing=where, form=form, offers=offers,
        profession=PROFESSIONS.get(profession or ""),
        evaluation_uid=evaluation_award_uid(current_user.id, activity),
        guide=hundredths(round(where.seconds_recorded / 36)),
    ), status


@blueprint.route("/me/credit-profile", methods=["GET", "POST"])
@login_required
def profile():
    saved = profile_of(current_user.id)
    form = ProfileForm(data=None if saved is None else {
        "profession": saved.profession or "", "pars_consent": saved.pars_consented_at is not None,
        "board": saved.board, "board_id": saved.board_id,
        "birth_month": str(saved.birth_month or ""), "birth_day": saved.birth_day})
    back, back_module = request.args.get("series", ""), request.args.get("module") or None
    if form.validate_on_submit():
        try:
            save_profile(current_user, profession=form.profession.data,
                         pars_consent=form.pars_consent.data, board=form.board.data or None,
                         board_id=form.board_id.data or None,
                         birth_month=int(form.birth_month.data) if form.birth_month.data
                         else None, birth_day=form.birth_day.data)
        except CreditError as error:
            db.session.rollback()
            form.profession.errors = [*form.profession.errors, sentence(error)]
        else:
            db.session.commit()
            flash("Your credit profile is saved.", "success")
            if back and credit_activity(back, back_module) is not None:
                return redirect(_claim_url(back, back_module))
            return redirect(url_for(".transcript"))
    return render_template("credit/profile.html", form=form, back=back,
                           back_module=back_module), (
        422 if form.errors else 200)


def _claim_url(series_slug: str, module_slug: str | None) -> str:
    if module_slug:
        return url_for(".module_claim", series_slug=series_slug, module_slug=module_slug)
    return url_for(".claim", series_slug=series_slug)


def _badges() -> list[TranscriptBadge]:
    awards = db.session.scalars(
        select(BadgeAward).where(BadgeAward.user_id == current_user.id)
        .options(selectinload(BadgeAward.badge)).order_by(BadgeAward.awarded_at)).all()
    return [TranscriptBadge(a.badge.name, a.awarded_at, "revoked" if a.revoked else
                            "expired" if a.expired() else "valid") for a in awards]


@blueprint.get("/me/transcript")
@login_required
def transcript():
    return render_template("credit/transcript.html", claims=claims_of(current_user.id),
                           badges=_badges(), profile=profile_of(current_user.id),
                           professions=PROFESSIONS)


def _pdf(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@blueprint.get("/me/transcript.pdf")
@login_required
def transcript_download():
    pdf = transcript_pdf(name=current_user.name, claims=claims_of(current_user.id),
                         badges=_badges(), issuer=current_app.config["CHAMPION_ISSUER_NAME"],
                         generated_at=utcnow())
    return _pdf(pdf, "transcript.pdf")


@blueprint.get("/me/credit/<uid>/certificate.pdf")
@login_required
def certificate(uid: str):
    made = claim_by_uid(uid)
    if made is None or made.user_id != current_user.id:
        abort(404)
    pdf = claim_certificate_pdf(made, verify_url=external_url("credit.verify", uid=made.uid))
    return _pdf(pdf, f"{made.activity_key.replace('/', '-')}-{made.credit_type}-certificate.pdf")


@blueprint.get("/credit/claims/<uid>")
def verify(uid: str):
    made = claim_by_uid(uid)
    if made is None:
        abort(404)
    return render_template("credit/verify.html", claim=made, credit_types=CREDIT_TYPES)
