"""Reading quiz attempts."""

from __future__ import annotations

from sqlalchemy import select

from champion.catalog.models import ModuleVersion
from champion.extensions import db
from champion.quizzes.models import Attempt


def reveals_key(user_id: int, attempt: Attempt, version: ModuleVersion) -> bool:
    """Whether ``attempt``'s page may show the key and the explanations.

    A quiz that reveals "always" does; one that reveals "after_pass" does once the learner
    has passed this module's quiz: the passing attempt, and from then on every earlier
    one. Until then a failed attempt shows which questions were wrong, never why.
    """
    if version.policy.reveal == "always" or attempt.passed:
        return True
    passed = db.session.scalar(select(Attempt.id).where(
        Attempt.user_id == user_id, Attempt.module_id == attempt.module_id,
        Attempt.passed.is_(True)).limit(1))
    return passed is not None
