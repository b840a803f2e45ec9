"""Load and fault test, run by hand (not part of `make test` or `make bench`).

    .venv/bin/python bench/load.py [--minutes 2] [--learners 200]
                                   [--database postgresql|sqlite]
                                   [--fault none|kill-worker|restart-postgres]
                                   [--knee] [--allow-busy]

It refuses to start when the machine is busy (more than 15 % of the CPU in use over 5 s),
and marks a result untrustworthy when other processes take more than 10 % of the CPU used
during the run: a benchmark beside other work measures that work. ``--knee`` doubles the
learners until p95 latency passes 200 ms, then bisects: the load the machine can carry.

What it does, in one run on this machine, with traffic only to 127.0.0.1:
- prepares a throwaway database (a schema of its own in the PostgreSQL test database, or a
  SQLite file in WAL mode), migrates it, syncs the real curriculum (`modules/`) and inserts
  N learner accounts with a cheap password hash;
- serves the app with `gunicorn wsgi:app` (production settings, sync workers) on a free port;
- simulates N learners, each a thread with its own cookies and a new connection per request
  (sync workers close every connection anyway): sign in, then loop over catalog -> module ->
  quiz -> submit (all correct from the answer key half of the time, random otherwise) ->
  the attempt page, thinking 0.5-2 s between steps;
- optionally injects a fault a third of the way in: SIGKILL one gunicorn worker, or stop
  PostgreSQL for a few seconds and start it again (always started again, whatever happens);
- stops gunicorn, checks that every submission acknowledged with a redirect to
  /quiz/attempts/<id> is in the database (for the right learner), prints a Markdown report
  and replaces this configuration's section of bench/load-results.md.

Uses only the standard library and the app's own dependencies (http.client and threads).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, insert, text
from sqlalchemy.pool import NullPool
from werkzeug.security import generate_password_hash

from champion import create_app
from champion.auth.models import User
from champion.catalog.sync import sync_content
from champion.content import load_content
from champion.database import utcnow
from champion.extensions import db

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import POSTGRES, postgres_answers  # bench/run.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "load-results.md"
PASSWORD = "load test password"
SCHEMA = "champion_load"
HOST = "127.0.0.1"
# A measurement is trusted only from a quiet machine: at most this share of all cores busy
# in the 5 s before a run, and other processes taking at most this share of the CPU used
# during it.
BUSY_BEFORE = 0.15
BUSY_DURING = 0.10
KNEE_P95 = 0.200  # seconds: --knee looks for the load at which p95 latency passes this
KNEE_MAX_LEARNERS = 6400

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
DRAW = re.compile(r'name="draw"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="draw"')
DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')
FIELDSET = re.compile(r"<fieldset class=\"question.*?</fieldset>", re.S)
PROMPT = re.compile(r'<div class="prose question-prompt">(.*?)</div>', re.S)
CHOICE = re.compile(r'<input type="(radio|checkbox)" id="([^"]+)" name="(q\d+)" '
                    r'value="([^"]+)"[^>]*>\s*<label for="\2">(.*?)</label>', re.S)
TAG = re.compile(r"<[^>]+>")
TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
ATTEMPT = re.compile(r"/quiz/attempts/(\d+)$")


# --------------------------------------------------------------------------- the database


def postgres_url() -> tuple[str, callable]:
    """A throwaway schema in the PostgreSQL test database, its URL, and how to drop it.

    Like bench/run.py's ``postgres_schema``, but without a connection pool, so dropping
    still works after the server was restarted under it.
    """
    admin = create_engine(POSTGRES, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))

    return f"{POSTGRES}?options=-csearch_path%3D{SCHEMA}", drop


def prepare(url: str, learners: int) -> None:
    """Migrate, sync the real curriculum, insert the learners (one cheap hash for all)."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()  # = champion db upgrade
        content = load_content(ROOT / "modules")
        assert not content.errors, [str(p) for p in content.errors]
        sync_content(content)  # = champion modules sync modules
        db.session.commit()
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": learner_email(i), "name": f"Load Learner {i:04d}", "role": "learner",
             "active": True, "created_at": now, "password_hash": hashed,
             "email_verified_at": now}
            for i in range(learners)])
        db.session.commit()
        db.engine.dispose()


def learner_email(index: int) -> str:
    return f"learner{index:04d}@load.example"


# --------------------------------------------------------------------------- PostgreSQL control


def pg_cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))
    return versions[-1], "main"


def pg_ctl(action: str) -> subprocess.CompletedProcess:
    version, cluster = pg_cluster()
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action],
        capture_output=True, text=True, timeout=120)


