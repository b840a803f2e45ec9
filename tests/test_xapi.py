"""xAPI statements: what the outbox holds after what learners do, and what it never holds.

Delivery to a real LRS (Ralph) is tests/test_xapi_delivery.py.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest
from sqlalchemy import func, select

import config as champion_config
from champion.catalog.models import Module
from champion.extensions import db
from champion.progress.operations import note_module_opened
from champion.xapi.delivery import backoff
from champion.xapi.models import XapiStatement
from tests.helpers import FAIL_FIRST, PASS_FIRST, PASS_SECOND, mark_complete, submit

ADL = "http://adlnet.gov/expapi/verbs/"
BASE = "https://champion.test"


@pytest.fixture
def lrs_configured(app):
    """An LRS named (nothing listens there: statements only wait in the outbox)."""
    app.config.update(CHAMPION_XAPI_ENDPOINT="http://127.0.0.1:9/xAPI/",
                      CHAMPION_XAPI_USERNAME="champion", CHAMPION_XAPI_PASSWORD="secret")
    yield app
    app.config.update(CHAMPION_XAPI_ENDPOINT=None, CHAMPION_XAPI_USERNAME=None,
                      CHAMPION_XAPI_PASSWORD=None, CHAMPION_XAPI_ACTOR="account")


def outbox() -> list[dict]:
    db.session.expire_all()
    return [row.statement for row in db.session.scalars(
        select(XapiStatement).order_by(XapiStatement.id))]


def verbs(statements: list[dict]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]


def test_nothing_is_written_without_an_lrs(learner_client, synced):
    learner_client.get("/modules/basics/first-steps")
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    assert outbox() == []


def test_a_learners_path_to_a_badge_is_told_in_order(lrs_configured, learner_client, learner,
                                                     synced):
    learner_client.get("/modules/basics/first-steps")
    submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    submit(learner_client, "basics", "second-steps", PASS_SECOND)
    learner_client.get("/modules/basics/reading")
    mark_complete(learner_client, "basics", "reading")
    told = outbox()
    assert verbs(told) == [
        "launched",
        "answered", "answered", "failed",
        "answered", "answered", "passed", "completed",
        "answered", "passed", "completed",  # (its quiz taken without opening the page)
        "launched", "completed", "earned",
    ]
    module = f"{BASE}/modules/basics/first-steps"
    launched, answered, failed = told[0], told[1], told[3]
    assert launched["object"]["id"] == module
    assert launched["object"]["definition"]["name"] == {"en-US": "First steps"}
    assert launched["context"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": f"{BASE}/modules/basics/"}]
    assert answered["object"]["id"].startswith(f"{module}/quiz/v1/q")
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["context"]["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": f"{module}/quiz"}]
    assert failed["object"]["id"] == f"{module}/quiz"
    assert failed["result"]["score"] == {"scaled": 0.0, "raw": 0, "min": 0, "max": 100}
    assert failed["result"]["success"] is False
    passed = told[6]
    assert passed["result"]["score"]["raw"] == 100 and passed["result"]["success"] is True
    earned = told[-1]
    assert earned["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    assert earned["object"]["id"] == f"{BASE}/badges/basics-graduate"
    [assertion] = earned["result"]["extensions"].values()
    assert assertion["@id"].startswith(f"{BASE}/badges/assertions/")
    assert len({s["id"] for s in told}) == len(told)  # every statement its own id


def test_the_actor_is_an_opaque_account_never_the_email(lrs_configured, learner_client, learner,
                                                       synced):
    learner_client.get("/modules/basics/first-steps")
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    told = outbox()
    actors = {json.dumps(s["actor"], sort_keys=True) for s in told}
    assert len(actors) == 1  # the same learner, the same name, in every statement
    actor = told[0]["actor"]
    assert actor["account"]["homePage"] == BASE
    assert str(learner.id) != actor["account"]["name"] and len(actor["account"]["name"]) == 36
    raw = json.dumps(told)
    assert learner.email not in raw and learner.name not in raw


def test_the_actor_can_be_a_hashed_mailbox(lrs_configured, learner_client, learner, synced):
    lrs_configured.config["CHAMPION_XAPI_ACTOR"] = "mbox_sha1sum"
    learner_client.get("/modules/basics/first-steps")
    [launched] = outbox()
    expected = hashlib.sha1(f"mailto:{learner.email}".encode()).hexdigest()
    assert launched["actor"] == {"objectType": "Agent", "mbox_sha1sum": expected}
    assert learner.email not in json.dumps(launched)


def test_an_unknown_actor_kind_is_refused_at_start():
    with pytest.raises(champion_config.ConfigurationError, match="CHAMPION_XAPI_ACTOR"):
        champion_config.load("development", {"CHAMPION_XAPI_ACTOR": "email"})


def test_statements_are_written_in_the_events_transaction(lrs_configured, learner, synced):
    module_id = db.session.scalar(select(Module.id).where(Module.slug == "first-steps"))
    note_module_opened(learner, module_id, None)
    db.session.rollback()  # the event didn't happen: neither did its statement
    assert outbox() == []
    note_module_opened(learner, module_id, None)
    db.session.commit()
    assert verbs(outbox()) == ["launched"]


def test_opening_a_module_again_soon_tells_nothing_new(lrs_configured, learner_client, synced):
    for _ in range(3):
        learner_client.get("/modules/basics/first-steps")
    assert verbs(outbox()) == ["launched"]


def test_a_down_lrs_never_slows_a_learner(lrs_configured, learner_client, synced):
    """The endpoint answers nothing (port 9): learners' pages don't wait for it."""
    started = time.monotonic()
    learner_client.get("/modules/basics/first-steps")
    response = submit(learner_client, "basics", "first-steps", PASS_FIRST)
    assert response.status_code == 302
    assert time.monotonic() - started < 5
    assert db.session.scalar(select(func.count()).select_from(XapiStatement)) == 5


def test_deliver_needs_an_lrs(runner, app):
    result = runner.invoke(args=["xapi", "deliver"])
    assert result.exit_code == 1 and "CHAMPION_XAPI_ENDPOINT is not set" in result.output


def test_retries_back_off_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 7, 8, 20)] == [
        60, 120, 240, 480, 3600, 3600, 3600]
