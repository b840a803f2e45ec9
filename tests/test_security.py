"""Hardening: headers, passwords, throttling, resets by email, sessions, idempotent
submissions, outages, hostile input, data rights, backups and the audit trail."""

from __future__ import annotations

import email
import logging
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from champion import create_app
from champion.audit.models import AuditEvent
from champion.auth.models import Role, User
from champion.badges.models import BadgeAward
from champion.extensions import db
from champion.quizzes.models import Attempt
from tests.helpers import (
    PASS_FIRST,
    PASSWORD,
    complete_module,
    csrf_token,
    draw_id,
    login,
    make_user,
    quiz_url,
    shown_answers,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "champion"


def attempt_login(client, email, password, ip="10.0.0.1"):
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"csrf_token": token, "email": email,
                                           "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_every_page_carries_the_security_headers(client, synced):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_no_template_has_inline_script_or_style():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert "style=" not in text, path


def test_production_sends_hsts_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CHAMPION_BASE_URL", "https://champion.test")
    monkeypatch.setenv("CHAMPION_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app("production")
    with app.app_context():
        upgrade()
    client = app.test_client()
    response = client.get("/auth/login", base_url="https://champion.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with app.app_context():
        db.engine.dispose()


def test_common_passwords_are_refused(client, runner, app):
    token = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data={
        "csrf_token": token, "name": "A", "email": "a@example.org",
        "password": "cookiemonster", "confirm": "cookiemonster"})
    assert "one of the most common ones" in response.get_data(as_text=True)
    result = runner.invoke(args=["users", "create", "b@example.org", "--name", "B"],
                           input="counterstrike\n")
    assert result.exit_code == 1 and "most common" in result.output


def test_failed_sign_ins_delay_the_account_instead_of_locking_it(app, client, learner):
    from champion.auth.throttle import FREE_FAILURES

    for attempt in range(FREE_FAILURES):  # from many addresses: the delay is per account
        response = attempt_login(client, learner.email, "wrong password!", ip=f"10.0.1.{attempt}")
        assert response.status_code == 200
    waiting = attempt_login(client, learner.email, PASSWORD, ip="10.0.2.1")
    assert waiting.status_code == 429  # the right password too, during the delay
    assert "try again in 1 second" in waiting.get_data(as_text=True)
    other = make_user(Role.LEARNER, email="other@example.org")
    assert attempt_login(app.test_client(), other.email, PASSWORD,
                         ip="10.0.2.1").status_code == 302
    time.sleep(1.1)  # the delay ends: the owner gets in
    assert attempt_login(client, learner.email, PASSWORD, ip="10.0.2.2").status_code == 302


def test_the_delay_doubles_with_each_failure_up_to_a_cap():
    from champion.auth.throttle import FREE_FAILURES, MAX_DELAY, delay_after

    assert [delay_after(n) for n in range(FREE_FAILURES + 4)] == \
        [0] * FREE_FAILURES + [1, 2, 4, 8]
    assert delay_after(FREE_FAILURES + 40) == MAX_DELAY == 15 * 60


def test_sign_in_is_throttled_per_address(client, learner):
    for index in range(30):
        attempt_login(client, f"nobody{index}@example.org", "wrong password!", ip="10.9.9.9")
    assert attempt_login(client, learner.email, PASSWORD, ip="10.9.9.9").status_code == 429
    assert attempt_login(client, learner.email, PASSWORD, ip="10.9.9.8").status_code == 302


def test_successful_sign_ins_do_not_count(client, learner):
    for _ in range(12):
        assert attempt_login(client, learner.email, PASSWORD).status_code == 302
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/logout")})


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_limits_are_shared_across_workers_through_redis(database_url, tmp_path):
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.db'}",
                "CHAMPION_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/15"}
    first, second = create_app(settings), create_app(settings)  # two workers, one Redis
    with first.app_context():
        upgrade()
        user = User(email="r@example.org", name="R", role="learner")
        user.set_password(PASSWORD, method="pbkdf2:sha256:1")
        db.session.add(user)
        db.session.commit()
    try:
        for app, count in ((first, 3), (second, 2)):  # five failures between two workers
            client = app.test_client()
            for _ in range(count):
                assert attempt_login(client, "r@example.org", "wrong!!!!!!!!").status_code == 200
        blocked = attempt_login(first.test_client(), "r@example.org", PASSWORD)
        assert blocked.status_code == 429  # the first worker sees the delay the second set
    finally:
        redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
        for app in (first, second):
            with app.app_context():
                db.engine.dispose()


def test_password_reset_by_email_ends_other_sessions(app, smtp, learner):
    elsewhere = app.test_client()
    login(elsewhere, learner)  # a session on another computer
    client = app.test_client()
    token = csrf_token(client, "/auth/forgot")
    page = client.post("/auth/forgot", data={"csrf_token": token, "email": learner.email})
    assert "Check your email" in page.get_data(as_text=True)
    [raw] = smtp.messages
    message = email.message_from_string(raw)
    assert message["To"] == learner.email
    body = message.get_payload(decode=True).decode()
    link = re.search(r"https://champion\.test(/auth/reset/\S+)", body)[1]
    token = csrf_token(client, link)
    done = client.post(link, data={"csrf_token": token, "password": "a brand new passphrase",
                                   "confirm": "a brand new passphrase"})
    assert done.status_code == 302
    assert client.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 302  # the old session is over
    assert app.test_client().get(link).status_code == 410  # the link worked once
    assert attempt_login(app.test_client(), learner.email, PASSWORD).status_code == 200
    assert attempt_login(app.test_client(), learner.email,
                         "a brand new passphrase").status_code == 302


def test_reset_requests_reveal_nothing_about_accounts(app, smtp, client):
    token = csrf_token(client, "/auth/forgot")
    page = client.post("/auth/forgot", data={"csrf_token": token, "email": "nobody@example.org"})
    assert "Check your email" in page.get_data(as_text=True)
    # A mail either way (see test_security_review.py): no link in it, nothing to reset.
    [raw] = smtp.messages
    body = email.message_from_string(raw).get_payload(decode=True).decode()
    assert "no active account" in body and "/auth/reset/" not in body


def test_a_double_clicked_submit_records_one_attempt(learner_client, learner, synced):
    url = quiz_url("basics", "first-steps")
    page = learner_client.get(url).get_data(as_text=True)
    drawn = draw_id(page)
    key = re.search(r'name="submission"[^>]*value="([0-9a-f]{32})"', page)[1]
    data = {"csrf_token": csrf_token(learner_client, url), "draw": str(drawn),
            "submission": key, **shown_answers(drawn, PASS_FIRST)}
    first = learner_client.post(url, data=data)
    second = learner_client.post(url, data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_simultaneous_double_clicks_record_one_attempt(app, learner, synced):
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        login(client, learner)
    url = quiz_url("basics", "first-steps")
    page = clients[0].get(url).get_data(as_text=True)
    drawn = draw_id(page)
    key = re.search(r'name="submission"[^>]*value="([0-9a-f]{32})"', page)[1]
    posts = [(c, {"csrf_token": csrf_token(c, url), "draw": str(drawn), "submission": key,
                  **shown_answers(drawn, PASS_FIRST)}) for c in clients]
    barrier, statuses = threading.Barrier(2), []

    def run(client, data):
        barrier.wait(timeout=10)
        statuses.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=run, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_database_outage_answers_503_quickly(tmp_path):
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False,
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/x",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "10"
    assert app.test_client().get("/healthz").status_code == 503


def test_the_outage_page_does_not_need_the_database(learner_client, monkeypatch):
    """Signed in, loading the user is the query that fails: the 503 page must not ask again."""
    from sqlalchemy.exc import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("the database system is shutting down"))

    monkeypatch.setattr(db.session, "get", down, raising=False)
    monkeypatch.setattr(db.session, "execute", down, raising=False)
    response = learner_client.get("/me")
    assert response.status_code == 503
    assert "briefly unavailable" in response.get_data(as_text=True)


def test_hostile_names_are_rendered_inert(app, synced, department, lead):
    hostile = make_user(Role.LEARNER, email="h@example.org", department=department)
    hostile.name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    db.session.commit()
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(hostile, "basics", slug)
    award = db.session.scalar(select(BadgeAward))
    pages = [app.test_client().get(f"/badges/assertions/{award.uid}").get_data(as_text=True)]
    client = app.test_client()
    login(client, lead)
    pages.append(client.get("/team/gyn-onc/").get_data(as_text=True))
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_fields_have_length_limits_and_uploads_a_size_limit(client, app, department, lead):
    token = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data={
        "csrf_token": token, "name": "N" * 121, "email": "long@example.org",
        "password": "a long enough passphrase", "confirm": "a long enough passphrase"})
    assert "Field cannot be longer than 120 characters." in response.get_data(as_text=True)
    login(client, lead)
    token = csrf_token(client, "/team/gyn-onc/members")
    import io

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    # Encoded in memory: the test client would spool a body this size to a temporary
    # file that nobody closes when the app (rightly) refuses to read it.
    boundary, body = encode_multipart({"csrf_token": token, "roster": FileStorage(
        io.BytesIO(b"x" * (3 * 1024 * 1024)), filename="big.csv")})
    huge = client.post("/team/gyn-onc/members/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")
    assert huge.status_code == 413 and "Too large" in huge.get_data(as_text=True)