def wait_for_postgres(seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            engine = create_engine(POSTGRES, poolclass=NullPool)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            time.sleep(0.2)
    return False


def ensure_postgres_running() -> None:
    """The team's tests need the server: start it if this run left it stopped."""
    if postgres_answers() and wait_for_postgres(10):
        return
    result = pg_ctl("start")
    if not wait_for_postgres(60):
        print(f"!! PostgreSQL did not come back: {result.stdout}{result.stderr}", file=sys.stderr)


# --------------------------------------------------------------------------- gunicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """PIDs whose parent is ``pid`` (gunicorn's workers, for its master)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def cpu_snapshot(master: int) -> dict[int, tuple[str, float]]:
    """Every process's CPU seconds so far, labelled server, postgres, driver or other."""
    import pwd

    try:
        postgres_uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        postgres_uid = -1
    snapshot = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            uid = os.stat(f"/proc/{pid}").st_uid
        except OSError:
            continue
        if pid == master or int(fields[1]) == master:
            label = "server"
        elif uid == postgres_uid:
            label = "postgres"
        elif pid == os.getpid():
            label = "driver"
        else:
            label = "other"
        snapshot[pid] = (label, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return snapshot


def cpu_split(before: dict, after: dict, busy: float) -> dict[str, float]:
    """CPU seconds used during the run by each label; ``other`` also holds exited processes."""
    used = Counter()
    for pid, (label, seconds) in after.items():
        start = before.get(pid, (label, 0.0))[1]
        used[label] += max(0.0, seconds - start)
    used["other"] = max(0.0, busy - used["server"] - used["postgres"] - used["driver"])
    return dict(used)


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def start_gunicorn(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CHAMPION_") and k not in {"TEST_DATABASE_URL", "FLASK_APP"}}
    env.update(
        CHAMPION_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        CHAMPION_DATABASE_URL=url,
        CHAMPION_BASE_URL=f"http://{HOST}:{port}",
        CHAMPION_MODULES_DIR=str(ROOT / "modules"),
        CHAMPION_ISSUER_KEY_FILE=str(log.parent / "issuer-ed25519.pem"),
        PYTHONUNBUFFERED="1",
    )
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--chdir", str(ROOT),
               "--workers", str(workers), "--worker-class", "sync", "--threads", "1",
               "--bind", f"{HOST}:{port}", "--timeout", "30", "--graceful-timeout", "10",
               "wsgi:app"]
    server = subprocess.Popen(command, env=env, stdout=log.open("wb"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer /healthz in 60 s:\n{log.read_text()[-3000:]}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


# --------------------------------------------------------------------------- the learners


@dataclass
class Record:
    start: float  # seconds since the run began
    end: float
    kind: str
    status: int  # 0: no HTTP response (connection refused, reset, timeout)
    ok: bool  # the status this step expects
    error: str = ""  # exception, or the page title of an unexpected response
    who: str = ""  # the learner's email


@dataclass
class Run:
    port: int
    t0: float
    wall0: float = field(default_factory=time.time)
    stop: threading.Event = field(default_factory=threading.Event)
    records: list[Record] = field(default_factory=list)
    health: list[Record] = field(default_factory=list)
    acknowledged: list[tuple[int, str]] = field(default_factory=list)  # (attempt id, email)
    events: list[tuple[float, str]] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.t0

    def event(self, message: str) -> None:
        self.events.append((self.now(), message))
        print(f"  [{self.now():6.1f} s] {message}", flush=True)


@dataclass
class QuizKey:
    """A module's answer key as a reader sees it: each question's prompt -> its correct
    choices, as text (the page shows questions and choices in an order of its own)."""

    series: str
    slug: str
    key: dict[str, frozenset[str]]


def plain(fragment: str) -> str:
    """Text of an HTML fragment, compared without its spacing (markup moves spaces)."""
    import html

    return "".join(html.unescape(TAG.sub(" ", fragment)).split())


class Learner(threading.Thread):
    def __init__(self, run: Run, index: int, modules: list[QuizKey], ramp: float) -> None:
        super().__init__(daemon=True)
        self.run_ = run
        self.email = learner_email(index)
        self.modules = modules
        self.rng = random.Random(index)
        self.ramp = ramp
        self.cookies: dict[str, str] = {}
        self.signed_in = False

    # One request on a new connection; returns (status, location, body) or None.
    def request(self, kind: str, method: str, path: str, expect: tuple[int, ...],
                form: list[tuple[str, str]] | None = None, json_body: dict | None = None,
                headers_extra: dict[str, str] | None = None):
        run = self.run_
        headers = {"Connection": "close", "User-Agent": "champion-load", **(headers_extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        start = run.now()
        connection = http.client.HTTPConnection(HOST, run.port, timeout=90)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            run.records.append(Record(start, run.now(), kind, 0, False, type(exc).__name__,
                                      self.email))
            return None
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            # Production marks cookies Secure; this client keeps them over plain HTTP.
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value and "max-age=0" not in cookie.lower() and "1970" not in cookie:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        ok = response.status in expect
        location = urlsplit(response.getheader("Location") or "").path
        note = ""
        if ok and kind == "quiz submission" and not ATTEMPT.search(location):
            ok, note = False, f"redirected to {location}"
        if not ok and not note:
            title = TITLE.search(data)
            note = " ".join(title[1].split()) if title else data[:80].replace("\n", " ")
        run.records.append(Record(start, run.now(), kind, response.status, ok, note, self.email))
        if not ok:
            if response.status in (301, 302, 303) and location.startswith("/auth/login"):
                self.signed_in = False
            return None
        return response.status, location, data

    def think(self) -> bool:
        """Pause like a person; False once the run is over."""
        return not self.run_.stop.wait(self.rng.uniform(0.5, 2.0))

    def sign_in(self) -> bool:
        self.cookies.clear()
        page = self.request("login page", "GET", "/auth/login", (200,))
        if page is None:
            return False
        token = CSRF.search(page[2])
        if not token:
            return False
        if not self.think():
            return False
        result = self.request("sign in", "POST", "/auth/login", (302,), [
            ("csrf_token", token[1] or token[2]), ("email", self.email), ("password", PASSWORD)])
        self.signed_in = result is not None and not result[1].startswith("/auth/")
        return self.signed_in

    def answers(self, quiz: QuizKey, page: str) -> list[tuple[str, str]]:
        """Answers to the questions on ``page``: all right half of the time (by the key's
        text), otherwise at random."""
        correct = self.rng.random() < 0.5
        form = []
        for block in FIELDSET.findall(page):
            prompt = PROMPT.search(block)
            choices = CHOICE.findall(block)
            if not (prompt and choices):
                continue
            key = quiz.key.get(plain(prompt[1]), frozenset())
            multiple = choices[0][0] == "checkbox"
            if correct:
                chosen = [c for c in choices if plain(c[4]) in key]
            elif multiple:  # select all that apply: any non-empty subset
                chosen = self.rng.sample(choices, self.rng.randint(1, len(choices)))
            else:
                chosen = [self.rng.choice(choices)]
            form += [(name, value) for _, _, name, value, _ in chosen]
        return form

    def cycle(self) -> None:
        if self.request("catalog", "GET", "/", (200,)) is None or not self.think():
            return
        quiz = self.rng.choice(self.modules)
        base = f"/modules/{quiz.series}/{quiz.slug}"
        module = self.request("module page", "GET", base, (200,))
        if module is None or not self.think():
            return
        # The reading view reports reaching its end (a required module completes only
        # when viewed and passed).
        header = DATA_CSRF.search(module[2])
        if header and self.request("activity", "POST", f"{base}/activity", (200,),
                                   json_body={"end": True, "seconds": 0},
                                   headers_extra={"X-CSRFToken": header[1]}) is None:
            return
        page = self.request("quiz page", "GET", f"{base}/quiz", (200,))
        if page is None:
            return
        token, drawn = CSRF.search(page[2]), DRAW.search(page[2])
        if not (token and drawn):
            self.run_.records.append(Record(self.run_.now(), self.run_.now(), "quiz page", 200,
                                            False, "no csrf_token or draw field", self.email))
            return
        if not self.think():
            return
        form = [("csrf_token", token[1] or token[2]), ("draw", drawn[1] or drawn[2])]
        result = self.request("quiz submission", "POST", f"{base}/quiz", (302,),
                              form + self.answers(quiz, page[2]))
        if result is None:
            return
        self.run_.acknowledged.append((int(ATTEMPT.search(result[1])[1]), self.email))
        self.request("attempt page", "GET", result[1], (200,))

    def run(self) -> None:
        if self.run_.stop.wait(self.rng.uniform(0, self.ramp)):
            return
        while not self.run_.stop.is_set():
            if not self.signed_in and not self.sign_in():
                self.think()
                continue
            self.cycle()
            self.think()


def monitor_health(run: Run) -> None:
    """/healthz twice a second, apart from the learners' numbers: when the app is up."""
    while not run.stop.wait(0.5):
        start = run.now()
        connection = http.client.HTTPConnection(HOST, run.port, timeout=30)
        try:
            connection.request("GET", "/healthz", headers={"Connection": "close"})
            status = connection.getresponse().status
            run.health.append(Record(start, run.now(), "healthz", status, status == 200))
        except (OSError, http.client.HTTPException) as exc:
            run.health.append(Record(start, run.now(), "healthz", 0, False, type(exc).__name__))
        finally:
            connection.close()


# --------------------------------------------------------------------------- faults


def kill_worker(run: Run, server: subprocess.Popen, workers: int) -> dict:
    before = sorted(children(server.pid))
    victim = random.choice(before)
    os.kill(victim, signal.SIGKILL)
    at = run.now()
    run.event(f"SIGKILL worker {victim} (workers were {before})")
    replaced = None
    while run.now() - at < 60:
        now = set(children(server.pid))
        if victim not in now and len(now) >= workers:
            replaced = run.now()
            run.event(f"worker replaced: workers now {sorted(now)}")
            break
        time.sleep(0.05)
    return {"fault_at": at, "victim": victim, "replaced_at": replaced}


def restart_postgres(run: Run, outage: float) -> dict:
    info: dict = {"fault_at": run.now()}
    run.event("pg_ctlcluster stop (fast)")
    try:
        result = pg_ctl("stop")
        info["down_at"] = run.now()
        run.event(f"PostgreSQL stopped (rc {result.returncode}); waiting {outage:.0f} s")
        time.sleep(outage)
    finally:
        info["start_at"] = run.now()
        result = pg_ctl("start")
        up = wait_for_postgres(60)
        info["up_at"] = run.now()
        run.event(f"PostgreSQL started (rc {result.returncode}), "
                  f"{'accepting connections' if up else 'NOT answering'}")
    return info


# --------------------------------------------------------------------------- the numbers


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def ms(value: float) -> str:
    return "–" if value != value else f"{value * 1000:,.0f}"


def failure_kind(record: Record) -> str:
    if record.status == 0:
        return f"{record.kind}: no response ({record.error})"
    return f"{record.kind}: {record.status} {record.error}".rstrip()


def summarize_log(log: Path) -> Counter:
    """The server's errors, one per logged incident: what kind, which exception, where.

    An incident is a log line with its traceback. "view" is Flask's "Exception on PATH";
    "gunicorn" is "Error handling request": the app's own error handling failed too, and
    the learner got gunicorn's bare 500 page. The place is the deepest frame in champion/.
    """
    found: Counter = Counter()
    header = re.compile(r"^\[[^\]]+\] (?:\[\d+\] \[(\w+)\] |(\w+) in (\w+): )(.*)$")
    exception = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)\w*)\b")
    frame = re.compile(r'File ".*?/(champion/[^"]+)", line (\d+), in (\w+)')
    incident: dict | None = None

    def close() -> None:
        if incident is None:
            return
        where = f" at {incident['frame']}" if incident["frame"] else ""
        what = f" {incident['exception']}" if incident["exception"] else ""
        found[f"{incident['label']}:{what}{where}"] += 1

    for line in log.read_text(errors="replace").splitlines():
        match = header.match(line)
        if match:
            close()
            incident = None
            level = match[1] or match[2]
            message = match[4]
            if level not in {"ERROR", "WARNING", "CRITICAL"}:
                continue
            if message.startswith("Exception on "):
                label = "view " + message.rsplit(" ", 1)[-1]  # [GET] / [POST]
            elif message.startswith("Error handling request"):
                label = "gunicorn bare 500 " + message.split()[3]
            else:
                label = re.sub(r"\d+", "N", f"{match[3] or level}: {message}")[:90]
            incident = {"label": label, "exception": "", "frame": ""}
            continue
        if incident is None:
            continue
        if (m := exception.match(line)) is not None:
            incident["exception"] = m[1].rsplit(".", 1)[-1]
        elif (m := frame.search(line)) is not None:
            incident["frame"] = f"{m[1]}:{m[2]} {m[3]}"
    close()
    return found


def analyse(run: Run, seconds: float, fault: str, fault_info: dict) -> dict:
    records = run.records
    responses = [r for r in records if r.status]
    latency = [r.end - r.start for r in responses]
    submits = [r.end - r.start for r in responses if r.kind == "quiz submission"]
    server_errors = Counter(failure_kind(r) for r in records if r.status >= 500)
    no_response = Counter(failure_kind(r) for r in records if r.status == 0)
    unexpected = Counter(failure_kind(r) for r in records
                         if not r.ok and 0 < r.status < 500)
    kinds = []
    for kind in ("login page", "sign in", "catalog", "module page", "activity", "quiz page",
                 "quiz submission", "attempt page"):
        rows = [r for r in records if r.kind == kind]
        lat = [r.end - r.start for r in rows if r.status]
        kinds.append({
            "kind": kind, "count": len(rows), "p50": percentile(lat, 50),
            "p95": percentile(lat, 95), "p99": percentile(lat, 99),
            "max": max(lat) if lat else float("nan"),
            "5xx": sum(r.status >= 500 for r in rows), "none": sum(r.status == 0 for r in rows),
            "other": sum(not r.ok and 0 < r.status < 500 for r in rows)})
    timeline = []
    for start in range(0, int(seconds - 1) + 1, 10):
        rows = [r for r in records if start <= r.end < start + 10]
        lat = [r.end - r.start for r in rows if r.status]
        timeline.append({"t": start, "requests": len(rows),
                         "5xx": sum(r.status >= 500 for r in rows),
                         "none": sum(r.status == 0 for r in rows),
                         "p50": percentile(lat, 50), "p95": percentile(lat, 95),
                         "health": "".join(
                             "." if h.status == 200 else ("x" if h.status == 0 else "5")
                             for h in run.health if start <= h.start < start + 10)})
    result = {
        "requests": len(records), "responses": len(responses),
        "throughput": len(responses) / seconds,
        "p50": percentile(latency, 50), "p95": percentile(latency, 95),
        "p99": percentile(latency, 99),
        "submit_p50": percentile(submits, 50), "submit_p95": percentile(submits, 95),
        "submit_p99": percentile(submits, 99),
        "server_errors": server_errors, "no_response": no_response, "unexpected": unexpected,
        "kinds": kinds, "timeline": timeline,
    }
    if fault != "none" and fault_info:
        result["fault"] = recovery(run, fault, fault_info)
    return result


def recovery(run: Run, fault: str, info: dict) -> dict:
    """When learners started failing, and when they stopped, around the fault."""
    at = info["fault_at"]
    failed = [r for r in run.records if r.end >= at and (r.status >= 500 or r.status == 0)]
    out = {**info, "failures": len(failed),
           "failure_statuses": Counter(r.status for r in failed)}
    if failed:
        out["first_failure"] = min(r.end for r in failed)
        out["last_failure"] = max(r.end for r in failed)
        out["failure_latency_p50"] = percentile([r.end - r.start for r in failed], 50)
        out["failure_latency_max"] = max(r.end - r.start for r in failed)
        later = [r for r in run.records if r.ok and r.start >= out["last_failure"]]
        out["first_success_after"] = min((r.end for r in later), default=None)
    back = info.get("up_at") or info.get("replaced_at")
    if back is not None:
        after = [r for r in run.records if r.ok and r.start >= back]
        out["first_success_after_back"] = min((r.end for r in after), default=None)
    unhealthy = [h for h in run.health if h.start >= at and h.status != 200]
    if unhealthy:
        out["health_first_bad"] = unhealthy[0].start
        out["health_last_bad"] = unhealthy[-1].start
        out["health_statuses"] = Counter(h.status for h in unhealthy)
    return out


# --------------------------------------------------------------------------- the report


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    return (f"{platform.node()} · {os.cpu_count()} × {cpu} · {memory} GB · "
            f"Python {platform.python_version()}")


def database_version(url: str) -> str:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return f"PostgreSQL {connection.scalar(text('SHOW server_version')).split()[0]}"
        return f"SQLite {connection.scalar(text('SELECT sqlite_version()'))} (WAL)"


def verify(url: str, acknowledged: list[tuple[int, str]]) -> dict:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT a.id, u.email, a.submitted_at FROM attempts a "
            "JOIN users u ON u.id = a.user_id")).all()
        stored = {row[0]: row[1] for row in rows}
        duplicates = connection.scalar(text(
            "SELECT count(*) FROM (SELECT badge_id, user_id FROM badge_awards "
            "GROUP BY badge_id, user_id HAVING count(*) > 1) d"))
        awards = connection.scalar(text("SELECT count(*) FROM badge_awards"))
    ids = [attempt for attempt, _ in acknowledged]
    lost = [(a, e) for a, e in acknowledged if a not in stored]
    wrong = [(a, e) for a, e in acknowledged if a in stored and stored[a] != e]
    return {"acknowledged": len(acknowledged), "lost": lost, "wrong_owner": wrong,
            "acknowledged_twice": len(ids) - len(set(ids)), "stored": len(stored),
            "unacknowledged": len(set(stored) - set(ids)), "awards": awards,
            "unacknowledged_rows": [row for row in rows if row[0] not in set(ids)][:20],
            "duplicate_awards": duplicates}


def explain_unacknowledged(run: Run, rows: list) -> list[str]:
    """For attempts stored but never acknowledged: what did that learner's browser get?"""
    notes = []
    for attempt_id, email, submitted_at in rows[:5]:
        if isinstance(submitted_at, str):
            submitted_at = datetime.fromisoformat(submitted_at)
        if submitted_at.tzinfo is None:
            submitted_at = submitted_at.replace(tzinfo=UTC)
        at = submitted_at.timestamp() - run.wall0
        seen = [r for r in run.records if r.who == email and r.kind == "quiz submission"
                and r.start - 1 <= at <= r.end + 1]
        outcome = "; ".join(
            f"{r.status or 'no response'} {r.error}".strip() + f" ({r.start:.1f}–{r.end:.1f} s)"
            for r in seen) or "no submission recorded then"
        notes.append(f"attempt {attempt_id} by {email}, stored at {at:.1f} s: the learner got "
                     f"{outcome}")
    return notes


def counter_text(counter: Counter, limit: int = 8) -> str:
    if not counter:
        return "none"
    items = [f"{n} × {k}" for k, n in counter.most_common(limit)]
    if len(counter) > limit:
        items.append(f"… {len(counter) - limit} more kinds")
    return "; ".join(items).replace("|", "\\|")


def render(settings: dict, numbers: dict, checks: dict, log: Counter) -> tuple[str, str]:
    """(section title, Markdown body) for this configuration."""
    title = (f"{settings['database']} · fault {settings['fault']} · "
             f"{settings['learners']} learners")
    lost = len(checks["lost"])
    cpu = Counter(settings["cpu"])
    rows = [
        ("requests", f"{numbers['requests']:,} ({numbers['responses']:,} answered) in "
                     f"{settings['seconds']:.0f} s"),
        ("throughput", f"{numbers['throughput']:.1f} req/s"),
        ("latency p50 / p95 / p99, all requests",
         f"{ms(numbers['p50'])} / {ms(numbers['p95'])} / {ms(numbers['p99'])} ms"),
        ("latency p50 / p95 / p99, quiz submissions",
         f"{ms(numbers['submit_p50'])} / {ms(numbers['submit_p95'])} / "
         f"{ms(numbers['submit_p99'])} ms"),
        ("5xx responses", f"{sum(numbers['server_errors'].values())}: "
                          f"{counter_text(numbers['server_errors'])}"),
        ("no response (refused, reset, timeout)", f"{sum(numbers['no_response'].values())}: "
                                                  f"{counter_text(numbers['no_response'])}"),
        ("other unexpected responses", f"{sum(numbers['unexpected'].values())}: "
                                       f"{counter_text(numbers['unexpected'])}"),
        ("acknowledged submissions", f"{checks['acknowledged']:,}"),
        ("**lost acknowledged submissions**", f"**{lost}**"
         + (f" (ids {[a for a, _ in checks['lost'][:10]]})" if lost else "")),
        ("acknowledged for the wrong learner / twice",
         f"{len(checks['wrong_owner'])} / {checks['acknowledged_twice']}"),
        ("stored but never acknowledged", f"{checks['unacknowledged']}"
         + "".join(f"<br>{note}" for note in checks["unacknowledged_notes"]).replace("|", "\\|")),
        ("badge awards (duplicates)", f"{checks['awards']} ({checks['duplicate_awards']})"),
        ("CPU during the run", f"machine {settings['cpu_busy']:.0%} busy of "
         f"{os.cpu_count()} cores: gunicorn {cpu['server']:.0f} s, PostgreSQL "
         f"{cpu['postgres']:.0f} s, load driver {cpu['driver']:.0f} s, other processes "
         f"{cpu['other']:.0f} s; {1000 * cpu['server'] / max(1, numbers['responses']):.1f} ms "
         f"of gunicorn CPU per request"),
        ("server log", counter_text(log)),
    ]
    untrusted = settings.get("untrusted")
    lines = [
        *([f"**UNTRUSTWORTHY: {untrusted}.** These numbers measure the other work too.", ""]
          if untrusted else []),
        f"{settings['date']} · {settings['minutes']:g} min · {settings['learners']} learners "
        f"(think 0.5–2 s) · gunicorn {settings['workers']} sync workers · "
        f"{settings['db_version']} · {settings['machine']} · load average at start "
        f"{settings['loadavg']}",
        "",
        "| measure | result |", "|---|---|",
        *[f"| {a} | {b} |" for a, b in rows],
        "",
        "| request | count | p50 ms | p95 ms | p99 ms | max ms | 5xx | no response | other |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {k['kind']} | {k['count']:,} | {ms(k['p50'])} | {ms(k['p95'])} | {ms(k['p99'])} "
          f"| {ms(k['max'])} | {k['5xx']} | {k['none']} | {k['other']} |"
          for k in numbers["kinds"]],
    ]
    fault = numbers.get("fault")
    if fault:
        lines += ["", "Fault timeline (seconds since the run began):", ""]
        lines += [f"- {t:.1f} s: {message}" for t, message in settings["events"]]
        lines += fault_lines(fault)
    lines += ["", "<details><summary>10-second timeline (health: one mark per /healthz probe, "
              "<code>.</code> 200, <code>5</code> 5xx, <code>x</code> no response)</summary>", "",
              "| t (s) | requests | 5xx | no response | p50 ms | p95 ms | health |",
              "|---:|---:|---:|---:|---:|---:|---|",
              *[f"| {b['t']} | {b['requests']} | {b['5xx']} | {b['none']} | {ms(b['p50'])} "
                f"| {ms(b['p95'])} | `{b['health'] or ' '}` |" for b in numbers["timeline"]],
              "", "</details>"]
    summary = {
        "database": settings["database"], "fault": settings["fault"],
        "learners": settings["learners"], "minutes": settings["minutes"],
        "throughput": round(numbers["throughput"], 1),
        "p50": round(numbers["p50"] * 1000), "p95": round(numbers["p95"] * 1000),
        "p99": round(numbers["p99"] * 1000),
        "submit_p95": round(numbers["submit_p95"] * 1000)
        if numbers["submit_p95"] == numbers["submit_p95"] else None,
        "server_errors": sum(numbers["server_errors"].values()),
        "no_response": sum(numbers["no_response"].values()),
        "acknowledged": checks["acknowledged"], "lost": lost, "date": settings["date"][:10],
        "trusted": not untrusted,
    }
    lines.insert(0, f"<!-- load-summary {json.dumps(summary)} -->")
    return title, "\n".join(lines)


def fault_lines(fault: dict) -> list[str]:
    at = fault["fault_at"]
    lines = [""]
    if "victim" in fault:
        replaced = fault.get("replaced_at")
        lines.append(f"- killed worker {fault['victim']}; gunicorn forked a replacement "
                     + (f"{replaced - at:.1f} s later" if replaced else "— never (60 s)")
                     + " (which then loads the app before serving)")
    if "up_at" in fault:
        lines.append(f"- PostgreSQL unavailable from {at:.1f} s (stop issued) to "
                     f"{fault['up_at']:.1f} s (accepting connections again): "
                     f"{fault['up_at'] - at:.1f} s")
    if fault["failures"]:
        lines.append(f"- learner requests failing (5xx or no response) from "
                     f"{fault['first_failure']:.1f} s to {fault['last_failure']:.1f} s: "
                     f"{fault['failures']} failures, statuses "
                     f"{dict(sorted(fault['failure_statuses'].items()))} (0 = no response)")
        lines.append(f"- a failure took {ms(fault['failure_latency_p50'])} ms at the median, "
                     f"{ms(fault['failure_latency_max'])} ms at most (failing fast?)")
        back = fault.get("up_at") or fault.get("replaced_at")
        if back is not None:
            lines.append(f"- last failure {fault['last_failure'] - back:+.1f} s relative to the "
                         f"{'database' if 'up_at' in fault else 'worker'} being back")
    else:
        lines.append("- no learner request failed after the fault")
    if fault.get("first_success_after_back") is not None:
        back = fault.get("up_at") or fault.get("replaced_at")
        lines.append(f"- first successful learner request started after that: answered "
                     f"{fault['first_success_after_back'] - back:.2f} s after it")
    if "health_first_bad" in fault:
        lines.append(f"- /healthz not 200 from {fault['health_first_bad']:.1f} s to "
                     f"{fault['health_last_bad']:.1f} s: statuses "
                     f"{dict(sorted(fault['health_statuses'].items()))}")
    return lines


def write_results(title: str, body: str) -> None:
    """Replace this configuration's section; rebuild the summary table from every section."""
    sections: dict[str, str] = {}
    if RESULTS.exists():
        parts = re.split(r"^## ", RESULTS.read_text(), flags=re.M)
        for part in parts[1:]:
            head, _, rest = part.partition("\n")
            if head.strip() != "Summary":
                sections[head.strip()] = rest.strip()
    sections[title] = body

    def order(item):
        match = re.match(r"(\w+) · fault ([\w-]+) · (\d+) learners", item[0])
        faults = ["none", "kill-worker", "restart-postgres"]
        if not match:
            return ("~", 0, 0)
        return (match[1], faults.index(match[2]) if match[2] in faults else 9, int(match[3]))

    ordered = sorted(sections.items(), key=order)
    summary = ["| database | fault | learners | min | req/s | p50 ms | p95 ms | p99 ms "
               "| submit p95 ms | 5xx | no response | acked | lost | date | quiet machine |",
               "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for _, text_ in ordered:
        match = re.search(r"<!-- load-summary (\{.*?\}) -->", text_)
        if match:
            s = json.loads(match[1])
            summary.append(
                f"| {s['database']} | {s['fault']} | {s['learners']} | {s['minutes']:g} "
                f"| {s['throughput']} | {s['p50']} | {s['p95']} | {s['p99']} "
                f"| {s['submit_p95']} | {s['server_errors']} | {s['no_response']} "
                f"| {s['acknowledged']} | **{s['lost']}** | {s['date']} "
                f"| {'yes' if s.get('trusted', False) else '**no**'} |")
    document = [
        "# Load and fault test results",
        "",
        "Written by `bench/load.py` (run by hand: `.venv/bin/python bench/load.py --database "
        "postgresql|sqlite --fault none|kill-worker|restart-postgres --learners N --minutes M`). "
        "Simulated learners sign in, then loop catalog → module → quiz → submit → attempt "
        "page with 0.5–2 s of thinking between steps, against `gunicorn wsgi:app` on this "
        "machine; the load driver runs on the same cores. \"Lost\" counts submissions the "
        "server acknowledged (302 to the attempt) that are not in the database afterwards.",
        "",
        "## Summary",
        "",
        *summary,
        "",
    ]
    for head, text_ in ordered:
        document += [f"## {head}", "", text_, ""]
    RESULTS.write_text("\n".join(document))


# --------------------------------------------------------------------------- main


def quiet_share(seconds: float = 5.0) -> float:
    """The share of the machine's CPU (all cores) that was busy over the next ``seconds``."""
    before = machine_busy()
    time.sleep(seconds)
    after = machine_busy()
    return (after[0] - before[0]) / max(1, after[1] - before[1])


def untrusted_because(settings: dict) -> str | None:
    """Why the run measured more than Champion, or None: other processes took a
    significant share of the CPU while it ran."""
    cpu = Counter(settings["cpu"])
    total = sum(cpu.values())
    share = cpu["other"] / total if total else 0.0
    if share > BUSY_DURING:
        return (f"other processes took {cpu['other']:.0f} s of CPU during the run, "
                f"{share:.0%} of all CPU used (limit {BUSY_DURING:.0%})")
    return settings.get("busy_before")


def run_load(args: argparse.Namespace, learners: int, quizzes: list[QuizKey]) -> dict:
    """One run: a fresh database, gunicorn, ``learners`` simulated learners, the checks."""
    work = Path(tempfile.mkdtemp(prefix="champion-load-"))
    log = Path(tempfile.gettempdir()) / f"champion-load-{args.database}-{args.fault}.log"
    drop = None
    server = None
    seconds = args.minutes * 60
    try:
        if args.database == "postgresql":
            url, drop = postgres_url()
        else:
            url = f"sqlite:///{work / 'load.db'}"
        began = time.monotonic()
        prepare(url, learners)
        print(f"prepared {args.database}: {len(quizzes)} quizzes, {learners} learners "
              f"in {time.monotonic() - began:.1f} s", flush=True)
        port = free_port()
        server = start_gunicorn(url, port, args.workers, log)
        print(f"gunicorn {server.pid} serving on {HOST}:{port} "
              f"(workers {sorted(children(server.pid))}); log {log}", flush=True)

        loadavg = " ".join(f"{v:.2f}" for v in os.getloadavg())
        run = Run(port=port, t0=time.monotonic())
        busy0 = machine_busy()
        cpu0 = cpu_snapshot(server.pid)
        ramp = min(10.0, seconds / 10)
        crowd = [Learner(run, i, quizzes, ramp) for i in range(learners)]
        for learner in crowd:
            learner.start()
        health = threading.Thread(target=monitor_health, args=(run,), daemon=True)
        health.start()

        fault_info: dict = {}
        fault_error: list[BaseException] = []

        def inject() -> None:
            try:
                if run.stop.wait(seconds / 3):
                    return
                if args.fault == "kill-worker":
                    fault_info.update(kill_worker(run, server, args.workers))
                elif args.fault == "restart-postgres":
                    fault_info.update(restart_postgres(run, args.outage))
            except BaseException as exc:
                fault_error.append(exc)

        injector = threading.Thread(target=inject, daemon=True)
        if args.fault != "none":
            injector.start()
        next_report = 30.0
        while run.now() < seconds:
            time.sleep(min(1.0, seconds - run.now()))
            if run.now() >= next_report:
                done = len(run.records)
                bad = sum(not r.ok for r in run.records)
                print(f"  [{run.now():6.1f} s] {done:,} requests, {bad} unexpected, "
                      f"{len(run.acknowledged):,} acknowledged submissions", flush=True)
                next_report += 30
        run.stop.set()
        for learner in crowd:
            learner.join(100)
        if injector.is_alive():
            injector.join(130)
        if fault_error:
            raise fault_error[0]
        elapsed = run.now()
        busy1 = machine_busy()
        cpu1 = cpu_snapshot(server.pid)
        stop_gunicorn(server)

        if args.database == "postgresql":
            ensure_postgres_running()
        numbers = analyse(run, elapsed, args.fault, fault_info)
        checks = verify(url, run.acknowledged)
        checks["unacknowledged_notes"] = explain_unacknowledged(run, checks["unacknowledged_rows"])
        settings = {
            "database": args.database, "fault": args.fault, "learners": learners,
            "minutes": args.minutes, "workers": args.workers, "seconds": elapsed,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "db_version": database_version(url), "loadavg": loadavg, "events": run.events,
            "cpu_busy": (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]),
            "cpu": cpu_split(cpu0, cpu1, (busy1[0] - busy0[0]) / os.sysconf("SC_CLK_TCK")),
            "busy_before": args.busy_before,
        }
        settings["untrusted"] = untrusted_because(settings)
        title, body = render(settings, numbers, checks, summarize_log(log))
        print(f"\n## {title}\n\n{body}\n")
        if settings["untrusted"]:
            print(f"UNTRUSTWORTHY: {settings['untrusted']}", file=sys.stderr)
        if not args.no_write:
            write_results(title, body)
            print(f"wrote {RESULTS.relative_to(ROOT)}")
        return {"title": title, "numbers": numbers, "checks": checks, "settings": settings}
    finally:
        if server is not None:
            stop_gunicorn(server)
        if args.database == "postgresql" or args.fault == "restart-postgres":
            ensure_postgres_running()
        if drop is not None:
            try:
                drop()
            except Exception as exc:  # never leave PostgreSQL stopped over a failed drop
                print(f"could not drop schema {SCHEMA}: {exc}", file=sys.stderr)
        for path in sorted(work.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        work.rmdir()


def find_knee(args: argparse.Namespace, quizzes: list[QuizKey]) -> None:
    """The load at which p95 latency passes KNEE_P95: double the learners until it does,
    then bisect until the two loads are within a tenth of each other."""
    steps: list[tuple[int, dict]] = []

    def measure(learners: int) -> bool:
        result = run_load(args, learners, quizzes)
        steps.append((learners, result))
        if result["checks"]["lost"]:
            sys.exit(f"LOST {len(result['checks']['lost'])} acknowledged submissions")
        return result["numbers"]["p95"] > KNEE_P95

    good, bad = 0, args.learners
    while not measure(bad):
        good, bad = bad, bad * 2
        if bad > KNEE_MAX_LEARNERS:
            break
    while bad - good > max(10, bad // 10) and bad <= KNEE_MAX_LEARNERS:
        middle = (good + bad) // 2
        if measure(middle):
            bad = middle
        else:
            good = middle
    rows = ["| learners | req/s | p50 ms | p95 ms | submit p95 ms | 5xx | trusted |",
            "|---:|---:|---:|---:|---:|---:|---|"]
    for learners, result in sorted(steps, key=lambda step: step[0]):
        n, untrusted = result["numbers"], result["settings"]["untrusted"]
        rows.append(f"| {learners} | {n['throughput']:.1f} | {ms(n['p50'])} | {ms(n['p95'])} "
                    f"| {ms(n['submit_p95'])} | {sum(n['server_errors'].values())} "
                    f"| {'no: ' + untrusted if untrusted else 'yes'} |")
    if bad > KNEE_MAX_LEARNERS:
        verdict = f"p95 stayed under {ms(KNEE_P95)} ms up to {good} learners (the most tried)"
    else:
        verdict = (f"p95 passes {ms(KNEE_P95)} ms between {good} and {bad} learners: "
                   f"the knee is about {good} learners")
    title = f"Knee · {args.database}"
    body = "\n".join([
        f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC} · {args.minutes:g} min a step · gunicorn "
        f"{args.workers} sync workers · {machine()}", "", f"**{verdict}.**", "", *rows])
    print(f"\n## {title}\n\n{body}\n")
    if not args.no_write:
        write_results(title, body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--learners", type=int, default=200,
                        help="learners (with --knee: the first load tried)")
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--fault", choices=["none", "kill-worker", "restart-postgres"],
                        default="none")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--outage", type=float, default=5.0,
                        help="seconds PostgreSQL stays stopped (restart-postgres)")
    parser.add_argument("--knee", action="store_true",
                        help=f"find the load at which p95 passes {ms(KNEE_P95)} ms")
    parser.add_argument("--allow-busy", action="store_true",
                        help="run on a busy machine anyway; the result is marked untrustworthy")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the file")
    args = parser.parse_args()
    if args.fault == "restart-postgres" and args.database != "postgresql":
        parser.error("--fault restart-postgres needs --database postgresql")
    if args.knee and args.fault != "none":
        parser.error("--knee measures latency without faults: leave out --fault")
    if args.database == "postgresql" and not postgres_answers():
        parser.error("PostgreSQL does not answer on 127.0.0.1:5432")

    # A benchmark beside other work measures that work: refuse a busy machine.
    share = quiet_share()
    args.busy_before = None
    if share > BUSY_BEFORE:
        args.busy_before = (f"the machine was {share:.0%} busy in the 5 s before the run "
                            f"(limit {BUSY_BEFORE:.0%})")
        if not args.allow_busy:
            parser.exit(2, f"refusing to measure: {args.busy_before}. Wait for a quiet "
                           f"machine (see `uptime`, `top`), or pass --allow-busy to run anyway "
                           f"with the result marked untrustworthy.\n")

    content = load_content(ROOT / "modules")
    from champion.content import render_module

    quizzes = []
    for m in content.modules:
        if m.has_quiz:
            rendered = render_module(m).quiz["questions"]
            quizzes.append(QuizKey(m.series, m.slug, {
                plain(q["prompt"]): frozenset(plain(c["html"]) for c in q["choices"]
                                              if c["correct"]) for q in rendered}))
    if args.knee:
        find_knee(args, quizzes)
        return
    result = run_load(args, args.learners, quizzes)
    if result["checks"]["lost"]:
        sys.exit(f"LOST {len(result['checks']['lost'])} acknowledged submissions")


if __name__ == "__main__":
    main()
