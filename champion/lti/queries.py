"""LTI reads."""

from __future__ import annotations

from sqlalchemy import func, select

from champion.catalog.live import live_catalog
from champion.extensions import db
from champion.lti.models import LtiGradeTarget, LtiPlatform, LtiScoreOutbox

Choice = tuple[str, str]  # (form value, label)


def deep_link_choices() -> list[tuple[str, list[Choice]]]:
    """What an instructor may link to, by series title: the whole series (value: its slug),
    then each of its modules (value: ``series/slug``)."""
    catalog = live_catalog()
    return [(series.title, [(series.slug, f"{series.title} (the whole series)")]
             + [(f"{series.slug}/{module.slug}", module.version.title)
                for module in catalog.modules.get(series.id, ())])
            for series in catalog.series]


def platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.name)))


def scores_waiting() -> dict[int, int]:
    """Scores not yet acknowledged, by platform id."""
    return dict(db.session.execute(
        select(LtiGradeTarget.platform_id, func.count())
        .join(LtiScoreOutbox, LtiScoreOutbox.target_id == LtiGradeTarget.id)
        .where(LtiScoreOutbox.delivered_at.is_(None))
        .group_by(LtiGradeTarget.platform_id)).tuples().all())
