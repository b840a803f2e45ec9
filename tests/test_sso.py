"""Single sign-on against real identity providers started on 127.0.0.1: panva's
oidc-provider for OpenID Connect, pysaml2's IdP for SAML 2.0. Each refusal is checked for
what a person sees (a page naming the check) and what is left behind (nothing)."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from saml2 import time_util
from sqlalchemy import func, select

from champion import create_app
from champion.audit.models import AuditEvent
from champion.auth.models import ExternalIdentity, Role, User
from champion.departments.models import Department
from champion.extensions import db
from champion.sso import oidc
from champion.sso.models import DepartmentMapping
from config import ConfigurationError
from tests.helpers import client_for, csrf_token, make_user
from tests.sso_counterparts import make_keypair, saml_post_from_idp, sign_in_at_oidc_provider

CALLBACK = "https://champion.test/auth/oidc/callback"
def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(ExternalIdentity)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def refused(response, words: str) -> None:
    """A refusal page a person can act on, naming the failed check; nothing created."""
    page = response.get_data(as_text=True)
    assert response.status_code == 403, page
    assert "Sign-in refused" in page and words.lower() in page.lower(), page
    assert "No account was created or changed" in page
    assert counts() == (0, 0)


# --- OpenID Connect ----------------------------------------------------------------------


@pytest.fixture
def provider(start_oidc_provider, sso_config):
    running = start_oidc_provider(CALLBACK)
    sso_config(CHAMPION_OIDC_ISSUER=running.issuer, CHAMPION_OIDC_CLIENT_ID=running.client_id,
               CHAMPION_OIDC_CLIENT_SECRET=running.client_secret,
               CHAMPION_OIDC_LABEL="Sign in with Mercy Health",
               CHAMPION_SSO_DEPARTMENT_CLAIM="department")
    return running


def oidc_round_trip(client, account: str = "dana", next_url: str = "/me") -> str:
    """Press the button, sign in at the provider: the callback URL (path and query)."""
    start = client.get(f"/auth/oidc/login?next={next_url}")
    assert start.status_code == 302
    back = sign_in_at_oidc_provider(start.headers["Location"], account)
    assert back.startswith(CALLBACK)
    split = urlsplit(back)
    return f"{split.path}?{split.query}"


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_openid_connect_creates_the_account_and_signs_in(app, client, start_oidc_provider,
                                                         sso_config, method):
    running = start_oidc_provider(CALLBACK, auth_method=method)
    sso_config(CHAMPION_OIDC_ISSUER=running.issuer, CHAMPION_OIDC_CLIENT_ID="champion",
               CHAMPION_OIDC_CLIENT_SECRET=running.client_secret,
               CHAMPION_OIDC_LABEL="Sign in with Mercy Health")
    login_page = client.get("/auth/login?next=/me").get_data(as_text=True)
    assert "Sign in with Mercy Health" in login_page
    assert "/auth/oidc/login?next=/me" in login_page
    start = client.get("/auth/oidc/login?next=/me")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    response = client.get(oidc_round_trip(client))
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    assert "Dana Reyes" in client.get("/me").get_data(as_text=True)
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.role) == ("dana@mercy.example.org", "Dana Reyes",
                                                  Role.LEARNER.value)
    identity = db.session.scalar(select(ExternalIdentity))
    assert (identity.kind, identity.issuer, identity.subject) == ("oidc", running.issuer,
                                                                  "dana")
    assert audit_actions()[-2:] == ["sso.create", "auth.login"]


def test_after_sign_in_next_leads_only_within_the_site(app, client, provider):
    response = client.get(oidc_round_trip(client, next_url="https://evil.example.org/"))
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_second_openid_sign_in_opens_the_same_account(app, client, provider):
    client.get(oidc_round_trip(client))
    client.post("/auth/logout")
    other = app.test_client()
    assert other.get(oidc_round_trip(other)).status_code == 302
    assert counts() == (1, 1)


def test_tampered_state_is_refused(app, client, provider):
    callback = oidc_round_trip(client)
    refused(client.get(callback.replace("state=", "state=x")), "state")
    assert audit_actions() == ["sso.refused"]


def test_a_callback_this_browser_did_not_start_is_refused(app, client, provider):
    callback = oidc_round_trip(client)
    refused(app.test_client().get(callback), "not started in this browser")


def test_a_code_issued_to_another_application_is_refused(app, client, provider):
    client.get("/auth/oidc/login")  # this browser started a sign-in with Champion...
    # ...and an attacker slips in a code the provider issued to another application.
    with client.session_transaction() as session:
        state = session["oidc_pending"]["state"]
    url, _ = oidc.begin(oidc.OidcSettings(provider.issuer, "other-app", provider.client_secret,
                                          ""), CALLBACK)
    back = urlsplit(sign_in_at_oidc_provider(url, "dana"))
    code = parse_qs(back.query)["code"][0]
    refused(client.get(f"/auth/oidc/callback?code={code}&state={state}"),
            "did not accept the sign-in code")


def test_an_id_token_for_another_application_is_refused(app, provider):
    settings = oidc.OidcSettings(provider.issuer, "other-app", provider.client_secret, "")
    url, pending = oidc.begin(settings, CALLBACK)
    back = parse_qs(urlsplit(sign_in_at_oidc_provider(url, "dana")).query)
    # The real provider's real token, issued to other-app, checked as Champion would.
    from authlib.integrations.requests_client import OAuth2Session

    metadata = oidc.provider_metadata(provider.issuer)
    with OAuth2Session("other-app", provider.client_secret, redirect_uri=CALLBACK) as session:
        token = session.fetch_token(metadata["token_endpoint"], code=back["code"][0],
                                    code_verifier=pending["verifier"])
    mine = oidc.OidcSettings(provider.issuer, "champion", provider.client_secret, "")
    with pytest.raises(oidc.SignInRefused, match="wrong audience"):
        oidc.verify_id_token(token["id_token"], settings=mine, metadata=metadata,
                             nonce=pending["nonce"])
    tampered = token["id_token"][:-6] + ("AAAAAA" if not token["id_token"].endswith("AAAAAA")
                                         else "BBBBBB")
    with pytest.raises(oidc.SignInRefused, match="bad signature"):
        oidc.verify_id_token(tampered, settings=settings, metadata=metadata,
                             nonce=pending["nonce"])
    with pytest.raises(oidc.SignInRefused, match="nonce"):
        oidc.verify_id_token(token["id_token"], settings=settings, metadata=metadata,
                             nonce="another-sign-in")


def test_an_expired_id_token_is_refused(app, client, provider, monkeypatch):
    callback = oidc_round_trip(client)
    real = oidc.now()
    monkeypatch.setattr(oidc, "now", lambda: real + 2 * 3600)  # the token's hour has passed
    refused(client.get(callback), "expired")


def test_an_unknown_issuer_is_refused(app, client, provider, sso_config):
    # The same provider reached under another name: it calls itself something else.
    sso_config(CHAMPION_OIDC_ISSUER=provider.issuer.replace("127.0.0.1", "localhost"))
    refused(client.get("/auth/oidc/login"), "unknown issuer")


def test_an_unverified_email_opens_no_account(app, client, provider):
    refused(client.get(oidc_round_trip(client, "sam")), "did not confirm this email")


def test_the_department_claim_joins_the_mapped_department_audited(app, client, provider,
                                                                   admin):
    department = Department(slug="gyn-onc", name="Gynecologic Oncology")
    db.session.add(department)
    db.session.add(DepartmentMapping(value="Gynecologic Oncology", department=department))
    db.session.commit()
    client.get(oidc_round_trip(client))
    user = db.session.scalar(select(User).where(User.email == "dana@mercy.example.org"))
    assert user in department.members
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.add"))
    assert "oidc sign-in: department is 'Gynecologic Oncology'" in event.summary


def test_sso_pages_do_not_exist_while_not_configured(client):
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/saml/metadata").status_code == 404
    assert "Sign in with" not in client.get("/auth/login").get_data(as_text=True)


def test_an_administrators_address_is_not_taken_over(app, client, provider):
    make_user(Role.ADMIN, "dana@mercy.example.org")
    response = client.get(oidc_round_trip(client))
    assert response.status_code == 403
    assert "administrator" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExternalIdentity)) == 0


# --- SAML 2.0 ----------------------------------------------------------------------------


@pytest.fixture
def sp_keys(tmp_path):
    return make_keypair(tmp_path, "champion-sp")


@pytest.fixture
def idp(app, client, sso_config, start_saml_idp, sp_keys, tmp_path):
    """A pysaml2 IdP that trusts Champion, and Champion trusting it (metadata by URL)."""
    sso_config(CHAMPION_SAML_IDP_METADATA=str(tmp_path / "not-yet.xml"),
               CHAMPION_SAML_SP_KEY_FILE=sp_keys[0], CHAMPION_SAML_SP_CERT_FILE=sp_keys[1],
               CHAMPION_SSO_DEPARTMENT_CLAIM="department")
    sp_metadata = client.get("/auth/saml/metadata")  # what the hospital's IT registers first
    assert sp_metadata.status_code == 200
    running = start_saml_idp(sp_metadata.data)
    sso_config(CHAMPION_SAML_IDP_METADATA=running.metadata_url)
    return running


def saml_round_trip(client, account: str = "dana", next_url: str = "/me", **knobs):
    """Press the button, sign in at the IdP: the ACS URL and the form the IdP's page posts."""
    start = client.get(f"/auth/saml/login?next={next_url}")
    assert start.status_code == 302, start.get_data(as_text=True)
    return saml_post_from_idp(start.headers["Location"], account, **knobs)


