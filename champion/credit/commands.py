"""Commands for credit: the provider's CSV (`champion report credit`) and the 60-day
evaluation follow-ups (`champion credit follow-ups`)."""

from __future__ import annotations

import smtplib
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from champion.content.credit import CREDIT_TYPES
from champion.credit.operations import mark_follow_up_sent
from champion.credit.queries import claims_between, due_follow_ups, pars_learners
from champion.credit.report import claim_rows, pars_rows
from champion.database import utcnow
from champion.extensions import db
from champion.mail import send_mail
from champion.spreadsheet import to_csv
from champion.urls import external_url


class _Day(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


@click.command("credit")
@click.option("--from", "start", type=_Day(), help="Claims made on or after this day (UTC).")
@click.option("--to", "end", type=_Day(), help="Claims made on or before this day (UTC).")
@click.option("--type", "kind", type=click.Choice(list(CREDIT_TYPES)),
              help="One credit type (default: all).")
@click.option("--pars", is_flag=True,
              help="The PARS learner file instead: consenting physicians' AMA claims.")
@with_appcontext
def report_credit(start: date | None, end: date | None, kind: str | None, pars: bool) -> None:
    """Every credit claim: the per-learner records an accredited provider keeps."""
    if start and end and end < start:
        raise click.UsageError(f"--to ({end}) is before --from ({start})")
    if pars:
        claims = claims_between(start, end, "ama")
        click.echo(to_csv(pars_rows(claims, pars_learners(claims))), nl=False)
        return
    click.echo(to_csv(claim_rows(claims_between(start, end, kind))), nl=False)


credit_cli = click.Group("credit", help="Continuing education credit.")


FOLLOW_UP = """Hello {name},

Sixty days ago you evaluated {programme} and asked us to check in. What has changed in
your practice since then? What got in the way of the changes you planned?

Reply to this message; your answer goes to the educators who planned the programme and
helps them measure what the education changed.

Your transcript: {transcript}
"""


@credit_cli.command("follow-ups")
@with_appcontext
def send_follow_ups() -> None:
    """Email learners who asked for it, 60 days after their evaluation; each once."""
    sent = failed = 0
    for evaluation, user in due_follow_ups(utcnow()):
        try:
            send_mail(user.email, "What has changed in your practice?", FOLLOW_UP.format(
                name=user.name, programme=evaluation.award.badge.name,
                transcript=external_url("credit.transcript")))
        except (OSError, smtplib.SMTPException) as error:
            current_app.logger.warning("follow-up to %s not sent: %s", user.email, error)
            failed += 1
            continue
        mark_follow_up_sent(evaluation, utcnow())
        db.session.commit()  # one at a time: a crash later never sends this one again
        sent += 1
    click.echo(f"follow-ups sent: {sent}" + (f"; not sent (will retry): {failed}"
                                             if failed else ""))
