"""A learner's own record: progress, attempts, badges; and "Mark as complete"."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from champion.auth.privacy import personal_data
from champion.badges.certificate import CompletedModule, time_statement
from champion.badges.models import BadgeAward
from champion.badges.sharing import sharing
from champion.catalog.models import Module
from champion.catalog.queries import catalog, find_live_module
from champion.departments.queries import member_departments
from champion.extensions import db
from champion.progress.operations import mark_complete, record_activity
from champion.quizzes.models import Attempt

blueprint = Blueprint("progress", __name__, template_folder="templates")


class CompleteForm(FlaskForm):
    """The "Mark as complete" button of a module without a quiz."""


@blueprint.get("/me")
@login_required
def me():
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == current_user.id)
        .options(
            selectinload(Attempt.version),
            selectinload(Attempt.module).selectinload(Module.series),
        )
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
        .limit(200)
    ).all()
    awards = db.session.scalars(
        select(BadgeAward)
        .where(BadgeAward.user_id == current_user.id)
        .options(selectinload(BadgeAward.badge))
        .order_by(BadgeAward.awarded_at)
    ).all()
    entries = catalog(current_user.id)
    completed = [CompletedModule(entry.series.title, m.version.title, m.version.duration,
                                 m.progress.seconds_spent)
                 for entry in entries for m in entry.modules if m.status == "complete"]
    return render_template(
        "progress/me.html", catalog=entries, attempts=attempts, awards=awards,
        completed=len(completed), time_statement=time_statement(completed) if completed else None,
        departments=member_departments(current_user.id),
        sharing={award.id: sharing(award) for award in awards if award.valid()},
    )


@blueprint.get("/me/data.json")
@login_required
def my_data():
    """Everything the platform holds about the signed-in learner, to keep or to move."""
    body = json.dumps(personal_data(current_user), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="champion-my-data.json"',
        "Cache-Control": "no-store"})


@blueprint.post("/modules/<series_slug>/<module_slug>/activity")
@login_required
def activity(series_slug: str, module_slug: str):
    """Heartbeats from the reading view and presentation mode (JSON; CSRF in a header)."""
    module = find_live_module(series_slug, module_slug, "slides")
    try:
        data = request.get_json(silent=True) or {}
    except RecursionError:  # nested too deep for the parser: not a heartbeat
        return {"error": "the body must be a JSON object of slide and seconds"}, 400
    if not isinstance(data, dict):
        return {"error": "the body must be a JSON object of slide and seconds"}, 400
    slide, seconds = data.get("slide"), data.get("seconds", 0)
    reached_end = data.get("end", False)
    if not (slide is None or isinstance(slide, int)) or not isinstance(seconds, int):
        return {"error": "slide and seconds must be whole numbers"}, 400
    if not isinstance(reached_end, bool):
        return {"error": "end must be true or false"}, 400
    done = record_activity(current_user, module.id, slide, seconds,
                           len(module.version.slides), reached_end=reached_end)
    db.session.commit()
    if done.completed:  # shown on the learner's next page
        flash(f"You reached the end of “{module.version.title}”, and had passed its quiz: "
              "the module is complete.", "success")
    for award in done.awards:
        flash(f"You earned the {award.badge.name} badge.", "celebrate")
    return {"ok": True, "completed": done.completed}


@blueprint.post("/modules/<series_slug>/<module_slug>/complete")
@login_required
def complete(series_slug: str, module_slug: str):
    module = find_live_module(series_slug, module_slug)
    series, version = module.series, module.version
    if version.has_quiz:
        abort(400)
    if CompleteForm().validate_on_submit():
        awards = mark_complete(current_user, module, version)
        db.session.commit()
        flash(f"“{version.title}” is complete.", "success")
        for award in awards:
            flash(f"You earned the {award.badge.name} badge.", "celebrate")
    return redirect(url_for("catalog.module", series_slug=series.slug, module_slug=module.slug))
