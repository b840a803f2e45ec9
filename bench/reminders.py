"""`champion reminders send` for 5,000 learners against a real SMTP server.

Run: `.venv/bin/python bench/reminders.py [LEARNERS]`. It builds a fresh SQLite database
(and a PostgreSQL schema, when 127.0.0.1:5432 answers) with one department of LEARNERS
members, the fixture curriculum and two assignments due within the week, starts aiosmtpd
in its own process (a sink that accepts every message), and times one run of
send_reminders + send_digests: every learner gets one email with two calendar files.
A second run must send nothing. It prints the time, the number of SQL statements, and
the load average before and after (the machine is shared: report it beside the number).
Results are appended to bench/reminders-results.md. Timings live here, never in tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import postgres_answers, postgres_schema  # noqa: E402
from champion import create_app  # noqa: E402
from champion.assignments.operations import create_assignment, resolve_target  # noqa: E402
from champion.auth.models import User  # noqa: E402
from champion.catalog.sync import sync_content  # noqa: E402
from champion.content import load_content  # noqa: E402
from champion.database import utcnow  # noqa: E402
from champion.departments.models import (  # noqa: E402
    Department,
    department_leads,
    department_members,
)
from champion.extensions import db  # noqa: E402
from champion.reminders.operations import send_digests, send_reminders  # noqa: E402

CONTENT = ROOT / "tests" / "fixtures" / "content"
TARGET_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("aiosmtpd did not start")


def seed(learners: int) -> None:
    now = utcnow()
    department = Department(slug="bench", name="Bench Department")
    lead = User(email="lead@bench.example", name="Bench Lead", role="lead")
    db.session.add_all([department, lead])
    db.session.flush()
    db.session.execute(insert(department_leads).values(department_id=department.id,
                                                       user_id=lead.id))
    db.session.execute(insert(User), [
        {"email": f"learner{i}@bench.example", "name": f"Learner {i:05d}", "role": "learner",
         "active": True, "created_at": now} for i in range(learners)])
    ids = list(db.session.scalars(select(User.id).where(User.role == "learner")))
    db.session.execute(insert(department_members), [
        {"department_id": department.id, "user_id": uid, "joined_at": now} for uid in ids])
    today = now.date()
    create_assignment(department, lead, resolve_target("series", "basics", []),
                      due_on=today + timedelta(days=3))
    create_assignment(department, lead, resolve_target("modules", None, ["extras/figure"]),
                      due_on=today + timedelta(days=5))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def measure(url: str, learners: int, port: int) -> dict[str, object]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "CHAMPION_BASE_URL": "https://champion.example.org",
                      "CHAMPION_SMTP_HOST": "127.0.0.1", "CHAMPION_SMTP_PORT": port})
    with app.app_context():
        upgrade()
        sync_content(load_content(CONTENT))
        db.session.commit()
        seed(learners)
        statements = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda *args: statements.append(args[2]))
        load_before = os.getloadavg()
        start = time.perf_counter()
        reminders = send_reminders()
        digests = send_digests()
        seconds = time.perf_counter() - start
        load_after = os.getloadavg()
        again = send_reminders()
        db.engine.dispose()
    assert reminders.sent == learners and reminders.failed == 0, reminders
    assert again.sent == 0
    return {"seconds": seconds, "sent": reminders.sent + digests.sent,
            "statements": len(statements), "load_before": load_before,
            "load_after": load_after}


def main() -> None:
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    port = free_port()
    server = start_smtp(port)
    results = {}
    try:
        with tempfile.TemporaryDirectory() as work:
            results["sqlite"] = measure(f"sqlite:///{Path(work) / 'reminders.db'}",
                                        learners, port)
        if postgres_answers():
            url, drop = postgres_schema("champion_bench_reminders")
            try:
                results["postgresql"] = measure(url, learners, port)
            finally:
                drop()
    finally:
        server.terminate()
        server.wait()
    lines = []
    for database, r in results.items():
        load = ", ".join(f"{x:.2f}" for x in r["load_before"])
        lines.append(
            f"| reminders send, {learners:,} learners, {database} | {r['seconds']:.1f} s, "
            f"{r['sent']} emails, {r['statements']} SQL statements | load average before: "
            f"{load} | < {TARGET_SECONDS} s |")
    print("\n".join(lines))
    with (ROOT / "bench" / "reminders-results.md").open("a") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
