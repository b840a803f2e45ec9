"""Taking a quiz and reviewing an attempt."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from champion.badges.models import BadgeAward
from champion.catalog.live import LiveVersion
from champion.catalog.models import ModuleVersion
from champion.catalog.queries import find_live_module
from champion.extensions import csrf, db
from champion.quizzes.forms import (
    build_quiz_form,
    choice_value,
    issue_version_token,
    issued_version,
)
from champion.quizzes.models import Attempt
from champion.quizzes.operations import submit_quiz

blueprint = Blueprint("quizzes", __name__, template_folder="templates")


def _version_answered(module_id: int, current: LiveVersion) -> LiveVersion | ModuleVersion:
    """The version whose questions the learner saw: grading follows what was on screen.

    An older version only with the signed, recent proof the page carried that it showed
    this learner that version; else anyone could answer an old, easier quiz at will.
    """
    raw = request.form.get("version", "")
    if request.method == "POST" and raw.isdigit() and int(raw) != current.id and \
            issued_version(request.form.get("issued", ""), current_user.id,
                           module_id) == int(raw):
        version = db.session.get(ModuleVersion, int(raw))
        if version is not None and version.module_id == module_id and version.has_quiz:
            return version
    return current


@blueprint.route("/modules/<series_slug>/<module_slug>/quiz", methods=["GET", "POST"])
@login_required
# The form checks its own CSRF token, so an expired token becomes a form error that
# keeps the learner's answers instead of a bare 400 page that loses them.
@csrf.exempt
def take(series_slug: str, module_slug: str):
    module = find_live_module(series_slug, module_slug, "quiz")
    series, current = module.series, module.version
    version = _version_answered(module.id, current)
    if not version.has_quiz:
        abort(404)
    form = build_quiz_form(version.id, version.quiz,
                           cache_key=(version.id, version.content_hash, version.renderer))
    if not form.is_submitted():
        form.issued.data = issue_version_token(current_user.id, module.id, version.id)
    if form.validate_on_submit():
        submission = submit_quiz(current_user, version, form.selections(),
                                 submission_key=form.submission.data or None)
        db.session.commit()
        attempt = submission.attempt
        if submission.newly_completed:
            flash(f"You passed with {attempt.score}%. “{version.title}” is complete.", "success")
        for award in submission.awards:
            flash(f"You earned the {award.badge.name} badge.", "celebrate")
        target = url_for(".attempt", series_slug=series.slug, module_slug=module.slug,
                         attempt_id=attempt.id)
        if submission.awards:
            target += f"?earned={submission.awards[0].uid}"
        return redirect(target)
    status = 422 if form.is_submitted() else 200
    if form.is_submitted() and form.errors.get("csrf_token"):
        form.form_errors.append(
            "Your session expired before you submitted. Your answers are still here: "
            "submit again."
        )
    return render_template(
        "quizzes/take.html", series=series, module=module, version=version, form=form,
        choice_value=choice_value, outdated=version.id != current.id,
    ), status


@blueprint.get("/modules/<series_slug>/<module_slug>/quiz/attempts/<int:attempt_id>")
@login_required
def attempt(series_slug: str, module_slug: str, attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    # Someone else's attempt is as invisible as one that doesn't exist.
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    module = attempt.module
    if module.slug != module_slug or module.series.slug != series_slug:
        abort(404)
    answers = {a.question_index: a for a in attempt.answers}
    earned = None
    if request.args.get("earned"):
        earned = db.session.scalar(select(BadgeAward).where(
            BadgeAward.uid == request.args["earned"], BadgeAward.user_id == current_user.id))
    return render_template(
        "quizzes/attempt.html", attempt=attempt, version=attempt.version, module=module,
        series=module.series, answers=answers, live=module.retired_at is None, earned=earned,
    )
