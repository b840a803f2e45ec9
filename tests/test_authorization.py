"""Every route, for every kind of user. A route missing from RULES fails the build, so no new
page ships without an access rule.

Outcomes: "ok" (allowed: 2xx, or a redirect that isn't to sign-in), "login" (sent to sign
in), 403, 404, 410 (a link that no longer works).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from champion.assignments.models import Assignment
from champion.auth.models import Role
from champion.author.operations import staging_dir
from champion.badges.models import BadgeAward
from champion.catalog.models import Module, ModuleDraft
from champion.departments.models import Department, DepartmentInvite, MembershipRequest
from champion.extensions import db
from champion.lti.models import LtiPlatform
from champion.quizzes.models import Attempt
from tests.helpers import complete_module, csrf_token, login, make_user

ROLES = ["anonymous", "learner", "educator", "other_lead", "lead", "admin"]

PUBLIC = dict.fromkeys(ROLES, "ok")
SIGNED_IN = {**PUBLIC, "anonymous": "login"}
OWNER = {"anonymous": "login", "learner": "ok", "educator": 404, "other_lead": 404,
         "lead": 404, "admin": 404}
TEAM = {"anonymous": "login", "learner": 403, "educator": 403, "other_lead": 404, "lead": "ok",
        "admin": "ok"}
EDUCATORS = {"anonymous": "login", "learner": 403, "educator": "ok", "other_lead": 403,
             "lead": 403, "admin": "ok"}
ADMINS = {"anonymous": "login", "learner": 403, "educator": 403, "other_lead": 403,
          "lead": 403, "admin": "ok"}
EXPIRED_LINK = dict.fromkeys(ROLES, 410)
NO_BEARER_TOKEN = dict.fromkeys(ROLES, 401)  # SCIM: a session is no credential there

RULES: dict[str, dict[str, object]] = {
    "main.healthz": PUBLIC,
    "auth.register": PUBLIC, "auth.login": PUBLIC, "auth.logout": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.set_password": EXPIRED_LINK, "auth.reset_password": EXPIRED_LINK,
    "catalog.index": PUBLIC, "catalog.series": PUBLIC, "catalog.resources": PUBLIC,
    "catalog.media": PUBLIC,
    "catalog.module": SIGNED_IN, "catalog.slides": SIGNED_IN, "catalog.case": SIGNED_IN,
    "catalog.handout": SIGNED_IN,
    "catalog.presenter": SIGNED_IN,  # a champion teaches their team (issue 17)
    "progress.activity": SIGNED_IN,
    "quizzes.take": SIGNED_IN, "quizzes.attempt": OWNER,
    "progress.me": SIGNED_IN, "progress.complete": SIGNED_IN, "progress.my_data": SIGNED_IN,
    "badges.issuer": PUBLIC, "badges.jwks": PUBLIC, "badges.status_list_credential": PUBLIC,
    "badges.badge": PUBLIC,
    "badges.badge_json": PUBLIC, "badges.image": PUBLIC, "badges.image_png": PUBLIC,
    "badges.assertion": PUBLIC, "badges.assertion_json": PUBLIC,
    "badges.baked_png": OWNER, "badges.baked_svg": OWNER, "badges.credential": OWNER,
    "badges.certificate": OWNER, "badges.certificate_download": OWNER,
    "badges.evaluations": EDUCATORS,
    "departments.join": SIGNED_IN, "departments.join_link": SIGNED_IN,
    "departments.requests": SIGNED_IN, "departments.decide": OWNER,
    "verification.pending": SIGNED_IN, "verification.confirm": EXPIRED_LINK,
    # The second step of sign-in needs a first: without one, back to sign in.
    "auth.two_factor": dict.fromkeys(ROLES, "login"),
    "twofactor.index": SIGNED_IN, "twofactor.enrol": SIGNED_IN, "twofactor.confirm": SIGNED_IN,
    "twofactor.disable": SIGNED_IN,
    # LTI: a login or launch without a registered platform behind it is refused to anyone.
    "lti.login": dict.fromkeys(ROLES, 400), "lti.launch": dict.fromkeys(ROLES, 400),
    "lti.jwks": PUBLIC,
    "lti.deep_link": {**dict.fromkeys(ROLES, 404), "anonymous": "login"},  # from an LMS only
    # Single sign-on: absent (404) while not configured, as in this walk.
    **dict.fromkeys(["sso.oidc_login", "sso.oidc_callback", "sso.saml_login",
                     "sso.saml_metadata", "sso.saml_acs"], dict.fromkeys(ROLES, 404)),
    # The learner's own account page (issue 17).
    "account.page": SIGNED_IN, "account.name": SIGNED_IN, "account.email": SIGNED_IN,
    "account.password": SIGNED_IN, "account.confirm_email": EXPIRED_LINK,
    # issue 18: preferences are one's own; an unsubscribe link is its own proof
    "reminders.preferences_page": SIGNED_IN,
    "reminders.unsubscribe_page": EXPIRED_LINK, "reminders.unsubscribe_post": EXPIRED_LINK,
    # Credit: the world's series offers none and its uid names no claim, so signed-in users
    # get 404 (tests/test_credit.py tries a credit series and another learner's claim).
    "credit.disclosures": {**OWNER, "learner": 404}, "credit.claim": {**OWNER, "learner": 404},
    "credit.module_claim": {**OWNER, "learner": 404},  # tests/test_credit_modules.py
    "credit.certificate": {**OWNER, "learner": 404},
    "credit.verify": dict.fromkeys(ROLES, 404),
    "credit.profile": SIGNED_IN, "credit.transcript": SIGNED_IN,
    "credit.transcript_download": SIGNED_IN,
    "credit.admin": ADMINS, "credit.admin_csv": ADMINS, "credit.admin_pars": ADMINS,
}


def rule_for(endpoint: str) -> dict[str, object] | None:
    if endpoint in RULES:
        return RULES[endpoint]
    if endpoint == "team.index":
        return {**TEAM, "other_lead": "ok"}  # every lead has a team page (their own)
    for prefix, rule in (("team.", TEAM), ("assignments.", TEAM), ("author.", EDUCATORS),
                         ("admin.", ADMINS), ("scim.", NO_BEARER_TOKEN), ("lti_admin.", ADMINS)):
        if endpoint.startswith(prefix):
            return rule
    return None


@pytest.fixture
def world(app, synced, department, lead, learner, educator, admin):
    other = Department(slug="onc-surg", name="Oncologic Surgery")
    db.session.add(other)
    db.session.commit()
    other_lead = make_user(Role.LEAD, email="other.lead@example.org", department=other)
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(learner, "basics", slug)
    award = db.session.scalar(select(BadgeAward))
    attempt = db.session.scalar(select(Attempt))
    module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
    draft = ModuleDraft(module=module, series=module.series, filename="01-first-steps.md",
                        source=module.current_version.source)
    invite = DepartmentInvite(department=department, created_by=lead)
    request = MembershipRequest(department=other, user=learner)
    platform = LtiPlatform(name="Mercy Canvas", issuer="https://canvas.example.org",
                           client_id="1", auth_login_url="https://canvas.example.org/a",
                           token_url="https://canvas.example.org/t",
                           jwks_url="https://canvas.example.org/j", deployment_ids="d")
    assignment = Assignment(department=department, title="Basics", kind="series",
                            target="basics", everyone=True, due_on=date(2030, 1, 1))
    db.session.add_all([draft, invite, request, platform, assignment])
    db.session.commit()
    staged = staging_dir(draft)  # an upload waiting with the draft
    staged.mkdir(parents=True, exist_ok=True)
    (staged / "figure.gif").write_bytes(b"GIF89a")
    return {"users": {"learner": learner, "educator": educator, "other_lead": other_lead,
                      "lead": lead, "admin": admin},
            "values": {"series_slug": "basics", "module_slug": "first-steps",
                       "filename": "figure.gif", "uid": award.uid, "attempt_id": attempt.id,
                       "module_id": module.id, "draft_id": draft.id, "number": 1,
                       "user_id": learner.id, "invite_id": invite.id, "code": invite.code,
                       "token": "not-a-valid-token", "request_id": request.id,
                       "decision": "decline", "group_id": department.id, "name": "User",
                       "schema_id": "urn:ietf:params:scim:schemas:core:2.0:User",
                       "anything": "anything", "platform_id": platform.id,
                       "mapping_id": 1, "assignment_id": assignment.id}}


def url_for_rule(rule, values) -> str:
    args = dict(values)
    if rule.endpoint.startswith(("team.", "admin.", "assignments.")):
        args["slug"] = "gyn-onc"
    else:
        args["slug"] = "basics-graduate"
    if rule.endpoint == "catalog.media":
        args["series_slug"] = "extras"
    if rule.endpoint == "badges.status_list_credential":
        args["number"] = 0  # the one status list a small site has
    return rule.build({k: v for k, v in args.items() if k in rule.arguments})[1]


def outcome(response) -> object:
    response.close()  # file downloads stream: let go of the file
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/auth/login"):
        return "login"
    if response.status_code < 400:
        return "ok"
    return response.status_code


def test_every_route_has_an_access_rule(app):
    missing = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                     if rule.endpoint != "static" and rule_for(rule.endpoint) is None)
    assert missing == [], f"add an access rule to tests/test_authorization.py for {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_its_rule_says(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, world["users"][role])
    token = csrf_token(client, "/auth/login" if role == "anonymous" else "/auth/logout")
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint == "static":
            continue
        expected = rule_for(rule.endpoint)[role]
        url = url_for_rule(rule, world["values"])
        if "GET" in rule.methods:
            got = outcome(client.get(url))
        elif expected != "ok":  # only refusals are safe to try with a POST
            got = outcome(client.post(url, data={"csrf_token": token}))
        else:
            continue
        if got != expected:
            wrong.append(f"{rule.endpoint} {url}: expected {expected}, got {got}")
    assert wrong == []
