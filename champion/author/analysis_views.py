"""Item analysis: how each question of a published quiz performs."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from champion.author.blueprint import blueprint, educators, module_or_404
from champion.catalog.models import Module
from champion.catalog.queries import module_versions
from champion.extensions import db
from champion.quizzes.analysis import (
    FLAG_TOO_FEW,
    MIN_ATTEMPTS_FOR_FLAGS,
    AnswerData,
    AttemptData,
    analyse,
    to_csv,
)
from champion.quizzes.models import Attempt


def _analysis(module: Module):
    versions = [v for v in module_versions(module) if v.has_quiz]
    if not versions:
        return None, versions, None
    wanted = request.args.get("version", type=int) or versions[0].number
    version = next((v for v in versions if v.number == wanted), versions[0])
    first_attempts = (select(func.min(Attempt.id))
                      .where(Attempt.module_version_id == version.id)
                      .group_by(Attempt.user_id))
    attempts = db.session.scalars(
        select(Attempt).options(selectinload(Attempt.answers))
        .where(Attempt.id.in_(first_attempts)).order_by(Attempt.id)).all()
    questions = len(version.quiz["questions"])
    data = []
    for a in attempts:
        answers: list[AnswerData | None] = [None] * questions  # None: not drawn
        for answer in a.answers:
            answers[answer.question_index] = AnswerData(tuple(answer.selected), answer.correct)
        data.append(AttemptData(score=a.score, answers=tuple(answers)))
    return version, versions, analyse(version.quiz, data, version.pass_mark)


@blueprint.get("/modules/<int:module_id>/analysis")
@educators
def analysis(module_id: int):
    module = module_or_404(module_id)
    version, versions, result = _analysis(module)
    return render_template("author/analysis.html", module=module, version=version,
                           versions=versions, result=result, too_few=FLAG_TOO_FEW,
                           min_attempts=MIN_ATTEMPTS_FOR_FLAGS)


@blueprint.get("/modules/<int:module_id>/analysis.csv")
@educators
def analysis_csv(module_id: int):
    module = module_or_404(module_id)
    version, _, result = _analysis(module)
    if version is None:
        abort(404)
    return Response(to_csv(result, version.quiz), mimetype="text/csv", headers={
        "Content-Disposition":
            f'attachment; filename="{module.slug}-v{version.number}-item-analysis.csv"'})