def test_a_learner_downloads_all_their_data(learner_client, learner, synced):
    complete_module(learner, "basics", "first-steps")
    data = learner_client.get("/me/data.json").json
    assert data["account"]["email"] == learner.email
    assert data["departments"] == ["Gynecologic Oncology"]
    assert data["attempts"][0]["score"] == 100
    assert data["attempts"][0]["answers"][1]["choices_selected"] == [1, 2]


def test_an_admin_deletes_an_account_and_its_awards_say_so(app, admin, learner, synced):
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(learner, "basics", slug)
    award = db.session.scalar(select(BadgeAward))
    client = app.test_client()
    login(client, admin)
    token = csrf_token(client, f"/admin/people/{learner.id}")
    wrong = client.post(f"/admin/people/{learner.id}/delete",
                        data={"csrf_token": token, "confirm_email": "nope"})
    assert wrong.status_code == 302 and db.session.get(User, learner.id).deleted_at is None
    client.post(f"/admin/people/{learner.id}/delete",
                data={"csrf_token": token, "confirm_email": learner.email})
    db.session.expire_all()
    gone = db.session.get(User, learner.id)
    assert gone.deleted_at and gone.email == f"deleted-{learner.id}@deleted.invalid"
    assert gone.name == "Deleted account" and gone.password_hash is None
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2  # kept
    page = app.test_client().get(f"/badges/assertions/{award.uid}").get_data(as_text=True)
    assert "This badge has been revoked" in page and "account was deleted" in page
    assert "Test Learner" not in page
    assert app.test_client().get(f"/badges/assertions/{award.uid}.json").status_code == 410
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.delete"))
    assert learner.email not in event.summary and event.actor_id == admin.id