def test_saml_creates_the_account_and_signs_in(app, client, idp):
    acs, form = saml_round_trip(client)
    assert acs == "https://champion.test/auth/saml/acs"
    response = client.post("/auth/saml/acs", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/me"
    assert "Dana Reyes" in client.get("/me").get_data(as_text=True)
    identity = db.session.scalar(select(ExternalIdentity))
    assert (identity.kind, identity.issuer, identity.subject) == (
        "saml", idp.metadata_url, "mercy-0001")
    assert identity.user.email == "dana@mercy.example.org"
    assert audit_actions()[-2:] == ["sso.create", "auth.login"]


def test_idp_metadata_may_be_a_file(app, client, idp, sso_config, tmp_path):
    saved = tmp_path / "idp-metadata.xml"
    saved.write_bytes(requests.get(idp.metadata_url, timeout=10).content)
    sso_config(CHAMPION_SAML_IDP_METADATA=str(saved))
    _, form = saml_round_trip(client)
    assert client.post("/auth/saml/acs", data=form).status_code == 302
    assert counts() == (1, 1)


def test_saml_department_attribute_joins_the_mapped_department(app, client, idp):
    department = Department(slug="rad-onc", name="Radiation Oncology")
    db.session.add_all([department, DepartmentMapping(value="Radiation Oncology",
                                                      department=department)])
    db.session.commit()
    _, form = saml_round_trip(client, "lee")
    assert client.post("/auth/saml/acs", data=form).status_code == 302
    lee = db.session.scalar(select(User).where(User.email == "lee@mercy.example.org"))
    assert lee.name == "Lee Okafor" and lee in department.members
    assert "member.add" in audit_actions()


def test_a_response_posted_from_the_idps_site_finishes_in_the_browser_that_started(
        app, client, idp):
    _, form = saml_round_trip(client)
    # Posted cross-site, the ACS request carries none of this site's cookies.
    page = app.test_client().post("/auth/saml/acs", data=form)
    assert page.status_code == 200 and "Continue to Champion" in page.get_data(as_text=True)
    assert counts() == (0, 0)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.get_data(as_text=True))[1]
    # Another browser can't use the ticket: only the one that started the sign-in.
    refused(app.test_client().post("/auth/saml/acs", data={"ticket": ticket}),
            "started in another browser")
    response = client.post("/auth/saml/acs", data={"ticket": ticket})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    assert counts() == (1, 1)


