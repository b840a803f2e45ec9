"""Measurements under gunicorn, driven by wrk (bench/run.py calls these).

- page throughput (catalog, module page) for a signed-in learner, as a ratio to a ceiling:
  bench/ceiling.py returning the same bytes under the same gunicorn settings;
- quiz submissions from 32 learners at once: throughput, p50 and p95;
- resident memory of each worker with the whole curriculum served once.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

from load import (
    CSRF,
    HOST,
    PASSWORD,
    children,
    free_port,
    learner_email,
    prepare,
    start_gunicorn,
    stop_gunicorn,
)

from champion.content import load_content

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2  # one per core on this machine
WRK_SECONDS = 6


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


class Client:
    """A learner's browser: keeps the session cookie over plain HTTP."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie = port, ""

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, text

    def sign_in(self, email: str) -> None:
        _, page = self.request("GET", "/auth/login")
        token = next(g for g in CSRF.search(page).groups() if g)
        status, _ = self.request("POST", "/auth/login",
                                 {"csrf_token": token, "email": email, "password": PASSWORD})
        assert status == 302, f"sign-in failed for {email}"


def wrk(port: int, path: str, connections: int, headers: dict[str, str] | None = None,
        script: Path | None = None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{WRK_SECONDS}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(f"http://{HOST}:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    numbers = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])}
    for name, pattern in (("p50", r"50%\s+([\d.]+)(us|ms|s)"), ("p95", r"p95\s+([\d.]+)(us|ms|s)")):
        match = re.search(pattern, output)
        if match:
            scale = {"us": 0.001, "ms": 1, "s": 1000}[match[2]]
            numbers[name] = float(match[1]) * scale
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    numbers["errors"] = int(errors[1]) if errors else 0
    return numbers


P95_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p95 %.3fms\\n", latency:percentile(95) / 1000))
end
"""


def worker_memory_mb(master_pid: int) -> float:
    sizes = []
    for pid in children(master_pid):
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024)
    return max(sizes) if sizes else 0.0


def pages_and_memory(work: Path) -> dict[str, float]:
    """Catalog and module page against the ceiling, on SQLite; then worker memory."""
    url = f"sqlite:///{work / 'pages.db'}"
    prepare(url, learners=1)
    port = free_port()
    server = start_gunicorn(url, port, WORKERS, work / "pages.log")
    results: dict[str, float] = {}
    ceiling_dir = work / "ceiling"
    ceiling_dir.mkdir()
    try:
        client = Client(port)
        client.sign_in(learner_email(0))
        content = load_content(ROOT / "modules")
        module = next(m for m in content.modules if m.slug == "cancer-pain-essentials")
        # /healthz (one trivial query, no page) is the app's floor: what any request costs
        # it before a view does anything.
        pages = {"catalog": "/", "module": f"/modules/{module.series}/{module.slug}",
                 "healthz": "/healthz"}
        for name, path in pages.items():
            _, body = client.request("GET", path)
            (ceiling_dir / f"{name}.html").write_text(body)
        for name, path in pages.items():
            results[f"{name}_rps"] = wrk(port, path, 8, {"Cookie": client.cookie})["rps"]
        for other in content.modules:  # the whole curriculum, once, before measuring memory
            for suffix in ("", "/slides", "/quiz"):
                client.request("GET", f"/modules/{other.series}/{other.slug}{suffix}")
        results["worker_mb"] = worker_memory_mb(server.pid)
    finally:
        stop_gunicorn(server)
    ceiling_port = free_port()
    ceiling = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--chdir", str(ROOT / "bench"), "--workers",
         str(WORKERS), "--worker-class", "sync", "--bind", f"{HOST}:{ceiling_port}",
         "ceiling:app"],
        env={"CEILING_DIR": str(ceiling_dir), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(2)
        for name in pages:
            results[f"{name}_ceiling_rps"] = wrk(ceiling_port, f"/{name}", 8)["rps"]
            results[f"{name}_ratio"] = results[f"{name}_rps"] / results[f"{name}_ceiling_rps"]
    finally:
        stop_gunicorn(ceiling)
    return results


def drawn_attempts(url: str, series: str, slug: str, learners: int, each: int) -> list[list[int]]:
    """``each`` open attempts per learner at the module's quiz, drawn ahead (the questions
    in the order written, so the key is the form's answer): the ids, by learner. wrk replays
    fixed requests, and every submission needs an attempt of its own, so they are made here
    the way the quiz page makes one, in one batch."""
    from sqlalchemy import insert, select

    from champion import create_app
    from champion.auth.models import User
    from champion.catalog.models import Module, Series
    from champion.extensions import db
    from champion.quizzes.models import QuizDraw

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        module = db.session.scalar(select(Module).join(Series).where(
            Series.slug == series, Module.slug == slug))
        version = module.current_version
        drawn = version.policy.drawn(version.question_count)
        questions = list(range(drawn))
        orders = [list(range(len(q["choices"]))) for q in version.quiz["questions"][:drawn]]
        users = [db.session.scalar(select(User.id).where(User.email == learner_email(i)))
                 for i in range(learners)]
        db.session.execute(insert(QuizDraw), [
            {"user_id": user, "module_id": module.id, "module_version_id": version.id,
             "questions": questions, "choice_orders": orders}
            for user in users for _ in range(each)])
        db.session.commit()
        ids = [list(db.session.scalars(select(QuizDraw.id).where(QuizDraw.user_id == user)
                                       .order_by(QuizDraw.id))) for user in users]
        db.engine.dispose()
    return ids


def quiz_submissions(url: str, work: Path, learners: int = 32) -> dict[str, float]:
    """32 learners submitting the same quiz at once, each with their own session; every
    request a new attempt (its own draw), graded, recorded and completing the module."""
    prepare(url, learners=learners)
    content = load_content(ROOT / "modules")
    module = next(m for m in content.modules if m.slug == "cancer-pain-essentials")
    draws = drawn_attempts(url, module.series, module.slug, learners, each=200)
    port = free_port()
    server = start_gunicorn(url, port, WORKERS, work / f"quiz-{learners}.log")
    try:
        path = f"/modules/{module.series}/{module.slug}/quiz"
        drawn = module.policy.drawn(len(module.questions))
        answers = {f"q{n}": [f"q{n}-c{i + 1}" for i in sorted(q.correct_indexes)]
                   for n, q in enumerate(module.questions[:drawn], start=1)}
        entries = []
        for index in range(learners):
            client = Client(port)
            client.sign_in(learner_email(index))
            _, page = client.request("GET", path)
            token = next(g for g in CSRF.search(page).groups() if g)
            bodies = ",".join(
                '"' + urllib.parse.urlencode({"csrf_token": token, "draw": draw, **answers},
                                             doseq=True) + '"'
                for draw in draws[index])
            entries.append(f'{{cookie="{client.cookie}", bodies={{{bodies}}}, next=0}}')
        script = work / "submit.lua"
        # wrk's two threads each run this script: each takes every other draw (``offset``,
        # set per thread by ``setup``), so no draw is posted twice.
        script.write_text(
            "local learners = {" + ",\n".join(entries) + "}\nlocal i = 0\n"
            "local threads = 0\nsetup = function(thread)\n  thread:set('offset', threads)\n"
            "  threads = threads + 1\nend\n"
            "request = function()\n  i = i % #learners + 1\n  local l = learners[i]\n"
            "  if l.next == 0 then l.next = offset - 1 end\n  l.next = l.next + 2\n"
            "  if l.next > #l.bodies then l.next = offset + 1 end\n"
            '  return wrk.format("POST", "' + path + '", {["Cookie"] = l.cookie, '
            '["Content-Type"] = "application/x-www-form-urlencoded"}, l.bodies[l.next])\nend\n'
            + P95_SCRIPT)
        return wrk(port, path, learners, script=script)
    finally:
        stop_gunicorn(server)


def run_all(postgres: tuple[str, callable] | None) -> dict[str, dict[str, float]]:
    work = Path(tempfile.mkdtemp(prefix="champion-serve-"))
    try:
        results = {"pages": pages_and_memory(work),
                   "quiz_sqlite": quiz_submissions(f"sqlite:///{work / 'quiz.db'}", work)}
        if postgres is not None:
            url, drop = postgres
            try:
                results["quiz_postgresql"] = quiz_submissions(url, work)
            finally:
                drop()
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)
