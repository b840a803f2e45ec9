"""Benchmarks: run with `make bench`. Prints a table and writes bench/results.md.

Measured here, in one run on this machine:
- `champion modules sync` of 200 generated modules, cold and then unchanged;
- catalog and module page throughput for a signed-in learner under gunicorn (wrk), as a
  ratio to a ceiling: a bare Flask app returning the same bytes under the same gunicorn
  settings (bench/server.py, bench/ceiling.py);
- quiz submissions from 32 learners at once on SQLite and PostgreSQL: throughput, p50, p95;
- resident memory per gunicorn worker after serving the whole curriculum;
- the lead dashboard's server time for 500 and 5,000 learners over 25 modules, on SQLite
  and (when it answers on 127.0.0.1:5432) PostgreSQL, in a schema of its own.

Timings live here, never in tests.
"""

from __future__ import annotations

import gc
import os
import platform
import random
import shutil
import socket
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, select, text

from champion import create_app
from champion.auth.models import User
from champion.catalog.models import Module
from champion.catalog.sync import sync_content
from champion.content import load_content
from champion.database import utcnow
from champion.departments.models import (
    Department,
    department_leads,
    department_members,
)
from champion.extensions import db
from champion.progress.models import ModuleProgress

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark password"


def generate_modules(target: Path, count: int) -> None:
    """``count`` modules spread over series, made from the real curriculum's text."""
    sources = sorted((ROOT / "modules").glob("part-*/0*.md"))
    sources = [s for s in sources if not s.name.endswith(".case.md")]
    per_series = 20
    for index in range(count):
        series = target / f"series-{index // per_series:02d}"
        if not series.exists():
            series.mkdir(parents=True)
            (series / "index.md").write_text(f"---\ntitle: Series {index // per_series}\n---\n")
        text = sources[index % len(sources)].read_text()
        (series / f"{index % per_series + 1:02d}-module-{index:03d}.md").write_text(
            f"{text}\n1. Generated copy {index}.\n"  # every file distinct
        )


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_sync(work: Path) -> dict[str, float]:
    content_dir = work / "generated"
    generate_modules(content_dir, 200)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 's.db'}"})
    results = {}
    with app.app_context():
        upgrade()

        def run():
            content = load_content(content_dir)
            assert not content.errors
            sync_content(content)
            db.session.commit()

        results["sync_cold_s"] = timed(run)
        results["sync_unchanged_s"] = timed(run)
        db.engine.dispose()
    return results


POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
        return True
    except OSError:
        return False


def seed_department(learners: int, modules: list[int]) -> None:
    """``learners`` members with realistic spread: a fifth not started, the rest partway."""
    rng = random.Random(learners)
    now = utcnow()
    department = Department(slug="bench", name="Bench Department")
    db.session.add(department)
    lead = User(email="lead@bench.example", name="Bench Lead", role="lead")
    lead.set_password(PASSWORD, method="pbkdf2:sha256:1")
    db.session.add(lead)
    db.session.flush()
    db.session.execute(insert(department_leads).values(department_id=department.id,
                                                       user_id=lead.id))
    db.session.execute(insert(User), [
        {"email": f"learner{i}@bench.example", "name": f"Learner {i:05d}", "role": "learner",
         "active": True, "created_at": now} for i in range(learners)])
    ids = list(db.session.scalars(select(User.id).where(User.role == "learner")))
    db.session.execute(insert(department_members), [
        {"department_id": department.id, "user_id": uid, "joined_at": now} for uid in ids])
    rows = []
    for uid in ids:
        if rng.random() < 0.2:
            continue
        for module_id in rng.sample(modules, rng.randint(1, len(modules))):
            done = rng.random() < 0.7
            when = now - timedelta(days=rng.randint(0, 180))
            rows.append({"user_id": uid, "module_id": module_id, "started_at": when,
                         "last_activity_at": when, "attempt_count": 1,
                         "best_score": rng.choice([60, 80, 100]),
                         "completed_at": when if done else None,
                         "completed_via": "quiz" if done else None})
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(ModuleProgress), rows[start:start + 20_000])
    db.session.commit()
    # A live database has planner statistics (autovacuum); a bulk load has none yet.
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def bench_dashboard(url: str, learners: int, work: Path) -> float:
    """Median server time, in ms, of the dashboard's first page (signed in as the lead)."""
    content_dir = work / f"dash-{learners}"
    generate_modules(content_dir, 25)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        sync_content(load_content(content_dir))
        db.session.commit()
        seed_department(learners, list(db.session.scalars(select(Module.id))))
    gc.collect()
    gc.freeze()  # as wsgi.py does in production
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/auth/login", data={"csrf_token": token, "email": "lead@bench.example",
                                     "password": PASSWORD})
    times = []
    for _ in range(12):
        start = time.perf_counter()
        response = client.get("/team/bench/")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with app.app_context():
        db.engine.dispose()
    gc.unfreeze()
    return statistics.median(times[2:]) * 1000


