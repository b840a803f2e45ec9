"""The one rule pages of a credit-bearing series share: disclosures before the activity."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_login import current_user

from champion.catalog.live import LiveSeries
from champion.credit.queries import must_read_disclosures


def disclosures_first(series: LiveSeries) -> None:
    """Send the signed-in learner to the series' disclosures until they have acknowledged
    them (accredited education shows them before the activity starts); free otherwise."""
    if series.credit_bearing and must_read_disclosures(current_user.id, series.slug):
        abort(redirect(url_for("credit.disclosures", series_slug=series.slug)))
