"""The third December review (issues 19 and 20, attacked): SCIM, two-factor, outside
sign-ins, xAPI delivery. Each test is an attack that worked before its fix."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from champion.audit.models import AuditEvent
from champion.auth import throttle
from champion.auth.models import ExternalIdentity, Role, User
from champion.auth.operations import ExternalSignInError, sign_in_external
from champion.database import utcnow
from champion.departments.models import Department
from champion.extensions import db
from champion.twofactor import operations
from champion.twofactor.models import TwoFactor
from champion.xapi.delivery import Lrs, deliver_batch
from champion.xapi.models import XapiStatement
from tests.conftest import postgres_only
from tests.helpers import csrf_token, login, make_user
from tests.test_concurrency import race
from tests.test_scim import TOKEN, USER_SCHEMA, patch, scim
from tests.test_two_factor import enrol, form_post, next_code, password_step

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.fixture
def scim_on(app) -> Iterator[None]:
    app.config["CHAMPION_SCIM_TOKEN"] = TOKEN
    yield
    app.config["CHAMPION_SCIM_TOKEN"] = None


@pytest.fixture
def require_admin_2fa(app) -> Iterator[None]:
    app.config["CHAMPION_REQUIRE_2FA_ADMIN"] = True
    yield
    app.config["CHAMPION_REQUIRE_2FA_ADMIN"] = False


# --- xAPI: the LRS's answers can't send the credentials elsewhere ----------------------------


class _Server:
    """An HTTP server on 127.0.0.1 answering every request with ``answer(handler)``, and
    keeping the headers of each request it got."""

    def __init__(self, answer) -> None:
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                seen.append(dict(self.headers))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                answer(self)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _ok(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "2")
    handler.end_headers()
    handler.wfile.write(b"[]")


@pytest.fixture
def elsewhere() -> Iterator[_Server]:
    """Another host: where a hostile (or hijacked) LRS endpoint redirects."""
    with _Server(_ok) as server:
        yield server


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_an_lrs_redirect_neither_leaks_the_credentials_nor_loses_statements(app, elsewhere,
                                                                            status):
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", f"{elsewhere.url}/collect")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    statement_id = str(uuid.uuid4())
    db.session.add(XapiStatement(statement_id=statement_id, statement={"id": statement_id},
                                 next_attempt_at=utcnow()))
    db.session.commit()
    with _Server(redirect) as lrs:
        outcome = deliver_batch(Lrs(f"{lrs.url}/xAPI/", "champion", "lrs-secret"))
    db.session.commit()
    assert elsewhere.seen == []  # the Basic credentials (and the statements) stay home
    row = db.session.get(XapiStatement, 1)
    assert row.delivered_at is None and outcome.delivered == 0  # waits for a real answer
    assert outcome.unavailable and f"HTTP {status}" in outcome.unavailable


# --- CHAMPION_REQUIRE_2FA_ADMIN: no admin powers before enrolment, wherever they're used -----


def test_an_admin_without_two_factor_uses_no_role_page_outside_admin(app, admin,
                                                                      require_admin_2fa):
    client = app.test_client()
    login(client, admin)
    # An administrator holds every role: the lead pages (every department) and the authoring
    # pages are admin powers too.
    for url in ("/team/", "/author/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/me/two-factor", url
    assert client.get("/").status_code == 200  # learning needs no enrolment
    assert client.get("/me/two-factor").status_code == 200


def test_a_lead_is_not_sent_to_enrol(app, lead, require_admin_2fa):
    client = app.test_client()
    login(client, lead)
    assert client.get("/team/").headers.get("Location") != "/me/two-factor"


# --- Outside sign-ins: an address that only normalises to an account's doesn't link to it ----


def _sign_in(email: str, subject: str = "s-1"):
    return sign_in_external(kind="oidc", issuer="https://idp.example.org", subject=subject,
                            email=email, name="Someone", email_verified=True, ip="127.0.0.1")


def test_a_lookalike_address_does_not_link_to_the_account_it_normalises_to(app):
    kate = make_user(Role.LEARNER, "kate@mercy.example.org")
    # U+212A KELVIN SIGN: a different mailbox to a provider that verified it as written, the
    # same account key once normalised (NFC, then lowercase).
    with pytest.raises(ExternalSignInError, match="written differently"):
        _sign_in("\u212aate@mercy.example.org")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ExternalIdentity)) == 0
    assert kate.email == "kate@mercy.example.org"


def test_an_address_differing_only_in_ascii_case_still_links(app):
    kate = make_user(Role.LEARNER, "kate@mercy.example.org")
    user, created = _sign_in("Kate@Mercy.Example.org")
    db.session.commit()
    assert user.id == kate.id and not created


# --- SCIM ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LEAD, Role.EDUCATOR])
def test_scim_cannot_readdress_an_account_with_powers(app, client, scim_on, role):
    staff = make_user(role, f"{role.value}@mercy.example.org")
    response = patch(client, f"/Users/{staff.id}", {
        "op": "replace", "path": "emails",
        "value": [{"value": "mallory@elsewhere.example.org", "primary": True}]})
    assert response.status_code == 403, response.get_json()
    assert "administrator" in response.get_json()["detail"]
    db.session.expire_all()
    assert db.session.get(type(staff), staff.id).email == f"{role.value}@mercy.example.org"
    # What the hospital may still do: rename, and deactivate a leaver.
    response = patch(client, f"/Users/{staff.id}", {"op": "replace", "path": "active",
                                                    "value": False})
    assert response.status_code == 200
    db.session.expire_all()
    assert not db.session.get(type(staff), staff.id).active


def test_a_huge_start_index_is_an_empty_page_not_a_crash(app, client, scim_on):
    make_user(Role.LEARNER, "ann@mercy.example.org")
    response = scim(client, "GET", "/Users?startIndex=99999999999999999999")
    assert response.status_code == 200
    listing = response.get_json()
    assert (listing["totalResults"], listing["itemsPerPage"]) == (1, 0)


def test_scim_refuses_values_longer_than_its_columns(app, client, scim_on):
    body = {"schemas": [USER_SCHEMA], "userName": "a" * 250 + "@mercy.example.org",
            "emails": [{"value": "ann@mercy.example.org", "primary": True}]}
    response = scim(client, "POST", "/Users", body)
    assert response.status_code == 400
    assert "userName: at most 254 characters" in response.get_json()["detail"]
    body = {"schemas": [USER_SCHEMA], "userName": "ann@mercy.example.org",
            "externalId": "x" * 256, "emails": [{"value": "ann@mercy.example.org"}]}
    response = scim(client, "POST", "/Users", body)
    assert response.status_code == 400
    assert "externalId: at most 255 characters" in response.get_json()["detail"]
    body = {"schemas": [GROUP_SCHEMA], "displayName": "Ward 4", "externalId": "x" * 256}
    response = scim(client, "POST", "/Groups", body)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(Department)) == 0


def test_scim_adopting_a_local_account_is_audited(app, client, scim_on):
    local = make_user(Role.LEARNER, "ann@mercy.example.org")
    body = {"schemas": [USER_SCHEMA], "userName": "ann@mercy.example.org",
            "externalId": "hr-77", "emails": [{"value": "ann@mercy.example.org"}]}
    assert scim(client, "PUT", f"/Users/{local.id}", body).status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scim.user.adopt"))
    assert event is not None and event.target_id == local.id
    assert "ann@mercy.example.org" in event.summary


# --- Two-factor: turning it off is throttled like the sign-in's code step ---------------------


def test_turning_two_factor_off_is_throttled(app, learner_client, learner, monkeypatch):
    secret, _ = enrol(learner_client)
    monkeypatch.setattr(throttle, "delay_after", lambda failures: 600)
    wrong = form_post(learner_client, "/me/two-factor/disable", {"code": "000000"},
                      page="/me/two-factor")
    assert wrong.status_code == 302
    right = form_post(learner_client, "/me/two-factor/disable", {"code": next_code(secret)},
                      page="/me/two-factor")
    assert right.status_code == 429
    assert db.session.get(TwoFactor, learner.id, populate_existing=True).enabled


@pytest.mark.parametrize("endpoint", ["file:///etc/passwd", "ftp://lrs.example.org/xAPI/",
                                      "https://champion:secret@lrs.example.org/xAPI/",
                                      "lrs.example.org/xAPI/"])
def test_an_lrs_endpoint_is_an_http_url_without_credentials(endpoint):
    from config import ConfigurationError, load

    with pytest.raises(ConfigurationError, match="CHAMPION_XAPI_ENDPOINT must"):
        load("testing", {"CHAMPION_XAPI_ENDPOINT": endpoint})
    assert load("testing", {"CHAMPION_XAPI_ENDPOINT": "https://lrs.example.org/xAPI/"})[
        "CHAMPION_XAPI_ENDPOINT"] == "https://lrs.example.org/xAPI/"


@postgres_only
def test_one_code_sent_twice_at_once_opens_one_session(app, learner_client, learner,
                                                      monkeypatch):
    secret, _ = enrol(learner_client)
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        assert password_step(client, learner).headers["Location"] == "/auth/two-factor"
    code = next_code(secret)
    tokens = [csrf_token(client, "/auth/two-factor") for client in clients]
    posts = [(lambda c=client, t=token: c.post("/auth/two-factor",
                                                data={"csrf_token": t, "code": code}))
             for client, token in zip(clients, tokens, strict=True)]
    checked = operations._matching_step

    def slowly(factor, given):  # both requests read the factor before either writes
        found = checked(factor, given)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(operations, "_matching_step", slowly)
    statuses = race(*posts)
    assert sorted(statuses) == [200, 302]  # the second is asked for a code again