def postgres_schema(name: str):
    """A throwaway schema in the PostgreSQL test database, and its URL."""
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {name}"))

    def drop():
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        admin.dispose()

    return f"{POSTGRES}?options=-csearch_path%3D{name}", drop


def bench_dashboards(work: Path) -> dict[str, float | None]:
    results: dict[str, float | None] = {}
    for learners in (500, 5000):
        results[f"sqlite_{learners}"] = bench_dashboard(
            f"sqlite:///{work / f'dash-{learners}.db'}", learners, work)
        if postgres_answers():
            url, drop = postgres_schema(f"champion_bench_{learners}")
            try:
                results[f"postgresql_{learners}"] = bench_dashboard(url, learners, work)
            finally:
                drop()
        else:
            results[f"postgresql_{learners}"] = None
    return results


def main() -> None:
    import server

    work = Path(tempfile.mkdtemp(prefix="champion-bench-"))
    try:
        sync = bench_sync(work)
        dashboards = bench_dashboards(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    served = None
    if server.wrk_available():
        served = server.run_all(postgres_schema("champion_bench_quiz")
                                if postgres_answers() else None)
    rows = [
        ("sync 200 modules, cold", f"{sync['sync_cold_s']:.2f} s", "< 2 s"),
        ("sync 200 modules, unchanged", f"{sync['sync_unchanged_s']:.3f} s", "< 0.3 s"),
    ]
    if served is None:
        rows.append(("pages, quiz submissions, memory (gunicorn)", "not run: install wrk", ""))
    else:
        pages = served["pages"]
        for name, label, target in (
                ("catalog", "catalog page, signed in", "≥ 0.5"),
                ("module", "module page, signed in", "≥ 0.6"),
                ("healthz", "for comparison: /healthz (one query, no page)", "")):
            rows.append((f"{label}, gunicorn {server.WORKERS} workers",
                         f"{pages[name + '_rps']:.0f} req/s = {pages[name + '_ratio']:.2f} of "
                         f"the ceiling ({pages[name + '_ceiling_rps']:.0f} req/s)", target))
        for engine in ("sqlite", "postgresql"):
            quiz = served.get(f"quiz_{engine}")
            rows.append((f"quiz submissions, 32 learners at once, {engine}",
                         "not run: no server" if quiz is None else
                         f"{quiz['rps']:.0f}/s, p50 {quiz.get('p50', 0):.0f} ms, "
                         f"p95 {quiz.get('p95', 0):.0f} ms, {quiz['errors']:.0f} errors",
                         "p95 < 50 ms" if engine == "postgresql" else ""))
        rows.append(("resident memory per worker, whole curriculum served",
                     f"{pages['worker_mb']:.0f} MB", "< 150 MB"))
    for engine in ("sqlite", "postgresql"):
        for learners in (500, 5000):
            value = dashboards[f"{engine}_{learners}"]
            rows.append((f"lead dashboard, {learners:,} learners x 25 modules, {engine}",
                         "not run: no server" if value is None else f"{value:.0f} ms",
                         "< 150 ms" if (engine, learners) == ("postgresql", 5000) else ""))
    machine = (f"{platform.node()} · {os.cpu_count()} cores · "
               f"{platform.processor() or platform.machine()} · Python {platform.python_version()}")
    lines = ["| measure | result | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    table = "\n".join(lines)
    print(table)
    print(f"\nmachine: {machine}")
    (ROOT / "bench" / "results.md").write_text(
        f"# Benchmark results\n\n{table}\n\nMachine: {machine}. One run of `make bench`; "
        "the load generator (wrk) shares the machine's cores with the server.\n"
    )


if __name__ == "__main__":
    main()
