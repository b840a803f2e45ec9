"""Single sign-on in a real Chromium: from Champion's sign-in button, through a real identity
provider's pages (oidc-provider, pysaml2's IdP, both on 127.0.0.1), to the catalog; axe on
each of Champion's pages on the way, the refusal page and the admin's page included."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests
from sqlalchemy import select

from champion.auth.models import ExternalIdentity, Role
from champion.extensions import db
from tests.e2e.conftest import check_accessibility
from tests.e2e.test_journeys import sign_in, sync_curriculum
from tests.helpers import make_user
from tests.sso_counterparts import make_keypair


def local_only(page):
    """The providers' own pages link web fonts; nothing leaves this machine."""
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    return page


def test_openid_connect_from_the_sign_in_button_to_the_catalog(
        app, live_server, new_page, start_oidc_provider, sso_config):
    sync_curriculum()
    base = live_server
    provider = start_oidc_provider(f"{base}/auth/oidc/callback")
    sso_config(CHAMPION_OIDC_ISSUER=provider.issuer, CHAMPION_OIDC_CLIENT_ID="champion",
               CHAMPION_OIDC_CLIENT_SECRET=provider.client_secret,
               CHAMPION_OIDC_LABEL="Sign in with Mercy Health")
    page = local_only(new_page())
    page.goto(base + "/auth/login")
    check_accessibility(page, "login-with-sso")
    page.click("main a:has-text('Sign in with Mercy Health')")
    page.wait_for_url(re.compile(re.escape(provider.issuer) + r"/interaction/.*"))
    page.fill("input[name=login]", "dana")
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    assert "Welcome, Dana Reyes" in page.inner_text("main")
    assert "My progress" in page.inner_text("header")
    check_accessibility(page, "catalog-after-oidc")
    assert db.session.scalar(select(ExternalIdentity.subject)) == "dana"

    # A callback this browser didn't start is refused, on a page that says why.
    page.goto(base + "/auth/oidc/callback?state=forged&code=forged")
    assert "Sign-in refused" in page.inner_text("h1")
    check_accessibility(page, "sso-refused")


def test_saml_from_the_sign_in_button_to_the_catalog(
        app, live_server, new_page, start_saml_idp, sso_config, tmp_path):
    sync_curriculum()
    base = live_server
    key, cert = make_keypair(tmp_path, "champion-sp")
    sso_config(CHAMPION_SAML_IDP_METADATA=str(tmp_path / "later.xml"),
               CHAMPION_SAML_SP_KEY_FILE=key, CHAMPION_SAML_SP_CERT_FILE=cert,
               CHAMPION_SAML_LABEL="Sign in with Mercy Health (SAML)")
    sp_metadata = requests.get(f"{base}/auth/saml/metadata", timeout=10)
    assert sp_metadata.ok and f'Location="{base}/auth/saml/acs"' in sp_metadata.text
    idp = start_saml_idp(sp_metadata.content)
    sso_config(CHAMPION_SAML_IDP_METADATA=idp.metadata_url)

    page = local_only(new_page())
    page.goto(base + "/auth/login?next=/me")
    check_accessibility(page, "login-with-saml")
    page.click("main a:has-text('Sign in with Mercy Health (SAML)')")
    page.wait_for_url(re.compile(re.escape(idp.base) + r"/sso/redirect.*"))
    page.fill("input[name=user]", "dana")
    page.click("button[type=submit]")
    # The IdP's page posts the signed response to the ACS by itself.
    page.wait_for_url(base + "/me")
    assert "Dana Reyes" in page.inner_text("main")
    check_accessibility(page, "me-after-saml")
    assert urlsplit(page.url).path == "/me"
    assert db.session.scalar(select(ExternalIdentity.kind)) == "saml"


def test_the_admins_single_sign_on_page(app, live_server, new_page, department):
    admin = make_user(Role.ADMIN, "root@example.org")
    base, page = live_server, new_page()
    sign_in(page, base, admin.email)
    page.goto(base + "/admin/sign-in")
    check_accessibility(page, "admin-sso")
    page.fill("input[name=value]", "Gynecologic Oncology")
    page.select_option("select[name=department]", label="Gynecologic Oncology")
    page.click("main button:has-text('Add mapping')")
    page.wait_for_selector("td:has-text('Gynecologic Oncology')")
    assert "now join Gynecologic Oncology" in page.inner_text("main")
    check_accessibility(page, "admin-sso-mapped")
