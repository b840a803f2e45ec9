"""LTI reads."""

from __future__ import annotations

from sqlalchemy import func, select

from champion.catalog.live import live_catalog
from champion.extensions import db
from champion.lti.models import LtiGradeTarget, LtiPlatform, LtiScoreOutbox


def deep_link_choices() -> list[tuple[str, str, int]]:
    """What an instructor may link to: each live series, then its modules, as
    ``(value, label, depth)``; a module's value is ``series/slug``."""
    catalog = live_catalog()
    choices = []
    for series in catalog.series:
        choices.append((series.slug, f"{series.title} (the whole series)", 0))
        choices.extend((f"{series.slug}/{module.slug}", module.version.title, 1)
                       for module in catalog.modules.get(series.id, ()))
    return choices


def platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.name)))


def scores_waiting() -> dict[int, int]:
    """Scores not yet acknowledged, by platform id."""
    return dict(db.session.execute(
        select(LtiGradeTarget.platform_id, func.count())
        .join(LtiScoreOutbox, LtiScoreOutbox.target_id == LtiGradeTarget.id)
        .where(LtiScoreOutbox.delivered_at.is_(None))
        .group_by(LtiGradeTarget.platform_id)).tuples().all())