def test_a_replayed_assertion_is_refused(app, client, idp):
    _, form = saml_round_trip(client)
    assert client.post("/auth/saml/acs", data=form).status_code == 302
    again = app.test_client().post("/auth/saml/acs", data=form)
    assert again.status_code == 403 and "replay" in again.get_data(as_text=True)
    assert counts() == (1, 1)


@pytest.mark.parametrize(("knobs", "words"), [
    ({"audience": "https://another-service.example.org/saml"}, "wrong audience"),
    ({"destination": "https://another-service.example.org/acs"}, "wrong recipient"),
])
def test_an_assertion_not_meant_for_champion_now_is_refused(app, client, idp, knobs, words):
    _, form = saml_round_trip(client, **knobs)
    refused(client.post("/auth/saml/acs", data=form), words)
    assert audit_actions() == ["sso.refused"]


def test_an_expired_assertion_is_refused(app, client, idp, monkeypatch):
    _, form = saml_round_trip(client)
    later = time_util.utc_now() + 2 * 3600  # posted two hours later: past its five minutes
    monkeypatch.setattr(time_util, "utc_now", lambda: later)
    refused(client.post("/auth/saml/acs", data=form), "expired")


def test_a_tampered_assertion_fails_its_signature(app, client, idp):
    _, form = saml_round_trip(client)
    xml = base64.b64decode(form["SAMLResponse"]).replace(b"Dana Reyes", b"Mallory Reyes")
    refused(client.post("/auth/saml/acs",
                        data={**form, "SAMLResponse": base64.b64encode(xml).decode()}),
            "bad signature")


