"""LTI 1.3 tool, driven from a real platform (lti1p3platform from PyPI, tests/lti_platform/)
on 127.0.0.1: deep linking, launch, grade return; and every launch that must be refused."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from champion.audit.models import AuditEvent
from champion.auth.models import ExternalIdentity, Role, User
from champion.database import utcnow
from champion.extensions import db
from champion.lti import outbox
from champion.lti.keys import key_path, platform_keys, tool_jwks
from champion.lti.models import LtiGradeTarget, LtiPlatform, LtiScoreOutbox
from champion.lti.operations import PlatformFields, delete_platform, register_platform
from tests.helpers import PASS_FIRST, csrf_token, login, post, submit
from tests.lti_platform.process import form_fields, http, running_platform

TOOL = "https://champion.test"
PLATFORM_ERROR = "Champion could not open this link"


@pytest.fixture(scope="module")
def platform_url():
    with running_platform() as base:
        yield base


def setup_platform(platform_url: str, **extra) -> None:
    answer = http("POST", platform_url + "/setup", json_body={
        "login_url": f"{TOOL}/lti/login", "launch_url": f"{TOOL}/lti/launch",
        "jwks": tool_jwks(), "fail_scores": 0, **extra})
    assert answer.status == 200


def fields(platform_url: str, **overrides) -> PlatformFields:
    values = {"name": "Mercy Canvas", "issuer": platform_url, "client_id": "champion-tool",
              "auth_login_url": platform_url + "/authorize", "token_url": platform_url + "/token",
              "jwks_url": platform_url + "/jwks.json", "deployment_ids": "deployment-1",
              "instructors_are_educators": False}
    return PlatformFields(**{**values, **overrides})


@pytest.fixture
def lms(app, platform_url, admin, synced) -> LtiPlatform:
    platform_keys.clear()
    setup_platform(platform_url)
    platform = register_platform(fields(platform_url), admin)
    db.session.commit()
    return platform


def start_login(client, platform_url: str, **query):
    """Click a link in the LMS: its login initiation at the tool, whose answer is returned
    (a redirect to the platform's authentication endpoint, or a refusal)."""
    start = http("GET", f"{platform_url}/start?{urlencode(query)}")
    assert start.status == 302, start.text
    login_url = urlsplit(start.headers["Location"])
    assert f"{login_url.scheme}://{login_url.netloc}{login_url.path}" == f"{TOOL}/lti/login"
    return client.get(f"{login_url.path}?{login_url.query}")


def signed_launch(client, platform_url: str, **query) -> dict[str, str]:
    """What the platform posts back to the tool for a login started in ``client``."""
    page = http("GET", start_login(client, platform_url, **query).headers["Location"])
    return form_fields(page.text)[1]


def launch(client, platform_url: str, **query):
    """A launch from the LMS, end to end: login initiation, the tool's authentication
    request, the platform's signed launch posted back. Returns the tool's answer and what
    was posted (to replay it)."""
    answer = start_login(client, platform_url, **query)
    if answer.status_code != 302:
        return answer, None
    page = http("GET", answer.headers["Location"])
    assert page.status == 200, page.text
    action, posted = form_fields(page.text)
    assert action == f"{TOOL}/lti/launch"
    return client.post("/lti/launch", data=posted), posted


def deep_link(app, platform_url: str, picked: list[str]) -> list[dict]:
    """An instructor adds Champion content to a course: the links the platform made."""
    instructor = app.test_client()
    answer, _ = launch(instructor, platform_url, user="ines", kind="deeplink")
    assert answer.status_code == 303 and answer.headers["Location"] == "/lti/deep-link"
    page = instructor.get("/lti/deep-link").get_data(as_text=True)
    assert "First steps" in page and "Basics (the whole series)" in page
    returned = instructor.post("/lti/deep-link", data={
        "csrf_token": csrf_token(instructor, "/lti/deep-link"), "picked": picked})
    action, posted = form_fields(returned.get_data(as_text=True))
    assert action == f"{platform_url}/deep-link-return"
    # The page may post its form there, and only there, besides this site.
    assert f"form-action 'self' {platform_url};" in returned.headers["Content-Security-Policy"]
    made = http("POST", action, data=posted)
    assert made.status == 200, made.text
    return made.json()["links"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def platform_scores(platform_url: str, lineitem: str) -> list[dict]:
    return [s for s in http("GET", platform_url + "/state").json()["scores"]
            if s["lineitem"] == lineitem]


def test_deep_link_launch_and_grade_return(app, lms, platform_url, runner):
    links = deep_link(app, platform_url, ["basics/first-steps", "basics"])
    module_link, series_link = links
    assert (module_link["title"], module_link["custom"]) == (
        "First steps", {"module": "basics/first-steps"})
    assert module_link["scoreMaximum"] == 100 and "lineitem" not in series_link
    assert series_link["custom"] == {"series": "basics"}
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lti.deep_link"))
    assert audit.summary.startswith("ines@mercy.example.org added 2 Champion link(s)")

    learner = app.test_client()
    answer, _ = launch(learner, platform_url, user="dana", link=module_link["index"])
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/modules/basics/first-steps"
    page = learner.get("/modules/basics/first-steps").get_data(as_text=True)
    assert "First steps" in page and "Sign out" in page and "question quiz" in page
    dana = db.session.scalar(select(User).where(User.email == "dana@mercy.example.org"))
    # The platform's addresses aren't trusted (lms.trust_emails is off): the mailed link
    # proves dana's (tests/test_security_review_4.py).
    assert dana.role == Role.LEARNER.value and not dana.email_verified
    identity = db.session.scalar(select(ExternalIdentity).where(
        ExternalIdentity.user_id == dana.id))
    assert (identity.kind, identity.issuer, identity.subject) == (
        "lti", f"{platform_url}#champion-tool", "sub-dana")

    # Passing never waits for the LMS: the score is owed, not sent.
    submit(learner, "basics", "first-steps", PASS_FIRST)
    assert count(LtiScoreOutbox) == 1
    assert platform_scores(platform_url, module_link["lineitem"]) == []

    result = runner.invoke(args=["lti", "deliver"])
    assert result.exit_code == 0 and "delivered 1, to retry 0" in result.output
    [score] = platform_scores(platform_url, module_link["lineitem"])
    assert score["userId"] == "sub-dana" and score["scoreGiven"] == 100
    assert score["scoreMaximum"] == 100
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    again = runner.invoke(args=["lti", "deliver"])
    assert "delivered 0, to retry 0" in again.output
    assert len(platform_scores(platform_url, module_link["lineitem"])) == 1

    # The series link opens the series; the same person comes back to the same account.
    answer, _ = launch(app.test_client(), platform_url, user="dana", link=series_link["index"])
    assert answer.headers["Location"] == "/modules/basics/"
    assert count(User) == 3  # the admin, Ines and Dana
    ines = db.session.scalar(select(User).where(User.email == "ines@mercy.example.org"))
    assert ines.role == Role.LEARNER.value  # the switch is off: an LMS instructor stays a learner


def test_a_score_is_retried_until_the_platform_acknowledges_it(app, lms, platform_url, runner):
    [link] = deep_link(app, platform_url, ["basics/first-steps"])
    learner = app.test_client()
    launch(learner, platform_url, user="dana", link=link["index"])
    submit(learner, "basics", "first-steps", PASS_FIRST)
    setup_platform(platform_url, fail_scores=2)  # the gradebook is down for two tries

    first = runner.invoke(args=["lti", "deliver"])
    assert first.exit_code == 1 and "delivered 0, to retry 1" in first.output
    item = db.session.scalar(select(LtiScoreOutbox))
    assert item.attempts == 1 and "503" in item.last_error and item.delivered_at is None
    assert item.next_attempt_at > utcnow()
    assert "delivered 0, to retry 0" in runner.invoke(args=["lti", "deliver"]).output  # not due
    report = outbox.deliver(now=utcnow() + timedelta(minutes=5))
    assert (report.delivered, report.failed) == (0, 1)
    report = outbox.deliver(now=utcnow() + timedelta(hours=1))
    assert (report.delivered, report.failed) == (1, 0)
    db.session.refresh(item)
    assert item.delivered_at is not None and item.attempts == 3 and item.last_error is None
    assert len(platform_scores(platform_url, link["lineitem"])) == 1


def test_instructors_become_educators_only_where_an_admin_allows_it(app, lms, platform_url,
                                                                    admin):
    deep_link(app, platform_url, ["basics/first-steps"])
    ines = db.session.scalar(select(User).where(User.email == "ines@mercy.example.org"))
    assert ines.role == Role.LEARNER.value
    lms.instructors_are_educators = True
    db.session.commit()
    deep_link(app, platform_url, ["basics/first-steps"])
    db.session.refresh(ines)
    assert ines.role == Role.EDUCATOR.value
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role"))
    assert "instructor in Mercy Canvas" in change.summary


def test_a_learner_cannot_deep_link(app, lms, platform_url):
    client = app.test_client()
    answer, _ = launch(client, platform_url, user="dana", kind="deeplink")
    assert answer.status_code == 400
    assert "Only an instructor can add Champion content" in answer.get_data(as_text=True)
    assert count(User) == 1
    assert client.get("/lti/deep-link").status_code in (302, 404)


@pytest.mark.parametrize(("query", "message"), [
    ({"iss": "https://evil.example.org"}, "another issuer than the platform registered"),
    ({"expires": "-600"}, "The launch has expired"),
    ({"deployment": "deployment-9"}, "The deployment &#39;deployment-9&#39; is not registered"),
    ({"rogue_key": "1"}, "a key the platform does not publish"),
], ids=["wrong-issuer", "expired", "unknown-deployment", "unpublished-key"])
def test_a_bad_launch_is_refused_and_creates_nothing(app, lms, platform_url, query, message):
    [link] = deep_link(app, platform_url, ["basics/first-steps"])
    users = count(User)
    client = app.test_client()
    answer, _ = launch(client, platform_url, user="dana", link=link["index"], **query)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and PLATFORM_ERROR in page and message in page
    assert count(User) == users and count(LtiGradeTarget) == 0
    assert client.get("/me").status_code == 302  # nobody signed in


def test_a_forged_signature_is_refused(app, lms, platform_url):
    [link] = deep_link(app, platform_url, ["basics/first-steps"])
    users = count(User)
    client = app.test_client()
    posted = signed_launch(client, platform_url, user="dana", link=link["index"])
    header, payload, signature = posted["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "sub-ines"  # someone else, keeping the platform's signature
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    answer = client.post("/lti/launch",
                         data={**posted, "id_token": f"{header}.{forged}.{signature}"})
    assert answer.status_code == 400
    assert "signature does not match" in answer.get_data(as_text=True)
    assert count(User) == users


def test_a_launch_works_once(app, lms, platform_url):
    [link] = deep_link(app, platform_url, ["basics/first-steps"])
    client = app.test_client()
    first, posted = launch(client, platform_url, user="dana", link=link["index"])
    assert first.status_code == 303
    replay = app.test_client()
    replay.set_cookie("champion_lti_state", posted["state"], domain="localhost",
                      path="/lti/launch")
    again = replay.post("/lti/launch", data=posted)
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)
    # The old id_token with a fresh login: its nonce is not the new login's.
    fresh = app.test_client()
    new_state = signed_launch(fresh, platform_url, user="dana", link=link["index"])["state"]
    replayed = fresh.post("/lti/launch", data={"id_token": posted["id_token"], "state": new_state})
    assert replayed.status_code == 400 and "nonce" in replayed.get_data(as_text=True)
    assert fresh.get("/me").status_code == 302


def test_a_launch_started_in_another_browser_is_refused(app, lms, platform_url):
    [link] = deep_link(app, platform_url, ["basics/first-steps"])
    _, posted = launch(app.test_client(), platform_url, user="dana", link=link["index"])
    victim = app.test_client()  # an attacker's own launch, posted from the victim's browser
    answer = victim.post("/lti/launch", data=posted)
    assert answer.status_code == 400 and "did not start in this browser" in answer.get_data(
        as_text=True)
    assert victim.get("/me").status_code == 302


def test_an_unregistered_platform_is_refused_at_login(client, lms):
    answer = client.get("/lti/login?" + urlencode({"iss": "https://lms.elsewhere.example.org",
                                                  "login_hint": "x"}))
    assert answer.status_code == 400
    assert "https://lms.elsewhere.example.org is not registered with Champion" in \
        answer.get_data(as_text=True)


def test_the_tools_keys_are_made_once_and_published(client, app):
    first = client.get("/lti/jwks.json").get_json()
    second = client.get("/lti/jwks.json").get_json()
    assert first == second and len(first["keys"]) == 1
    key = first["keys"][0]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig") and key["kid"]
    assert "d" not in key  # never the private part
    assert stat.S_IMODE(os.stat(key_path()).st_mode) == 0o600


def test_admins_register_platforms_with_checked_fields(app, admin, platform_url):
    client = app.test_client()
    login(client, admin)
    bad = post(client, "/admin/lti/", {**fields(platform_url).__dict__,
                                       "jwks_url": "http://lms.example.org/jwks",
                                       "instructors_are_educators": ""})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Public keyset URL: enter an https:// address" in page
    assert "Mercy Canvas" in page  # what was typed is kept
    assert count(LtiPlatform) == 0
    good = post(client, "/admin/lti/", {**fields(platform_url).__dict__,
                                        "deployment_ids": "d-1\nd-2\n",
                                        "instructors_are_educators": ""})
    assert good.status_code == 302
    platform = db.session.scalar(select(LtiPlatform))
    assert platform.deployments == ["d-1", "d-2"] and not platform.instructors_are_educators
    listing = client.get("/admin/lti/").get_data(as_text=True)
    assert "Mercy Canvas" in listing and f"{TOOL}/lti/login" in listing
    dup = post(client, "/admin/lti/", {**fields(platform_url).__dict__, "name": "Again",
                                       "instructors_are_educators": ""})
    assert "already registered" in dup.get_data(as_text=True)
    post(client, f"/admin/lti/{platform.id}", {**fields(platform_url).__dict__,
                                               "deployment_ids": "d-1",
                                               "instructors_are_educators": "y"})
    post(client, f"/admin/lti/{platform.id}/delete")
    assert count(LtiPlatform) == 0
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("lti.%")).order_by(AuditEvent.id)))
    assert actions == ["lti.register", "lti.update", "lti.delete"]


def test_removing_a_platform_stops_its_launches_and_keeps_its_accounts(app, lms, platform_url,
                                                                       admin):
    [link] = deep_link(app, platform_url, ["basics/first-steps"])
    learner = app.test_client()
    launch(learner, platform_url, user="dana", link=link["index"])
    submit(learner, "basics", "first-steps", PASS_FIRST)
    delete_platform(lms, admin)
    db.session.commit()
    assert (count(LtiGradeTarget), count(LtiScoreOutbox)) == (0, 0)  # nothing owed to it
    removal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lti.delete"))
    assert "(1 score(s) not yet delivered dropped)" in removal.summary
    assert db.session.scalar(select(User).where(User.email == "dana@mercy.example.org"))
    answer = start_login(app.test_client(), platform_url, user="dana", link=link["index"])
    assert answer.status_code == 400 and "is not registered with Champion" in answer.get_data(
        as_text=True)
