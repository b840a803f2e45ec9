"""``champion lti ...``: delivering the scores owed to LMS gradebooks."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from champion.lti.outbox import deliver

lti_cli = AppGroup("lti", help="LTI 1.3: scores owed to LMS gradebooks.")


@lti_cli.command("deliver")
@click.option("--limit", default=500, show_default=True, help="scores to try in this run")
def lti_deliver(limit: int) -> None:
    """Post the scores that are due to each platform's line item (run it every minute or
    so, from cron or a systemd timer); a refusal is retried later, with growing waits."""
    report = deliver(limit=limit)
    click.echo(f"delivered {report.delivered}, to retry {report.failed}")
    if report.failed:
        raise SystemExit(1)
