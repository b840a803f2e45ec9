"""Sending the outbox to the LRS: a batch at a time, idempotent by statement id.

A batch is POSTed to ``/statements``. The LRS keeps one statement per id, so a batch sent
again (its answer lost in an outage, say) changes nothing there: an LRS that answers 409 or
204 for statements it already has has them. Where it refuses a batch (409: some id it
already has; 400 or 422: a statement it won't take), each statement of the batch is PUT on its
own, so one bad statement can't hold back the others. An LRS that can't be reached, or
answers 5xx, 401, 403, 404 or a redirect (never followed), is "unavailable": the batch
waits, backing off, and nothing is lost. The caller commits after each batch, so what was
delivered stays delivered.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from champion.database import utcnow
from champion.errors import OperationError
from champion.extensions import db
from champion.xapi.models import XapiStatement

XAPI_VERSION = "1.0.3"
TIMEOUT = 10  # seconds for one request to the LRS
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


class LrsUnavailable(OperationError):
    """The LRS can't take statements now (unreachable, 5xx, or refusing our credentials)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, never followed: urllib would resend the Basic credentials
    to whatever host it names, and turn a POST into a GET whose 200 reads as delivered."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Lrs:
    endpoint: str  # the LRS's xAPI root, e.g. https://lrs.example.org/xAPI/
    username: str | None
    password: str | None

    def url(self, query: dict[str, str] | None = None) -> str:
        url = self.endpoint.rstrip("/") + "/statements"
        return f"{url}?{urllib.parse.urlencode(query)}" if query else url

    def request(self, method: str, body: Any, query: dict[str, str] | None = None) -> int:
        """Send ``body`` as JSON; the HTTP status, or LrsUnavailable."""
        headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION}
        if self.username is not None:
            token = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        request = urllib.request.Request(self.url(query), data=json.dumps(body).encode(),
                                         headers=headers, method=method)
        try:
            with _OPENER.open(request, timeout=TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as answer:
            status = answer.code
            answer.close()
        except (OSError, ValueError) as exc:  # refused, timed out, DNS, TLS
            raise LrsUnavailable(f"the LRS at {self.endpoint} can't be reached: {exc}") from exc
        if 300 <= status < 400:
            raise LrsUnavailable(f"the LRS at {self.endpoint} answered HTTP {status} (a "
                                 "redirect, not followed: set CHAMPION_XAPI_ENDPOINT to the "
                                 "LRS's own address)")
        if status >= 500 or status in (401, 403, 404):
            raise LrsUnavailable(f"the LRS at {self.endpoint} answered HTTP {status}")
        return status


@dataclass
class BatchOutcome:
    delivered: int = 0
    refused: list[str] = field(default_factory=list)  # "statement id: why", kept for retry
    unavailable: str | None = None  # why the LRS couldn't be used: stop for now
    empty: bool = False  # nothing was due


def backoff(attempts: int) -> timedelta:
    """How long a statement waits after its ``attempts``-th failed delivery: 1, 2, 4 ...
    minutes, an hour at most."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(XapiStatement)
                             .where(XapiStatement.delivered_at.is_(None))) or 0


def retry_now(now: datetime | None = None) -> None:
    """Make every undelivered statement due now, however long its back-off (the LRS has
    been fixed). The caller commits."""
    db.session.execute(update(XapiStatement).where(XapiStatement.delivered_at.is_(None))
                       .values(next_attempt_at=now or utcnow()))


def deliver_batch(lrs: Lrs, size: int = 50, now: datetime | None = None) -> BatchOutcome:
    """Send the oldest ``size`` statements that are due and record what the LRS took;
    the ones it didn't back off. The caller commits."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(XapiStatement)
        .where(XapiStatement.delivered_at.is_(None), XapiStatement.next_attempt_at <= now)
        .order_by(XapiStatement.id).limit(size)).all()
    if not rows:
        return BatchOutcome(empty=True)
    outcome = BatchOutcome()
    try:
        status = lrs.request("POST", [row.statement for row in rows])
        if status in (200, 204):
            _delivered(rows, now)
            outcome.delivered = len(rows)
        else:  # 409 or 400 for the batch: find out statement by statement
            for row in rows:
                answer = lrs.request("PUT", row.statement, {"statementId": row.statement_id})
                if answer in (200, 204, 409):
                    _delivered([row], now)
                    outcome.delivered += 1
                else:
                    _failed([row], now, f"the LRS refused it: HTTP {answer}")
                    outcome.refused.append(f"{row.statement_id}: HTTP {answer}")
    except LrsUnavailable as exc:
        _failed([row for row in rows if row.delivered_at is None], now, str(exc))
        outcome.unavailable = str(exc)
    return outcome


def _delivered(rows: list[XapiStatement], now: datetime) -> None:
    for row in rows:
        row.delivered_at = now
        row.last_error = None
    db.session.flush()


def _failed(rows: list[XapiStatement], now: datetime, error: str) -> None:
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + backoff(row.attempts)
        row.last_error = error[:500]
    db.session.flush()