def test_backup_and_restore_sqlite(tmp_path):
    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}"})
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        db.session.add(User(email="kept@example.org", name="Kept", role="learner"))
        db.session.commit()
        result = runner.invoke(args=["backup", str(tmp_path / "backup.db")])
        assert result.exit_code == 0, result.output
        db.session.delete(db.session.scalar(select(User)))
        db.session.commit()
        assert db.session.scalar(select(User)) is None
        db.session.remove()
        result = runner.invoke(args=["restore", "--yes", str(tmp_path / "backup.db")])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(select(User.email)) == "kept@example.org"
        db.engine.dispose()


def test_security_events_are_audited(app, client, learner, runner, synced, tmp_path):
    attempt_login(client, learner.email, "wrong password!")
    attempt_login(client, "ghost@example.org", "wrong password!")
    login(client, learner)
    runner.invoke(args=["modules", "export", str(tmp_path / "out")])
    actions = [(e.action, e.summary) for e in db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id))]
    assert ("auth.login_failed", f"failed sign-in for {learner.email}") in actions
    assert ("auth.login_failed",
            "failed sign-in for ghost@example.org (no such account)") in actions
    assert ("auth.login", f"{learner.email} signed in") in actions
    assert any(action == "content.export" for action, _ in actions)


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/auth/login").get_data(as_text=True)
    url = re.search(r'href="(/static/css/champion\.css\?v=[0-9a-f]{12})"', page)[1]
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


# --- sign-in, sessions and learning activity (issue 14, items 4, 6, 7, 9, 12, 14, 19) ---

def test_a_copied_session_cookie_dies_at_sign_out(app, client, learner):
    login(client, learner)
    copy = app.test_client()  # the same cookie, copied to another machine
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/me").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/logout")})
    assert copy.get("/me").status_code == 302


def remembered_client(app, user, password=PASSWORD):
    """A client holding only the remember cookie, as a browser does after a restart."""
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    client.post("/auth/login", data={"csrf_token": token, "email": user.email,
                                     "password": password, "remember": "y"})
    remembered = app.test_client()
    remembered.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert remembered.get("/me").status_code == 200
    return remembered


def test_a_copied_remember_cookie_dies_at_password_change_and_deactivation(app, learner,
                                                                           admin):
    from champion.auth.operations import set_active, set_password

    remembered = remembered_client(app, learner)
    set_password(learner, "another fine passphrase")
    db.session.commit()
    assert remembered.get("/me").status_code == 302
    remembered = remembered_client(app, learner, "another fine passphrase")
    set_active(learner, False, admin)
    db.session.commit()
    assert remembered.get("/me").status_code == 302


def test_keep_me_signed_in_lasts_two_weeks(client, learner):
    from datetime import UTC, datetime, timedelta
    from email.utils import parsedate_to_datetime

    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": learner.email,
                                                "password": PASSWORD, "remember": "y"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie)[1])
    assert expires - datetime.now(UTC) < timedelta(days=15)


