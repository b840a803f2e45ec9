"""``champion xapi deliver``: send the outbox to the learning record store."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from champion.extensions import db
from champion.xapi.delivery import Lrs, deliver_batch, pending_count, retry_now

xapi_cli = click.Group("xapi", help="xAPI statements to a learning record store.")


@xapi_cli.command("deliver")
@click.option("--batch-size", default=50, show_default=True, type=click.IntRange(1, 500),
              help="Statements per request to the LRS.")
@click.option("--all", "waiting_too", is_flag=True,
              help="Also send statements still waiting out a back-off (after fixing the LRS).")
@with_appcontext
def xapi_deliver(batch_size: int, waiting_too: bool) -> None:
    """Send every statement that is due, a batch at a time; exit 1 if the LRS could not
    take them all (they wait and are tried again, backing off, by the next run)."""
    config = current_app.config
    if not config.get("CHAMPION_XAPI_ENDPOINT"):
        raise click.ClickException("CHAMPION_XAPI_ENDPOINT is not set: statements are not "
                                   "recorded, so there is nothing to deliver")
    lrs = Lrs(config["CHAMPION_XAPI_ENDPOINT"], config.get("CHAMPION_XAPI_USERNAME"),
              config.get("CHAMPION_XAPI_PASSWORD"))
    if waiting_too:
        retry_now()
    delivered, trouble = 0, []
    while True:  # each batch is delivered or backs off, so this ends
        outcome = deliver_batch(lrs, batch_size)
        db.session.commit()  # each batch for good: a later failure can't undo it
        delivered += outcome.delivered
        trouble += outcome.refused
        if outcome.unavailable:
            trouble.append(outcome.unavailable)
        if outcome.empty or outcome.unavailable:
            break
    for line in trouble:
        click.echo(f"error: {line}", err=True)
    click.echo(f"delivered {delivered} statement(s); {pending_count()} waiting")
    sys.exit(1 if trouble else 0)
