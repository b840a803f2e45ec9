"""Reading quiz attempts."""

from __future__ import annotations

from sqlalchemy import select

from champion.catalog.models import ModuleVersion
from champion.extensions import db
from champion.quizzes.models import Attempt


def reveals_key(user_id: int, attempt: Attempt, version: ModuleVersion) -> bool:
    """Whether ``attempt``'s page may show the key and the explanations.

    A quiz that reveals "always" does; one that reveals "after_pass" does once the learner
    has passed this module's quiz: the passing attempt, and every failed one before it.
    A failed attempt shows which questions were wrong, never why, until a pass comes
    after it: a failure after a pass (a recertification, a new version's quiz) would
    otherwise show the key to the pass it has yet to make.
    """
    if version.policy.reveal == "always" or attempt.passed:
        return True
    # One learner's submissions are serialised (lock_learner), so ids follow their order.
    passed = db.session.scalar(select(Attempt.id).where(
        Attempt.user_id == user_id, Attempt.module_id == attempt.module_id,
        Attempt.passed.is_(True), Attempt.id > attempt.id).limit(1))
    return passed is not None
