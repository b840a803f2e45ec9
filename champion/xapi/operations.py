"""Writing statements to the outbox, in the transaction of the event they tell.

Each function is one call from the operation that does the thing (opening a module,
grading a quiz, completing a module, awarding a badge). With no LRS configured
(``CHAMPION_XAPI_ENDPOINT``) they write nothing. They never reach the network: a learner
waits for an INSERT, never for the LRS; ``champion xapi deliver`` sends the outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.catalog.models import Module, ModuleVersion, Series
from champion.extensions import db
from champion.xapi import statements as xs
from champion.xapi.models import XapiActor, XapiStatement

if TYPE_CHECKING:
    from champion.catalog.live import LiveVersion
    from champion.quizzes.grading import QuizResult


def enabled() -> bool:
    config = current_app.config
    return bool(config.get("CHAMPION_XAPI_ENDPOINT") and config.get("CHAMPION_BASE_URL"))


def _base() -> str:
    return current_app.config["CHAMPION_BASE_URL"]


def _queue(made: Iterable[dict[str, Any]], now: datetime) -> None:
    rows = [{"statement_id": s["id"], "statement": s, "created_at": now,
             "next_attempt_at": now, "attempts": 0} for s in made]
    if rows:
        db.session.execute(insert(XapiStatement), rows)


def _actor(user_id: int) -> dict[str, Any]:
    """The learner as the LRS sees them: an account with an opaque name (the default), or
    the SHA-1 of their address (``CHAMPION_XAPI_ACTOR=mbox_sha1sum``); never the address."""
    if current_app.config.get("CHAMPION_XAPI_ACTOR") == "mbox_sha1sum":
        return xs.mbox_sha1sum_actor(db.session.scalar(select(User.email)
                                                       .where(User.id == user_id)))
    name = db.session.scalar(select(XapiActor.name).where(XapiActor.user_id == user_id))
    if name is None:
        name = str(uuid.uuid4())
        try:
            with db.session.begin_nested():  # a concurrent award may name them first
                db.session.execute(insert(XapiActor).values(user_id=user_id, name=name))
        except IntegrityError:
            name = db.session.scalar(select(XapiActor.name).where(XapiActor.user_id == user_id))
    return xs.account_actor(_base(), name)


def _module(module_id: int, title: str | None = None) -> tuple[dict, dict]:
    """The module's activity (titled as ``title``, else as its current version) and its
    series'."""
    row = db.session.execute(
        select(Module.slug, Series.slug.label("series"), Series.title.label("series_title"),
               ModuleVersion.title)
        .join(Series, Module.series_id == Series.id)
        .outerjoin(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.id == module_id)).one()._mapping
    series = xs.activity(f"{_base()}/modules/{row['series']}/", xs.COURSE, row["series_title"])
    module = xs.activity(f"{_base()}/modules/{row['series']}/{row['slug']}", xs.MODULE,
                         title or row["title"] or row["slug"])
    return module, series


def record_launch(user_id: int, module_id: int, now: datetime) -> None:
    """launched: the learner opened the module."""
    if not enabled():
        return
    module, series = _module(module_id)
    _queue([xs.statement("launched", _actor(user_id), module, now, grouping=[series])], now)


def record_attempt(user_id: int, version: ModuleVersion | LiveVersion, result: QuizResult,
                   now: datetime) -> None:
    """answered, for each question graded, then passed or failed, for the quiz.

    ``version`` is the version answered; ``result`` its grading.
    The statements say which choices were picked, never which were right.
    """
    if not enabled():
        return
    actor = _actor(user_id)
    module, series = _module(version.module_id, version.title)
    quiz = xs.activity(f"{module['id']}/quiz", xs.ASSESSMENT, f"Quiz: {version.title}")
    made = []
    for question in result.questions:
        number = question.index + 1
        item = xs.activity(f"{quiz['id']}/v{version.number}/q{number}", xs.INTERACTION,
                           f"{version.title}, question {number}", interactionType="choice")
        response = "[,]".join(f"c{choice + 1}" for choice in sorted(question.selected))
        made.append(xs.statement("answered", actor, item, now,
                                 result={"success": question.correct, "response": response},
                                 parent=[quiz], grouping=[module, series]))
    made.append(xs.statement("passed" if result.passed else "failed", actor, quiz, now,
                             result={"score": xs.score(result.score), "success": result.passed},
                             parent=[module], grouping=[series]))
    _queue(made, now)


def record_completion(user_id: int, version: ModuleVersion | LiveVersion, now: datetime) -> None:
    """completed: the module counts as done (first completion, and every one after)."""
    if not enabled():
        return
    module, series = _module(version.module_id, version.title)
    _queue([xs.statement("completed", _actor(user_id), module, now,
                         result={"completion": True}, grouping=[series])], now)


BADGE_ASSERTION = "http://specification.openbadges.org/xapi/extensions/badgeassertion"


def record_award(award: BadgeAward) -> None:
    """earned: a badge was awarded; the result names its public assertion."""
    if not enabled():
        return
    badge = xs.activity(f"{_base()}/badges/{award.badge.slug}", xs.BADGE, award.badge.name)
    assertion = f"{_base()}/badges/assertions/{award.uid}"
    _queue([xs.statement("earned", _actor(award.user_id), badge, award.awarded_at,
                         result={"success": True,
                                 "extensions": {BADGE_ASSERTION: {"@id": assertion}}})],
           award.awarded_at)
