"""Configuration for each environment, read from ``CHAMPION_*`` environment variables.

Values are read when the app is created, not at import, so a process (or a test)
can set the environment first.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent


class ConfigurationError(RuntimeError):
    """The app refuses to start with this configuration."""


def _base(environ: Mapping[str, str]) -> dict[str, Any]:
    modules_dir = environ.get("CHAMPION_MODULES_DIR") or str(PROJECT_ROOT / "modules")
    return {
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": environ.get("CHAMPION_DATABASE_URL") or None,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CHAMPION_MODULES_DIR": modules_dir,
        "CHAMPION_BASE_URL": (environ.get("CHAMPION_BASE_URL") or "").rstrip("/") or None,
        "CHAMPION_ISSUER_NAME": environ.get("CHAMPION_ISSUER_NAME")
        or "Champion Palliative Care Programme (demo issuer)",
        "CHAMPION_ISSUER_URL": environ.get("CHAMPION_ISSUER_URL") or "https://champion.example.org",
        "CHAMPION_ISSUER_EMAIL": environ.get("CHAMPION_ISSUER_EMAIL")
        or "badges@champion.example.org",
        # How many reverse proxies stand in front (trust that many X-Forwarded-* hops).
        "CHAMPION_PROXIES": int(environ.get("CHAMPION_PROXIES") or 0),
        # Rate limits live here; shared across workers when it is a Redis URL.
        "CHAMPION_RATELIMIT_STORAGE_URL": environ.get("CHAMPION_RATELIMIT_STORAGE_URL") or None,
        "CHAMPION_SMTP_HOST": environ.get("CHAMPION_SMTP_HOST") or None,
        "CHAMPION_SMTP_PORT": int(environ.get("CHAMPION_SMTP_PORT") or 25),
        "CHAMPION_SMTP_USERNAME": environ.get("CHAMPION_SMTP_USERNAME") or None,
        "CHAMPION_SMTP_PASSWORD": environ.get("CHAMPION_SMTP_PASSWORD") or None,
        "CHAMPION_SMTP_STARTTLS": (environ.get("CHAMPION_SMTP_STARTTLS") or "").lower()
        in ("1", "true", "yes"),
        "CHAMPION_MAIL_FROM": environ.get("CHAMPION_MAIL_FROM") or "champion@localhost",
        # The Ed25519 key that signs Open Badges 3.0 credentials (made on first use).
        "CHAMPION_ISSUER_KEY_FILE": environ.get("CHAMPION_ISSUER_KEY_FILE") or None,
        # The RS256 key the LTI tool signs with (made on first use; see docs/deployment.md).
        "CHAMPION_LTI_KEY_FILE": environ.get("CHAMPION_LTI_KEY_FILE") or None,
        # Where drafts' uploads wait until published (default: drafts/ in the instance
        # folder). Private: never served to learners. Shared by every worker.
        "CHAMPION_DRAFTS_DIR": environ.get("CHAMPION_DRAFTS_DIR") or None,
        # xAPI statements to a learning record store: none are written without an endpoint.
        "CHAMPION_XAPI_ENDPOINT": _xapi_endpoint(environ.get("CHAMPION_XAPI_ENDPOINT") or None),
        "CHAMPION_XAPI_USERNAME": environ.get("CHAMPION_XAPI_USERNAME") or None,
        "CHAMPION_XAPI_PASSWORD": environ.get("CHAMPION_XAPI_PASSWORD") or None,
        # How learners appear in statements: "account" (an opaque name) or "mbox_sha1sum".
        "CHAMPION_XAPI_ACTOR": _xapi_actor(environ),
        # Single sign-on (champion/sso): OpenID Connect and SAML 2.0; unset: not offered.
        "CHAMPION_OIDC_ISSUER": (environ.get("CHAMPION_OIDC_ISSUER") or "").rstrip("/") or None,
        "CHAMPION_OIDC_CLIENT_ID": environ.get("CHAMPION_OIDC_CLIENT_ID") or None,
        "CHAMPION_OIDC_CLIENT_SECRET": environ.get("CHAMPION_OIDC_CLIENT_SECRET") or None,
        "CHAMPION_OIDC_LABEL": environ.get("CHAMPION_OIDC_LABEL")
        or "Sign in with your organization",
        "CHAMPION_SAML_IDP_METADATA": environ.get("CHAMPION_SAML_IDP_METADATA") or None,
        "CHAMPION_SAML_SP_KEY_FILE": environ.get("CHAMPION_SAML_SP_KEY_FILE") or None,
        "CHAMPION_SAML_SP_CERT_FILE": environ.get("CHAMPION_SAML_SP_CERT_FILE") or None,
        "CHAMPION_SAML_EMAIL_ATTRIBUTE": environ.get("CHAMPION_SAML_EMAIL_ATTRIBUTE") or None,
        "CHAMPION_SAML_LABEL": environ.get("CHAMPION_SAML_LABEL")
        or "Sign in with your organization (SAML)",
        "CHAMPION_SSO_DEPARTMENT_CLAIM": environ.get("CHAMPION_SSO_DEPARTMENT_CLAIM") or None,
        # Passwords hash with Werkzeug's default (scrypt) unless a method is named.
        "PASSWORD_HASH_METHOD": None,
        "PASSWORD_MIN_LENGTH": 12,
        # A quiz page may sit open for a long time; the token is bound to the session anyway.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # "Keep me signed in" lasts two weeks from sign-in, not Flask-Login's year: a
        # clinician's own device stays signed in across a rota, and a cookie copied off a
        # device (also ended by signing out or a new password) is worth two weeks at most.
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        # SCIM provisioning (/scim/v2) answers only this bearer token; unset: SCIM is off.
        "CHAMPION_SCIM_TOKEN": _scim_token(environ.get("CHAMPION_SCIM_TOKEN") or None),
        # Two-factor required of administrators before any admin page.
        "CHAMPION_REQUIRE_2FA_ADMIN": _switch(environ, "CHAMPION_REQUIRE_2FA_ADMIN", False),
        # off: no password sign-in, sign-up or reset, except admins with two-factor on.
        "CHAMPION_PASSWORD_SIGNIN": _switch(environ, "CHAMPION_PASSWORD_SIGNIN", True),
    }


def _xapi_endpoint(url: str | None) -> str | None:
    """An http(s) address with no credentials in it (they go in CHAMPION_XAPI_USERNAME and
    _PASSWORD, never into error messages and logs that quote the address)."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("CHAMPION_XAPI_ENDPOINT must not hold credentials: set "
                                 "CHAMPION_XAPI_USERNAME and CHAMPION_XAPI_PASSWORD")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"CHAMPION_XAPI_ENDPOINT must be an http(s) URL; got {url!r}")
    return url


