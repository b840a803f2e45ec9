"""Validate a hosted Open Badges 2.0 assertion with 1EdTech's own validator, offline.

Run with the validator's own virtual environment (see requirements.txt beside this file),
never with the app's::

    .venv-openbadges/bin/python tests/openbadges/validate.py \\
        http://127.0.0.1:5000/badges/assertions/<uid>.json [--recipient-email a@b.org]

The validator (PyPI ``openbadges``, openbadges-validator-core) fetches every JSON-LD
context it meets over HTTP, and this machine reaches no host but the package registries.
So all HTTP goes through ``responses``:

- ``https://w3id.org/openbadges/v2`` (and its http / trailing-slash spellings) is served
  from the copy of the context that the validator itself ships
  (``openbadges.verifier.openbadges_context.OPENBADGES_CONTEXT_V2_DICT``);
- every request to 127.0.0.1, localhost or [::1] passes through to the real, running app;
- anything else is refused, and shows up in the report as the validator's own error.

Prints one JSON document: the validator's result (``report``, ``graph``, ``input``) plus
``http`` (every request the validator made, with its status) and ``hostedRevocation``.
The validator (1.1.2) never looks at a hosted assertion's ``revoked`` property nor at an
HTTP 410, so this script reads what the validator fetched and reports it beside it.

Exit status: 0 only if the report is valid with no errors and the assertion is not revoked;
1 if the validator reports it invalid; 2 if the validator says valid but the assertion is
revoked (410 Gone or ``"revoked": true``); 3 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

import requests
import responses
from openbadges import verify
from openbadges.verifier.openbadges_context import (
    OPENBADGES_CONTEXT_V2_DICT,
    OPENBADGES_CONTEXT_V2_URI,
)
from openbadges.verifier.utils import CachableDocumentLoader
from pyld import jsonld

LOCAL = re.compile(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)")
W3ID = re.compile(r"^https?://w3id\.org/")
# The spellings of the v2 context URL that resolve to the same document.
V2_CONTEXT = re.compile(r"^https?://w3id\.org/openbadges/v2/?(\.json(ld)?|/context\.json)?$")


def serve_context(request: requests.PreparedRequest):
    if V2_CONTEXT.match(request.url):
        body = json.dumps(OPENBADGES_CONTEXT_V2_DICT)
        return 200, {"Content-Type": "application/ld+json"}, body
    # Only the v2 context is bundled; say so plainly rather than invent one.
    message = {"error": f"no offline copy of {request.url}; only {OPENBADGES_CONTEXT_V2_URI}"}
    return 404, {"Content-Type": "application/json"}, json.dumps(message)


def offline_http() -> responses.RequestsMock:
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    for method in (responses.GET, responses.HEAD):
        mock.add_callback(method, W3ID, callback=serve_context)
        # A passthrough match (not only a prefix) so that these calls are recorded too.
        mock.add(responses.PassthroughResponse(method, LOCAL))
    mock.add_passthru(LOCAL)  # any other method to the app
    return mock


def hosted_revocation(url: str, calls) -> dict:
    """What the app answered for the assertion itself: HTTP status and ``revoked``."""
    answer = next((c.response for c in calls if c.request.url == url), None)
    if not isinstance(answer, requests.Response):
        return {"fetched": False, "revoked": None}
    result = {"fetched": True, "status": answer.status_code, "revoked": answer.status_code == 410}
    try:
        body = answer.json()
    except ValueError:
        return result
    if isinstance(body, dict):
        if body.get("revoked") is True:
            result["revoked"] = True
        if "revocationReason" in body:
            result["revocationReason"] = body["revocationReason"]
    return result


def validate(url: str, recipient_email: str | None = None) -> tuple[dict, int]:
    # Without a cache, so that every run sees the app as it is now; the same checks run.
    options = {"use_cache": False, "cache_backend": None}
    # One code path (extensions) expands with pyld's urllib loader; send it through requests.
    jsonld.set_document_loader(CachableDocumentLoader(use_cache=False))
    profile = {"email": recipient_email} if recipient_email else None
    with offline_http() as mock:
        result = verify(url, recipient_profile=profile, **options)
        calls = list(mock.calls)
    result["http"] = [
        {
            "method": c.request.method,
            "url": c.request.url,
            "status": c.response.status_code
            if isinstance(c.response, requests.Response)
            else repr(c.response),
        }
        for c in calls
    ]
    result["hostedRevocation"] = hosted_revocation(url, calls)
    report = result["report"]
    if not (report.get("valid") and report.get("errorCount") == 0):
        return result, 1
    if result["hostedRevocation"]["revoked"]:
        return result, 2
    return result, 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the hosted assertion's URL, on 127.0.0.1 or localhost")
    parser.add_argument(
        "--recipient-email",
        help="also check that the assertion's hashed recipient is this address",
    )
    args = parser.parse_args(argv)
    if not LOCAL.match(args.url):
        parser.print_usage(sys.stderr)
        print("error: the assertion URL must be on 127.0.0.1 or localhost", file=sys.stderr)
        return 3
    result, status = validate(args.url, args.recipient_email)
    json.dump(result, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
