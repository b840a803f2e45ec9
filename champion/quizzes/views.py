"""Taking a quiz and reviewing an attempt."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from champion.badges.models import BadgeAward
from champion.catalog.live import LiveModule, LiveVersion
from champion.catalog.models import ModuleVersion
from champion.catalog.queries import catalog, find_live_module, next_module_after
from champion.credit.access import disclosures_first
from champion.database import utcnow
from champion.extensions import csrf, db
from champion.filters import sentence
from champion.quizzes.drawing import Draw, as_shown, as_written
from champion.quizzes.forms import QuizForm, build_quiz_form
from champion.quizzes.models import Attempt, QuizDraw
from champion.quizzes.operations import (
    DRAW_LIFETIME,
    QuizClosed,
    current_draw,
    submit_quiz,
)
from champion.quizzes.queries import reveals_key

blueprint = Blueprint("quizzes", __name__, template_folder="templates")


def _form_for(row: QuizDraw, version: LiveVersion | ModuleVersion
              ) -> tuple[QuizForm, dict, Draw]:
    drawn = Draw.stored(row.questions, row.choice_orders, version.quiz)
    shown = as_shown(version.quiz, drawn)
    form = build_quiz_form(row.id, shown, cache_key=(
        version.id, version.content_hash, version.renderer, drawn.questions,
        drawn.choice_orders))
    return form, shown, drawn


def _page(module: LiveModule, version, form=None, shown=None, closed=None, status=200):
    return render_template(
        "quizzes/take.html", series=module.series, module=module, version=version, form=form,
        shown=shown, closed=closed, outdated=version.id != module.version.id), status


@blueprint.route("/modules/<series_slug>/<module_slug>/quiz", methods=["GET", "POST"])
@login_required
# The form checks its own CSRF token, so an expired token becomes a form error that
# keeps the learner's answers instead of a bare 400 page that loses them.
@csrf.exempt
def take(series_slug: str, module_slug: str):
    module = find_live_module(series_slug, module_slug, "quiz")
    if not module.version.has_quiz:
        abort(404)
    disclosures_first(module.series)
    if request.method == "POST":
        return _submit(module)
    try:
        row = current_draw(current_user, module.version)
    except QuizClosed as exc:
        return _page(module, module.version, closed=sentence(exc))
    db.session.commit()
    form, shown, _ = _form_for(row, module.version)
    return _page(module, module.version, form, shown)


def _submit(module: LiveModule):
    """Grade the attempt the learner was shown: its draw names the version, the questions
    and their order. A draw that isn't theirs, or is stale, is never graded."""
    raw = request.form.get("draw", "")
    row = db.session.get(QuizDraw, int(raw)) if raw.isdigit() else None
    if row is None or row.user_id != current_user.id or row.module_id != module.id:
        flash("That quiz form was not the one you were given. Here is your quiz: answer "
              "it again.", "error")
        return redirect(url_for(".take", series_slug=module.series.slug, module_slug=module.slug))
    if row.attempt_id is None and row.drawn_at < utcnow() - DRAW_LIFETIME:
        flash("This attempt was opened more than a day ago, so it has been closed. Here is a "
              "new one.", "error")
        return redirect(url_for(".take", series_slug=module.series.slug, module_slug=module.slug))
    current = module.version
    version = current if row.module_version_id == current.id else db.session.get(
        ModuleVersion, row.module_version_id)
    form, shown, drawn = _form_for(row, version)
    if form.validate_on_submit():
        try:
            submission = submit_quiz(current_user, version,
                                     as_written(drawn, form.selections()),
                                     submission_key=form.submission.data or None, drawn=row)
        except QuizClosed as exc:
            db.session.rollback()
            form.form_errors.append(sentence(exc))
            return _page(module, version, form, shown, status=422)
        db.session.commit()
        attempt = submission.attempt
        if submission.newly_completed:
            flash(f"You passed with {attempt.score}%. “{version.title}” is complete.", "success")
        elif submission.awaiting_view:
            flash(f"You passed with {attempt.score}%. Go through “{version.title}” to its end "
                  "(the last slide, or the end of the page) to complete it.", "success")
        for award in submission.awards:
            flash(f"You earned the {award.badge.name} badge.", "celebrate")
        target = url_for(".attempt", series_slug=module.series.slug, module_slug=module.slug,
                         attempt_id=attempt.id)
        if submission.awards:
            target += f"?earned={submission.awards[0].uid}"
        return redirect(target)
    if form.errors.get("csrf_token"):
        form.form_errors.append(
            "Your session expired before you submitted. Your answers are still here: "
            "submit again."
        )
    return _page(module, version, form, shown, status=422)


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
    version = attempt.version
    drawn = Draw.stored(attempt.questions, attempt.choice_orders, version.quiz)
    answers = {a.question_index: a for a in attempt.answers}
    earned = None
    if request.args.get("earned"):
        earned = db.session.scalar(select(BadgeAward).where(
            BadgeAward.uid == request.args["earned"], BadgeAward.user_id == current_user.id))
    return render_template(
        "quizzes/attempt.html", attempt=attempt, version=version, module=module,
        series=module.series, answers=answers, live=module.retired_at is None, earned=earned,
        shown=as_shown(version.quiz, drawn), drawn=drawn,
        reveal=reveals_key(current_user.id, attempt, version),
        next_module=next_module_after(catalog(current_user.id), module.id)
        if attempt.passed else None,
    )