def test_an_assertion_from_an_unknown_issuer_is_refused(app, client, idp, start_saml_idp,
                                                        sso_config):
    sp_metadata = client.get("/auth/saml/metadata").data
    stranger = start_saml_idp(sp_metadata, entity_id="https://idp.elsewhere.example.org")
    # A sign-in sent to an IdP Champion does not trust (as if configured a moment ago)...
    sso_config(CHAMPION_SAML_IDP_METADATA=stranger.metadata_url)
    _, form = saml_round_trip(client)
    # ...answers a Champion that trusts only the hospital's IdP.
    sso_config(CHAMPION_SAML_IDP_METADATA=idp.metadata_url)
    refused(client.post("/auth/saml/acs", data=form), "unknown issuer")


def test_a_transient_name_id_opens_no_account(app, client, idp):
    _, form = saml_round_trip(client, nameid="transient")
    refused(client.post("/auth/saml/acs", data=form), "transient NameID")


def test_a_tampered_relay_state_is_refused(app, client, idp):
    _, form = saml_round_trip(client)
    refused(client.post("/auth/saml/acs", data={**form, "RelayState": form["RelayState"][:-1]}),
            "no sign-in started here")


def test_without_the_configured_email_attribute_no_account_is_opened(app, client, idp,
                                                                     sso_config):
    sso_config(CHAMPION_SAML_EMAIL_ATTRIBUTE="urn:oid:1.2.840.113549.1.9.1")
    _, form = saml_round_trip(client)
    refused(client.post("/auth/saml/acs", data=form), "did not send an email address")


