"""OpenID Connect sign-in (Authlib): discovery, the authorization code flow with PKCE, and the
checks on what comes back (state, issuer, the ID token's signature, audience, expiry, nonce).

No database and no session here: ``begin`` returns what the view keeps in the session,
``finish`` takes it back with the provider's answer and returns a verified ``Identity``.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from champion.sso.identity import Identity, SignInRefused, claim_values

TIMEOUT = 10  # seconds for each call to the provider
METADATA_LIFETIME = 3600  # discovery and keys are read again after an hour
CLOCK_SKEW = 60  # seconds either way between our clock and the provider's
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                      "ES512", "EdDSA")  # never "none", never a shared-secret HMAC


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    label: str


def oidc_settings(config: Mapping[str, Any]) -> OidcSettings | None:
    """The configured provider, or None when OpenID Connect sign-in is off."""
    if not config.get("CHAMPION_OIDC_ISSUER"):
        return None
    return OidcSettings(config["CHAMPION_OIDC_ISSUER"], config["CHAMPION_OIDC_CLIENT_ID"],
                        config["CHAMPION_OIDC_CLIENT_SECRET"], config["CHAMPION_OIDC_LABEL"])


def now() -> float:
    """The clock the ID token's times are checked against (a test may move it)."""
    return time.time()


_documents: dict[str, tuple[float, dict]] = {}


