"""`champion xapi deliver` into Ralph, a real LRS the tests start on 127.0.0.1, across an outage.

Ralph runs from .venv-ralph (`make .venv-ralph/.installed`) with its file-system backend and
one basic-auth user; the tests read back what it stored through its GET /statements.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from champion.database import utcnow
from champion.extensions import db
from champion.xapi.delivery import Lrs, deliver_batch
from champion.xapi.models import XapiStatement
from tests.helpers import PASS_FIRST, PASS_SECOND, make_user, mark_complete, submit
from tests.helpers import client_for as signed_in

ROOT = Path(__file__).resolve().parent.parent
RALPH_PYTHON = ROOT / ".venv-ralph" / "bin" / "python"
RALPH_CLI = ROOT / ".venv-ralph" / "bin" / "ralph"
USER, PASSWORD = "champion", "lrs-secret"

if not RALPH_CLI.exists():
    pytest.skip("Ralph is not installed: make .venv-ralph/.installed", allow_module_level=True)


class Ralph:
    """Ralph's LRS on a fixed port, stopped and started again on it (an outage)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}/xAPI/"
        self.env = {**os.environ, "RALPH_APP_DIR": str(folder / "app"),
                    "RALPH_AUTH_FILE": str(folder / "auth.json"),
                    "RALPH_RUNSERVER_BACKEND": "fs",
                    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data")}
        self.log = folder / "ralph.log"
        self.process: subprocess.Popen | None = None
        subprocess.run([str(RALPH_CLI), "auth", "-u", USER, "-p", PASSWORD, "-s", "all",
                        "-M", "mailto:champion-lrs@example.org", "-w"],
                       env=self.env, check=True, capture_output=True)

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [str(RALPH_PYTHON), str(ROOT / "tests" / "ralph" / "serve.py"), "127.0.0.1",
                 str(self.port)], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__",
                                            timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Ralph did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def statements(self) -> list[dict]:
        """Every statement Ralph stored, page after page."""
        token = b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        found, url = [], f"{self.endpoint}statements?limit=100"
        while url:
            request = urllib.request.Request(url, headers={
                "Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"})
            with urllib.request.urlopen(request, timeout=10) as answer:
                page = json.load(answer)
            found += page["statements"]
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def ralph(app, tmp_path) -> Iterator[Ralph]:
    lrs = Ralph(tmp_path / "ralph", free_port())
    lrs.start()
    app.config.update(CHAMPION_XAPI_ENDPOINT=lrs.endpoint, CHAMPION_XAPI_USERNAME=USER,
                      CHAMPION_XAPI_PASSWORD=PASSWORD)
    yield lrs
    lrs.stop()
    app.config.update(CHAMPION_XAPI_ENDPOINT=None, CHAMPION_XAPI_USERNAME=None,
                      CHAMPION_XAPI_PASSWORD=None)


def lrs_of(ralph: Ralph) -> Lrs:
    return Lrs(ralph.endpoint, USER, PASSWORD)


def learners_take_the_basics(app, count: int, start: int = 0) -> None:
    """``count`` learners open, pass and complete the basics series (and earn its badge)."""
    for n in range(start, start + count):
        client = signed_in(app, make_user_for(n))
        client.get("/modules/basics/first-steps")
        submit(client, "basics", "first-steps", PASS_FIRST)
        submit(client, "basics", "second-steps", PASS_SECOND)
        client.get("/modules/basics/reading")
        mark_complete(client, "basics", "reading")


def make_user_for(n: int):
    from champion.auth.models import Role

    return make_user(Role.LEARNER, email=f"learner{n}@example.org")


def outbox_ids(delivered: bool | None = None) -> list[str]:
    query = select(XapiStatement.statement_id).order_by(XapiStatement.id)
    if delivered is not None:
        column = XapiStatement.delivered_at
        query = query.where(column.is_not(None) if delivered else column.is_(None))
    return list(db.session.scalars(query))


def test_every_statement_reaches_the_lrs_exactly_once_across_an_outage(app, ralph, synced,
                                                                     runner):
    learners_take_the_basics(app, 2)
    held = outbox_ids()
    assert len(held) == 22  # 11 statements for each learner's path to the badge

    # A first batch goes through.
    assert deliver_batch(lrs_of(ralph), 10).delivered == 10
    db.session.commit()

    # The LRS goes down in the middle of the delivery: the next batch waits, backing off.
    ralph.stop()
    result = runner.invoke(args=["xapi", "deliver", "--batch-size", "10"])
    assert result.exit_code == 1 and "can't be reached" in result.output
    assert "delivered 0 statement(s); 12 waiting" in result.output
    db.session.expire_all()
    waiting = db.session.scalars(select(XapiStatement).where(
        XapiStatement.delivered_at.is_(None), XapiStatement.attempts == 1)).all()
    assert len(waiting) == 10  # the batch it tried; the rest were never tried
    assert all(row.next_attempt_at > utcnow() for row in waiting)

    # Learners carry on meanwhile: their statements join the outbox.
    learners_take_the_basics(app, 1, start=2)
    assert len(outbox_ids()) == 33

    # The LRS had stored two statements whose answer never came back: they are sent again.
    first_two = outbox_ids()[:2]
    db.session.execute(update(XapiStatement).where(XapiStatement.statement_id.in_(first_two))
                       .values(delivered_at=None))
    db.session.commit()

    # Back up: nothing is due while the batch backs off, until an operator says so.
    ralph.start()
    result = runner.invoke(args=["xapi", "deliver", "--batch-size", "10", "--all"])
    assert result.exit_code == 0, result.output
    assert "delivered 25 statement(s); 0 waiting" in result.output

    stored = [s["id"] for s in ralph.statements()]
    assert sorted(stored) == sorted(outbox_ids())  # every one, exactly once


def test_a_statement_the_lrs_refuses_waits_without_holding_back_the_others(app, ralph, synced,
                                                                         runner):
    learners_take_the_basics(app, 1)
    bad = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id).offset(3)
                             .limit(1)).one()
    bad.statement = {k: v for k, v in bad.statement.items() if k != "actor"}  # no one did it
    db.session.commit()
    result = runner.invoke(args=["xapi", "deliver"])
    assert result.exit_code == 1
    assert f"error: {bad.statement_id}: HTTP 422" in result.output  # Ralph: unprocessable
    assert "delivered 10 statement(s); 1 waiting" in result.output
    assert sorted(s["id"] for s in ralph.statements()) == sorted(outbox_ids(delivered=True))
    db.session.expire_all()
    assert outbox_ids(delivered=False) == [bad.statement_id]
    assert "HTTP 422" in db.session.get(XapiStatement, bad.id).last_error


def test_the_lrs_checks_credentials(app, ralph, synced):
    learners_take_the_basics(app, 1)
    outcome = deliver_batch(Lrs(ralph.endpoint, USER, "wrong"), 50)
    db.session.commit()
    assert outcome.delivered == 0 and "HTTP 401" in outcome.unavailable
    assert ralph.statements() == []
    assert db.session.scalar(select(func.count()).select_from(XapiStatement)
                             .where(XapiStatement.delivered_at.is_(None))) == 11