@pytest.mark.parametrize("metadata", ["missing.xml", "not-metadata.xml"])
def test_unusable_idp_metadata_is_a_refusal_page_not_a_crash(app, client, sso_config, sp_keys,
                                                              tmp_path, metadata):
    (tmp_path / "not-metadata.xml").write_text("<html>a login page, not metadata</html>")
    sso_config(CHAMPION_SAML_IDP_METADATA=str(tmp_path / metadata),
               CHAMPION_SAML_SP_KEY_FILE=sp_keys[0], CHAMPION_SAML_SP_CERT_FILE=sp_keys[1])
    refused(client.get("/auth/saml/login"), metadata)
    assert client.get("/auth/saml/metadata").status_code == 200  # ours needs no IdP


def test_the_sp_metadata_names_the_acs_and_the_certificate(app, client, idp, sp_keys):
    xml = client.get("/auth/saml/metadata").get_data(as_text=True)
    assert 'entityID="https://champion.test/auth/saml/metadata"' in xml
    assert 'Location="https://champion.test/auth/saml/acs"' in xml
    certificate = "".join(Path(sp_keys[1]).read_text().splitlines()[1:-1])
    assert certificate in "".join(xml.split())


# --- Configuration, the admin's page, the audit log --------------------------------------


@pytest.mark.parametrize(("settings", "missing"), [
    ({"CHAMPION_OIDC_ISSUER": "https://login.example.org"},
     "CHAMPION_OIDC_CLIENT_ID and CHAMPION_OIDC_CLIENT_SECRET are not"),
    ({"CHAMPION_SAML_IDP_METADATA": "idp.xml", "CHAMPION_SAML_SP_KEY_FILE": "sp.key"},
     "CHAMPION_SAML_SP_CERT_FILE is not"),
])
def test_half_configured_sign_in_refuses_to_start(settings, missing):
    with pytest.raises(ConfigurationError, match=missing):
        create_app({"TESTING": True, **settings})


def test_an_admin_maps_a_claim_value_to_a_department_audited(app, admin_client, department):
    page = admin_client.get("/admin/sign-in").get_data(as_text=True)
    assert "https://champion.test/auth/oidc/callback" in page
    assert "https://champion.test/auth/saml/acs" in page
    form = {"csrf_token": csrf_token(admin_client, "/admin/sign-in"),
            "value": " Gyn Onc ", "department": str(department.id)}
    response = admin_client.post("/admin/sign-in", data=form, follow_redirects=True)
    assert "now join Gynecologic Oncology" in response.get_data(as_text=True)
    mapping = db.session.scalar(select(DepartmentMapping))
    assert (mapping.value, mapping.department_id) == ("Gyn Onc", department.id)
    again = admin_client.post("/admin/sign-in", data=form)
    assert again.status_code == 422
    assert "already maps to Gynecologic Oncology" in again.get_data(as_text=True)
    assert 'value="Gyn Onc"' in again.get_data(as_text=True)  # what was typed stays
    admin_client.post(f"/admin/sign-in/mappings/{mapping.id}/remove",
                      data={"csrf_token": form["csrf_token"]})
    assert db.session.scalar(select(func.count()).select_from(DepartmentMapping)) == 0
    assert audit_actions()[-2:] == ["sso.mapping_add", "sso.mapping_remove"]


def test_a_mapping_to_a_department_that_does_not_exist_is_refused(app, admin_client,
                                                                  department):
    form = {"csrf_token": csrf_token(admin_client, "/admin/sign-in"), "value": "Gyn Onc",
            "department": str(department.id + 99)}
    assert admin_client.post("/admin/sign-in", data=form).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(DepartmentMapping)) == 0


def test_sign_ins_creations_and_refusals_show_in_the_audit_log(app, client, provider, admin):
    client.get(oidc_round_trip(client))
    refused_client = app.test_client()
    refused_client.get(oidc_round_trip(refused_client, "sam"))
    page = client_for(app, admin).get("/admin/audit").get_data(as_text=True)
    assert f"dana@mercy.example.org created at first oidc sign-in from {provider.issuer}" \
        in page
    assert f"dana@mercy.example.org signed in with oidc ({provider.issuer})" in page
    assert "oidc sign-in refused: the identity provider did not confirm this email" in page