def test_a_proxy_the_app_does_not_know_about_is_logged(client, caplog):
    with caplog.at_level(logging.WARNING):
        client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"},
                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
        client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"},
                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
    warnings = [r for r in caplog.records if "CHAMPION_PROXIES is 0" in r.getMessage()]
    assert len(warnings) == 1  # once per worker, not per request


def test_a_forged_forwarded_header_from_outside_is_not_taken_for_a_proxy(caplog):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with caplog.at_level(logging.WARNING):
        app.test_client().get("/auth/login", headers={"X-Forwarded-For": "127.0.0.1"},
                              environ_base={"REMOTE_ADDR": "93.184.216.34"})
    assert not [r for r in caplog.records if "CHAMPION_PROXIES" in r.getMessage()]


def test_sign_in_checks_a_hash_whether_or_not_the_account_exists(client, learner, monkeypatch):
    import hashlib

    attempt_login(client, "warm-up@example.org", "wrong password!")  # the dummy hash is made
    hashed = []
    real = hashlib.pbkdf2_hmac  # the tests' hash method (pbkdf2:sha256:1)

    def counting(*args, **kwargs):
        hashed.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counting)
    attempt_login(client, "nobody@example.org", "wrong password!")
    assert len(hashed) == 1  # no account, yet a password was hashed: against a dummy hash
    attempt_login(client, learner.email, "wrong password!")
    assert len(hashed) == 2  # the same work for an account that exists


def test_registration_answers_the_same_for_existing_and_new_addresses(app, smtp, client,
                                                                     learner):
    def register(address):
        token = csrf_token(client, "/auth/register")
        return client.post("/auth/register", data={
            "csrf_token": token, "name": "Sam Same", "email": address,
            "password": "a-long-password", "confirm": "a-long-password"})

    def page(response):
        return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))

    existing, new = register(learner.email), register("new@example.org")
    assert existing.status_code == new.status_code == 200
    assert page(existing).replace(learner.email, "X") == page(new).replace("new@example.org", "X")
    assert "Check your email" in page(new)
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    first, second = (email.message_from_string(m) for m in smtp.messages)
    assert first["To"] == learner.email and "already has one" in first.get_payload()
    assert second["To"] == "new@example.org" and "is ready" in second.get_payload()
    assert learner.name != "Sam Same"  # the existing account is untouched


def test_sign_ups_are_limited_by_the_mail_they_send_not_by_typos(client):
    def register(password, confirm):
        token = csrf_token(client, "/auth/register")
        return client.post("/auth/register", data={
            "csrf_token": token, "name": "Tia Typo", "email": "tia@example.org",
            "password": password, "confirm": confirm})

    for _ in range(4):  # the form comes back: no email sent, nothing counted
        assert register("a-long-password", "a-long-passwrod").status_code == 200
    for _ in range(3):  # three emails to one address in an hour ...
        assert "Check your email" in register("a-long-password",
                                              "a-long-password").get_data(as_text=True)
    assert register("a-long-password", "a-long-password").status_code == 429  # ... at most


def slides_csrf(client) -> dict:
    page = client.get("/modules/basics/first-steps/slides").get_data(as_text=True)
    return {"X-CSRFToken": re.search(r'data-csrf="([^"]+)"', page)[1]}


def test_recorded_time_is_at_most_the_time_that_passed(learner_client, learner, synced):
    from datetime import timedelta

    from champion.progress.models import ModuleProgress

    url = "/modules/basics/first-steps/activity"
    headers = slides_csrf(learner_client)  # opening the slides starts the module
    progress = db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.user_id == learner.id))
    progress.last_activity_at -= timedelta(seconds=30)  # opened half a minute ago
    db.session.commit()
    started = time.monotonic()
    for _ in range(20):  # a forged burst, each claiming a minute
        assert learner_client.post(url, json={"seconds": 60},
                                   headers=headers).status_code == 200
    burst = time.monotonic() - started
    db.session.expire_all()
    spent = db.session.get(ModuleProgress, progress.id).seconds_spent
    assert 30 <= spent <= 30 + burst + 1  # the half minute, and no more than the burst took


def test_deeply_nested_json_is_a_bad_request(learner_client, synced):
    url = "/modules/basics/first-steps/activity"
    headers = {**slides_csrf(learner_client), "Content-Type": "application/json"}
    for body in ("[" * 100_000 + "]" * 100_000, "[1, 2]", '"text"'):
        response = learner_client.post(url, data=body, headers=headers)
        assert response.status_code == 400, body[:10]
        assert "JSON object" in response.get_json()["error"]
