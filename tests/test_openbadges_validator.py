"""An assertion the app issues passes 1EdTech's own Open Badges 2.0 validator.

The validator (PyPI ``openbadges``) pins old packages, so it lives in its own venv,
``.venv-openbadges`` (``make test`` builds it from tests/openbadges/requirements.txt),
and runs as a subprocess: tests/openbadges/validate.py, which serves the JSON-LD context
offline and lets every request to 127.0.0.1 through to the app served here.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.database import utcnow
from champion.extensions import db
from tests.helpers import complete_module

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR_PYTHON = ROOT / ".venv-openbadges" / "bin" / "python"
VALIDATE = ROOT / "tests" / "openbadges" / "validate.py"

pytestmark = pytest.mark.skipif(
    not VALIDATOR_PYTHON.exists(),
    reason=f"the Open Badges validator's venv is missing ({VALIDATOR_PYTHON}): "
    "run `make .venv-openbadges/.installed` (`make test` does)",
)


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app on a free 127.0.0.1 port, its CHAMPION_BASE_URL pointing there."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    previous = app.config.get("CHAMPION_BASE_URL")
    app.config["CHAMPION_BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="openbadges-app", daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.config["CHAMPION_BASE_URL"] = previous


def validate(url: str, email: str) -> tuple[int, dict]:
    done = subprocess.run(
        [str(VALIDATOR_PYTHON), str(VALIDATE), url, "--recipient-email", email],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode != 3 and done.stdout, done.stderr
    try:
        result = json.loads(done.stdout)
    except ValueError:
        pytest.fail(f"validate.py printed no JSON:\n{done.stdout}\n{done.stderr}")
    return done.returncode, result


def messages(result: dict) -> str:
    lines = [
        f"{m.get('messageLevel')} {m.get('name')}: {m.get('result')}"
        for m in result["report"]["messages"]
    ]
    fetched = [f"{c['status']} {c['method']} {c['url']}" for c in result["http"]]
    return "\n".join(["validator messages:", *lines, "HTTP:", *fetched])


def earn_the_badge(learner: User) -> BadgeAward:
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(learner, "basics", slug)
    award = db.session.scalar(select(BadgeAward).where(BadgeAward.user_id == learner.id))
    assert award is not None, "completing the basics series should award its badge"
    return award


def test_an_issued_assertion_passes_the_1edtech_validator_until_revoked(
    served: str, synced, learner: User
):
    award = earn_the_badge(learner)
    url = f"{served}/badges/assertions/{award.uid}.json"

    status, result = validate(url, learner.email)
    report = result["report"]
    assert status == 0, messages(result)
    assert report["valid"] is True and report["errorCount"] == 0, messages(result)
    assert report["openBadgesVersion"] == "2.0"
    assert report["validationSubject"] == url
    # The hashed recipient matched the learner's address, salt and all.
    assert report["recipientProfile"] == {"email": learner.email}
    assert result["hostedRevocation"] == {"fetched": True, "status": 200, "revoked": False}
    # The validator followed the assertion to the badge class, its image and the issuer.
    fetched = {c["url"] for c in result["http"] if c["status"] == 200}
    assert {url, f"{served}/issuer.json", f"{served}/badges/{award.badge.slug}.json"} <= fetched

    award.revoked_at = utcnow()
    award.revocation_reason = "Awarded in error."
    db.session.commit()

    status, result = validate(url, learner.email)
    assert status != 0, messages(result)
    revocation = result["hostedRevocation"]
    assert revocation["revoked"] is True, (revocation, messages(result))
    assert revocation.get("revocationReason") == "Awarded in error."
    if status == 1:  # a 410 body of only id/revoked is not a valid Assertion to the validator
        assert result["report"]["valid"] is False
