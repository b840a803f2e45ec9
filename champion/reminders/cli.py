"""``champion reminders send``: run from cron or a systemd timer (docs/deployment.md)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from champion.reminders.operations import send_digests, send_reminders

reminders_cli = click.Group("reminders", help="Email reminders of assignments.")


@reminders_cli.command("send")
@click.option("--date", "day", metavar="YYYY-MM-DD", default=None,
              help="The day to act as (default: today, UTC).")
@with_appcontext
def reminders_send(day: str | None) -> None:
    """Remind each learner of what is due within a week or overdue (once a day), and send
    leads their weekly digest (once a week). Safe to run again: nothing is sent twice, and
    what failed is tried again. Exits 1 if any message could not be sent."""
    try:
        today = date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise click.BadParameter(f"{day!r} is not a date like 2026-12-07",
                                 param_hint="--date") from exc
    reminders = send_reminders(today)
    digests = send_digests(today)
    click.echo(f"reminders: {reminders.sent} sent, {reminders.failed} failed")
    click.echo(f"digests: {digests.sent} sent, {digests.failed} failed")
    for error in reminders.errors + digests.errors:
        click.echo(f"not sent (tried again next run): {error}", err=True)
    if reminders.failed or digests.failed:
        raise SystemExit(1)
