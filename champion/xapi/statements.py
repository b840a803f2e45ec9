"""xAPI statements as plain dicts: pure functions, no Flask, no database.

Verbs are the ADL vocabulary's (the ones cmi5 uses, http://adlnet.gov/expapi/verbs/...);
"earned" has no ADL verb, so it is the xAPI registry's http://id.tincanapi.com/verb/earned.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "launched": ADL + "launched",
    "answered": ADL + "answered",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "completed": ADL + "completed",
    "earned": "http://id.tincanapi.com/verb/earned",
}
MODULE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
COURSE = "http://adlnet.gov/expapi/activities/course"
BADGE = "http://activitystrea.ms/schema/1.0/badge"
ACTOR_KINDS = ("account", "mbox_sha1sum")


def account_actor(home_page: str, name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}


def mbox_sha1sum_actor(email: str) -> dict[str, Any]:
    """The address hashed as xAPI defines it (SHA-1 of ``mailto:address``): an LRS can match
    it to a person who gives their address, but never reads the address itself."""
    digest = hashlib.sha1(f"mailto:{email.strip().lower()}".encode(), usedforsecurity=False)
    return {"objectType": "Agent", "mbox_sha1sum": digest.hexdigest()}


def activity(iri: str, kind: str, name: str, **definition: Any) -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri,
            "definition": {"type": kind, "name": {"en-US": name}, **definition}}


def statement(verb: str, actor: dict, obj: dict, timestamp: datetime, *,
              result: dict | None = None, parent: list[dict] | None = None,
              grouping: list[dict] | None = None, extensions: dict | None = None
              ) -> dict[str, Any]:
    """A statement with a fresh id (delivery is idempotent by it)."""
    context: dict[str, Any] = {"platform": "Champion", "language": "en"}
    activities = {}
    if parent:
        activities["parent"] = [_ref(a) for a in parent]
    if grouping:
        activities["grouping"] = [_ref(a) for a in grouping]
    if activities:
        context["contextActivities"] = activities
    if extensions:
        context["extensions"] = extensions
    made = {"id": str(uuid.uuid4()), "actor": actor,
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": obj, "context": context, "timestamp": timestamp.isoformat()}
    if result is not None:
        made["result"] = result
    return made


def _ref(activity: dict) -> dict:
    return {"objectType": "Activity", "id": activity["id"]}


def score(percent: int) -> dict[str, Any]:
    return {"scaled": percent / 100, "raw": percent, "min": 0, "max": 100}
