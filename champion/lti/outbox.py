"""Scores owed to platforms' gradebooks (LTI Assignment and Grade Services).

A pass writes its score here in the learner's own transaction, never calling a platform
(a slow or absent LMS must not slow or fail a quiz); ``champion lti deliver`` posts what is
due and retries with growing waits until each platform acknowledges.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, literal, select
from sqlalchemy.orm import joinedload

from champion.database import UTCDateTime, utcnow
from champion.extensions import db
from champion.lti.keys import tool_key
from champion.lti.messages import AGS_SCORE_SCOPE, client_assertion, score_document
from champion.lti.models import LtiGradeTarget, LtiPlatform, LtiScoreOutbox

TIMEOUT = 15
MAX_WAIT = timedelta(hours=6)  # the longest wait between two tries: it never gives up
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def queue_scores(user_id: int, module_id: int, score: int, now: datetime) -> None:
    """Owe every line item this learner was launched into for this module their score.

    Called from the completion of the module, in the same transaction: one statement,
    whether or not the learner came from an LMS (a quiz submission's budget is tight)."""
    targets = select(LtiGradeTarget.id, literal(score), literal(now, UTCDateTime()),
                     literal(now, UTCDateTime()), literal(0)).where(
        LtiGradeTarget.user_id == user_id, LtiGradeTarget.module_id == module_id)
    db.session.execute(insert(LtiScoreOutbox).from_select(
        ["target_id", "score", "created_at", "next_attempt_at", "attempts"], targets))


class DeliveryError(Exception):
    """A platform did not take a score (or a token); retried later."""


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts - 1, 12)), MAX_WAIT)


def _post(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{url} answered {exc.code}: "
                            f"{exc.read(300).decode(errors='replace')}") from exc
    except OSError as exc:
        raise DeliveryError(f"{url} could not be reached ({exc})") from exc


def access_token(platform: LtiPlatform) -> str:
    """An OAuth 2 client-credentials token for posting scores, won with a signed JWT
    client assertion (1EdTech Security Framework)."""
    body = urllib.parse.urlencode({
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": client_assertion(platform.client_id, platform.token_url, tool_key()),
        "scope": AGS_SCORE_SCOPE,
    }).encode()
    answer = _post(platform.token_url, body,
                   {"Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json"})
    try:
        return json.loads(answer)["access_token"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DeliveryError(f"{platform.token_url} gave no access token") from exc


def scores_url(lineitem_url: str) -> str:
    """``<line item>/scores``, keeping the line item's query string (AGS §3.4)."""
    parts = urllib.parse.urlsplit(lineitem_url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


def deliver(now: datetime | None = None, limit: int = 500) -> DeliveryReport:
    """Post every score that is due, oldest first; commit each outcome as it comes."""
    now = now or utcnow()
    due = db.session.scalars(
        select(LtiScoreOutbox).options(joinedload(LtiScoreOutbox.target)
                                       .joinedload(LtiGradeTarget.platform))
        .where(LtiScoreOutbox.delivered_at.is_(None), LtiScoreOutbox.next_attempt_at <= now)
        .order_by(LtiScoreOutbox.id).limit(limit)).all()
    report = DeliveryReport()
    tokens: dict[int, str] = {}
    for item in due:
        platform = item.target.platform
        try:
            if platform.id not in tokens:
                tokens[platform.id] = access_token(platform)
            document = score_document(item.target.subject, item.score, item.created_at)
            _post(scores_url(item.target.lineitem_url), json.dumps(document).encode(),
                  {"Content-Type": SCORE_TYPE, "Authorization": f"Bearer {tokens[platform.id]}"})
        except DeliveryError as exc:
            item.attempts += 1
            item.last_error = str(exc)[:500]
            item.next_attempt_at = utcnow() + backoff(item.attempts)
            report.failed += 1
        else:
            item.attempts += 1
            item.delivered_at = utcnow()
            item.last_error = None
            report.delivered += 1
        db.session.commit()
    return report