def _xapi_actor(environ: Mapping[str, str]) -> str:
    kind = environ.get("CHAMPION_XAPI_ACTOR") or "account"
    if kind not in ("account", "mbox_sha1sum"):
        raise ConfigurationError(f"CHAMPION_XAPI_ACTOR must be account or mbox_sha1sum; got "
                                 f"{kind!r}")
    return kind


def _switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = (environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    raise ConfigurationError(f"{name} must be on or off; got {value!r}")


SCIM_TOKEN_MIN_LENGTH = 32


def _scim_token(token: str | None) -> str | None:
    if token is not None and len(token) < SCIM_TOKEN_MIN_LENGTH:
        raise ConfigurationError(
            f"CHAMPION_SCIM_TOKEN is too short: use at least {SCIM_TOKEN_MIN_LENGTH} random "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return token


def development(environ: Mapping[str, str]) -> dict[str, Any]:
    config = _base(environ)
    config["SECRET_KEY"] = config["SECRET_KEY"] or secrets.token_hex(32)
    return config


def testing(environ: Mapping[str, str]) -> dict[str, Any]:
    config = _base(environ)
    config.update(
        TESTING=True,
        SECRET_KEY="testing-secret-key",
        SQLALCHEMY_DATABASE_URI=environ.get("TEST_DATABASE_URL") or None,
        # Tests sign in often: hash cheaply there, never elsewhere.
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1",
    )
    return config


def production(environ: Mapping[str, str]) -> dict[str, Any]:
    config = _base(environ)
    if not config["SECRET_KEY"]:
        raise ConfigurationError(
            "SECRET_KEY is not set: production refuses to start without it "
            "(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    if not config["CHAMPION_BASE_URL"]:
        # Without it, links in emails (password resets) would take their host from the
        # request's Host or X-Forwarded-Host header: anyone could send a reset email
        # pointing at a host of their choosing.
        raise ConfigurationError(
            "CHAMPION_BASE_URL is not set: production refuses to start without it "
            "(the site's public address, e.g. https://champion.example-hospital.org)"
        )
    config.update(
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
        PREFERRED_URL_SCHEME="https",
    )
    return config


ENVIRONMENTS = {"development": development, "testing": testing, "production": production}


def load(env: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings for ``env`` (development, testing or production)."""
    if env not in ENVIRONMENTS:
        raise ConfigurationError(
            f"CHAMPION_ENV must be one of {', '.join(ENVIRONMENTS)}; got {env!r}"
        )
    settings = ENVIRONMENTS[env](os.environ if environ is None else environ)
    settings["CHAMPION_ENV"] = env
    return settings
