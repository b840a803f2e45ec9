"""Benchmarks: run with `make bench`. Prints a table and writes bench/results.md.

Measured here, in one run on this machine:
- `champion modules sync` of 200 generated modules, cold and then unchanged;
- catalog and module page throughput for a signed-in learner, in process, as a ratio to a
  ceiling: a bare Flask route returning the same bytes through the same app.

Timings live here, never in tests.
"""

from __future__ import annotations

import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Response  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from champion import create_app  # noqa: E402
from champion.auth.models import Role  # noqa: E402
from champion.auth.operations import create_user  # noqa: E402
from champion.catalog.sync import sync_content  # noqa: E402
from champion.content import load_content  # noqa: E402
from champion.extensions import db  # noqa: E402

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


def throughput(client, url: str, seconds: float = 2.0) -> float:
    for _ in range(20):  # warm up
        client.get(url)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        count += 1
    return count / (time.perf_counter() - start)


def bench_pages(work: Path) -> dict[str, float]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'p.db'}"})
    bodies: dict[str, bytes] = {}

    @app.get("/_ceiling/<name>")
    def ceiling(name: str):
        return Response(bodies[name], mimetype="text/html")

    with app.app_context():
        upgrade()
        sync_content(load_content(ROOT / "modules"))
        create_user("bench@example.org", "Bench Learner", PASSWORD, role=Role.LEARNER)
        db.session.commit()
    client = app.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/auth/login", data={"csrf_token": token, "email": "bench@example.org",
                                     "password": PASSWORD})
    results = {}
    for name, url in [("catalog", "/"), ("module", "/modules/part-1/cancer-pain-essentials")]:
        bodies[name] = client.get(url).data
        page = throughput(client, url)
        bare = throughput(client, f"/_ceiling/{name}")
        results[f"{name}_rps"] = page
        results[f"{name}_ceiling_rps"] = bare
        results[f"{name}_ratio"] = page / bare
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="champion-bench-"))
    try:
        sync = bench_sync(work)
        pages = bench_pages(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [
        ("sync 200 modules, cold", f"{sync['sync_cold_s']:.2f} s", "< 2 s"),
        ("sync 200 modules, unchanged", f"{sync['sync_unchanged_s']:.3f} s", "< 0.3 s"),
        ("catalog, signed in (in process)", f"{pages['catalog_rps']:.0f} req/s, "
         f"{pages['catalog_ratio']:.2f} of ceiling ({pages['catalog_ceiling_rps']:.0f})", "≥ 0.5"),
        ("module page, signed in (in process)", f"{pages['module_rps']:.0f} req/s, "
         f"{pages['module_ratio']:.2f} of ceiling ({pages['module_ceiling_rps']:.0f})", "≥ 0.6"),
    ]
    machine = f"{platform.node()} · {platform.processor() or platform.machine()} · " \
              f"Python {platform.python_version()}"
    lines = ["| measure | result | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    table = "\n".join(lines)
    print(table)
    print(f"\nmachine: {machine}")
    (ROOT / "bench" / "results.md").write_text(
        f"# Benchmark results\n\n{table}\n\nMachine: {machine}. "
        f"Median of one run; reproduce with `make bench`.\n"
    )


if __name__ == "__main__":
    main()