def _get_json(url: str, what: str) -> dict:
    cached = _documents.get(url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInRefused(f"the identity provider's {what} could not be read from {url} "
                            f"({exc.__class__.__name__}); try again later") from exc
    _documents[url] = (time.monotonic() + METADATA_LIFETIME, document)
    return document


def _stale(url: str) -> bool:
    """Read over a minute ago: a token that fails may be signed with a newer key. Younger
    keys are not read again, so forged tokens can't make Champion hammer the provider."""
    cached = _documents.get(url)
    return cached is None or cached[0] - METADATA_LIFETIME < time.monotonic() - 60


def provider_metadata(issuer: str) -> dict:
    """The discovery document, which must name the configured issuer as its own."""
    metadata = _get_json(f"{issuer}/.well-known/openid-configuration", "discovery document")
    if metadata.get("issuer") != issuer:
        _documents.pop(f"{issuer}/.well-known/openid-configuration", None)
        raise SignInRefused(
            f"unknown issuer: the provider at {issuer} calls itself "
            f"{metadata.get('issuer')!r}, not the issuer Champion trusts "
            "(CHAMPION_OIDC_ISSUER)")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not metadata.get(key):
            raise SignInRefused(f"the identity provider's discovery document has no {key}")
    return metadata


def token_auth_method(metadata: Mapping[str, Any]) -> str:
    """client_secret_basic when the provider offers it (the default), else client_secret_post."""
    offered = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    for method in ("client_secret_basic", "client_secret_post"):
        if method in offered:
            return method
    raise SignInRefused("the identity provider accepts neither client_secret_basic nor "
                        f"client_secret_post at its token endpoint (it offers {offered})")


def _session(settings: OidcSettings, redirect_uri: str, metadata: Mapping[str, Any]):
    return OAuth2Session(settings.client_id, settings.client_secret,
                         scope="openid email profile", redirect_uri=redirect_uri,
                         code_challenge_method="S256",
                         token_endpoint_auth_method=token_auth_method(metadata))


def begin(settings: OidcSettings, redirect_uri: str) -> tuple[str, dict[str, str]]:
    """The provider's sign-in URL, and what to keep in the session until the callback."""
    metadata = provider_metadata(settings.issuer)
    verifier, nonce = generate_token(48), generate_token(24)
    with _session(settings, redirect_uri, metadata) as client:
        url, state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    return url, {"state": state, "nonce": nonce, "verifier": verifier}


def finish(settings: OidcSettings, redirect_uri: str, pending: Mapping[str, str],
           answer: Mapping[str, str], department_claim: str | None) -> Identity:
    """Check the provider's answer at the callback and return who signed in."""
    # The state first: an error's text is shown and audited only when it answers the
    # sign-in this browser started (not from any link), and only its first 200 characters.
    if not hmac.compare_digest(str(answer.get("state") or ""), pending["state"]):
        raise SignInRefused("the sign-in's state does not match the one this browser started "
                            "(a tampered or stale link); sign in again from the start")
    if answer.get("error"):
        said = " ".join(str(answer.get("error_description") or answer["error"]).split())
        raise SignInRefused(f"the identity provider did not sign you in: {said[:200]}")
    metadata = provider_metadata(settings.issuer)
    if answer.get("iss") is not None and answer["iss"] != settings.issuer:
        raise SignInRefused(f"unknown issuer: the answer comes from {answer['iss']!r}")
    if not answer.get("code"):
        raise SignInRefused("the identity provider sent no authorization code")
    try:
        with _session(settings, redirect_uri, metadata) as client:
            token = client.fetch_token(metadata["token_endpoint"], code=answer["code"],
                                       code_verifier=pending["verifier"],
                                       grant_type="authorization_code", timeout=TIMEOUT)
    except (AuthlibBaseError, requests.RequestException, ValueError) as exc:
        raise SignInRefused("the identity provider did not accept the sign-in code "
                            f"({getattr(exc, 'error', None) or exc.__class__.__name__}); "
                            "sign in again from the start") from exc
    if not token.get("id_token"):
        raise SignInRefused("the identity provider sent no ID token")
    claims = verify_id_token(token["id_token"], settings=settings, metadata=metadata,
                             nonce=pending["nonce"])
    if "email" not in claims and metadata.get("userinfo_endpoint"):
        claims = {**_userinfo(metadata["userinfo_endpoint"], token, claims["sub"]), **claims}
    return Identity(
        kind="oidc", issuer=settings.issuer, subject=str(claims["sub"]),
        email=claims.get("email"), name=_name(claims),
        # Entra ID sends no email_verified; its xms_edov says the domain's owner vouches.
        email_verified=claims.get("email_verified") in (True, "true")
        or claims.get("xms_edov") in (True, "true", "1"),
        department_values=claim_values(claims.get(department_claim))
        if department_claim else ())


def _name(claims: Mapping[str, Any]) -> str | None:
    given = " ".join(str(claims[k]) for k in ("given_name", "family_name") if claims.get(k))
    return claims.get("name") or given or None


def _userinfo(endpoint: str, token: Mapping[str, Any], subject: str) -> dict:
    try:
        response = requests.get(endpoint, timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {token['access_token']}"})
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise SignInRefused("the identity provider's user information could not be read "
                            f"({exc.__class__.__name__})") from exc
    if str(info.get("sub")) != subject:  # OpenID Connect Core 5.3.2
        raise SignInRefused("the identity provider's user information is about someone else")
    return info


def verify_id_token(id_token: str, *, settings: OidcSettings, metadata: Mapping[str, Any],
                    nonce: str) -> dict:
    """The ID token's claims once its signature (the provider's published keys), issuer,
    audience, expiry and nonce are checked; each failure refused, named."""
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in offered if a in SIGNING_ALGORITHMS]
    try:
        try:
            decoded = jwt.decode(id_token, KeySet.import_key_set(
                _get_json(metadata["jwks_uri"], "signing keys")), algorithms=algorithms)
        except JoseError:
            if not _stale(metadata["jwks_uri"]):
                raise
            _documents.pop(metadata["jwks_uri"], None)  # keys rotated since: read them again
            decoded = jwt.decode(id_token, KeySet.import_key_set(
                _get_json(metadata["jwks_uri"], "signing keys")), algorithms=algorithms)
    except (JoseError, ValueError) as exc:
        raise SignInRefused("bad signature: the ID token is not signed by the identity "
                            f"provider's published keys ({exc.__class__.__name__})") from exc
    claims = dict(decoded.claims)
    if claims.get("iss") != settings.issuer:
        raise SignInRefused(f"unknown issuer: the ID token was issued by {claims.get('iss')!r}")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if settings.client_id not in audiences or (
            len(audiences) > 1 and claims.get("azp") != settings.client_id):
        raise SignInRefused("wrong audience: the ID token was issued to another application "
                            f"({audience!r}), not to Champion ({settings.client_id})")
    moment = now()
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] < moment - CLOCK_SKEW:
        raise SignInRefused("the ID token has expired; sign in again")
    if isinstance(claims.get("iat"), int | float) and claims["iat"] > moment + CLOCK_SKEW:
        raise SignInRefused("the ID token was issued in the future; check the server's clock")
    if not hmac.compare_digest(str(claims.get("nonce") or ""), nonce):
        raise SignInRefused("the ID token's nonce does not match this sign-in (a replayed "
                            "token); sign in again from the start")
    if not claims.get("sub"):
        raise SignInRefused("the ID token names no subject")
    return claims
