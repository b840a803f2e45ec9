"""SAML 2.0 sign-in (pysaml2, with Debian's xmlsec1): the service provider's metadata, the
authentication request, and the checks on the response posted to the ACS.

pysaml2 checks the signature (assertions must be signed by a key in the IdP's metadata),
the audience, the recipient and destination, InResponseTo and the time window; replays are
refused by ``operations.use_assertion``. No database and no session here.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_TRANSIENT
from saml2.time_util import str_to_time
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from champion.sso.identity import Identity, SignInRefused, claim_values

TIMEOUT = 10
METADATA_LIFETIME = 3600
CLOCK_SKEW = 60  # seconds of difference accepted between our clock and the IdP's
# Where providers usually put the address and the name, when not told otherwise.
EMAIL_ATTRIBUTES = ("mail", "email", "emailAddress", "urn:oid:0.9.2342.19200300.100.1.3",
                    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress")
NAME_ATTRIBUTES = ("displayName", "urn:oid:2.16.840.1.113730.3.1.241",
                   "http://schemas.microsoft.com/identity/claims/displayname", "name", "cn")
GIVEN_FAMILY = (("givenName", "sn"),
                ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                 "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"))


@dataclass(frozen=True)
class SamlSettings:
    idp_metadata: str  # a URL or a file
    key_file: str
    cert_file: str
    email_attribute: str | None
    label: str


def saml_settings(config: Mapping[str, Any]) -> SamlSettings | None:
    if not config.get("CHAMPION_SAML_IDP_METADATA"):
        return None
    return SamlSettings(config["CHAMPION_SAML_IDP_METADATA"],
                        config["CHAMPION_SAML_SP_KEY_FILE"], config["CHAMPION_SAML_SP_CERT_FILE"],
                        config.get("CHAMPION_SAML_EMAIL_ATTRIBUTE"),
                        config["CHAMPION_SAML_LABEL"])


def entity_id(base_url: str) -> str:
    return f"{base_url}/auth/saml/metadata"


def acs_url(base_url: str) -> str:
    return f"{base_url}/auth/saml/acs"


_clients: dict[tuple, tuple[float, Saml2Client]] = {}


def _idp_metadata(source: str) -> str:
    if source.startswith(("https://", "http://")):
        try:
            response = requests.get(source, timeout=TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise SignInRefused(f"the identity provider's metadata could not be read from "
                                f"{source} ({exc.__class__.__name__}); try again later") from exc
        return response.text
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise SignInRefused(f"the identity provider's metadata file {source} could not be "
                            f"read ({exc.strerror})") from exc


def client(settings: SamlSettings, base_url: str) -> Saml2Client:
    """The service provider, with the IdP's metadata read at most once an hour per worker."""
    key = (settings, base_url)
    cached = _clients.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    sp = Saml2Client(config=_sp_config(settings, base_url,
                                       _idp_metadata(settings.idp_metadata)))
    if not list(sp.metadata.identity_providers()):
        raise SignInRefused(f"{settings.idp_metadata} describes no identity provider; check "
                            "CHAMPION_SAML_IDP_METADATA")
    _clients[key] = (time.monotonic() + METADATA_LIFETIME, sp)
    return sp


def _sp_config(settings: SamlSettings, base_url: str, idp_metadata: str | None) -> SPConfig:
    try:
        return _load_sp_config(settings, base_url, idp_metadata)
    # pysaml2 reports an unreadable key, certificate or metadata with many exception classes.
    except Exception as exc:
        raise SignInRefused(f"the SAML configuration could not be loaded "
                            f"({type(exc).__name__}: {str(exc)[:200]}); check "
                            "CHAMPION_SAML_IDP_METADATA, CHAMPION_SAML_SP_KEY_FILE and "
                            "CHAMPION_SAML_SP_CERT_FILE") from exc


def _load_sp_config(settings: SamlSettings, base_url: str,
                    idp_metadata: str | None) -> SPConfig:
    config = SPConfig()
    config.load({
        "entityid": entity_id(base_url),
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(acs_url(base_url), BINDING_HTTP_POST)]},
            "want_assertions_signed": True,
            "want_response_signed": False,
            "authn_requests_signed": True,
            "allow_unsolicited": False,  # IdP-initiated sign-in is refused: no InResponseTo
            "name_id_format_allow_create": True,
        }},
        "key_file": settings.key_file, "cert_file": settings.cert_file,
        "encryption_keypairs": [{"key_file": settings.key_file,
                                 "cert_file": settings.cert_file}],
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "metadata": {"inline": [idp_metadata]} if idp_metadata else {},
        "accepted_time_diff": CLOCK_SKEW,
        "allow_unknown_attributes": True,
    })
    return config


def metadata_xml(settings: SamlSettings, base_url: str) -> bytes:
    """This service provider's metadata, for the IdP's administrator (it needs no IdP yet:
    registering Champion with the IdP comes first)."""
    data = create_metadata_string(None, _sp_config(settings, base_url, None), valid=24 * 365,
                                  sign=False)
    return data if isinstance(data, bytes) else data.encode()


def request_id(secret: str) -> str:
    """A fresh AuthnRequest ID that proves it was made here: it travels as RelayState, so the
    ACS (posted to from the IdP's site, without this site's cookies) knows it was ours."""
    nonce = secrets.token_hex(12)
    return f"id-{nonce}-{_mac(secret, nonce)}"


def _mac(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), f"saml-request:{nonce}".encode(),
                    hashlib.sha256).hexdigest()[:20]


def is_our_request_id(secret: str, value: str) -> bool:
    parts = value.split("-")
    return len(parts) == 3 and parts[0] == "id" and hmac.compare_digest(
        _mac(secret, parts[1]), parts[2])


def begin(settings: SamlSettings, base_url: str, secret: str) -> tuple[str, str]:
    """The IdP's sign-in URL (a signed AuthnRequest) and the request's ID."""
    sp = client(settings, base_url)
    idps = list(sp.metadata.identity_providers())
    if len(idps) != 1:
        raise SignInRefused(f"the IdP metadata names {len(idps)} identity providers; "
                            "Champion needs exactly one")
    wanted = request_id(secret)
    reqid, info = sp.prepare_for_authenticate(
        entityid=idps[0], relay_state=wanted, binding=BINDING_HTTP_REDIRECT, sign=True,
        sigalg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256, message_id=wanted)
    return dict(info["headers"])["Location"], reqid


# pysaml2 raises a different exception for each failed check; the name says which.
REFUSALS = {
    "SignatureError": "bad signature: the response is not signed by the identity provider's "
                      "key in its metadata",
    "IncorrectlySigned": "bad signature: the response is not signed by the identity "
                         "provider's key in its metadata",
    "ResponseLifetimeExceed": "the assertion has expired; sign in again",
    "ToEarly": "the assertion is not valid yet; check the servers' clocks",
    "UnsolicitedResponse": "this response answers no sign-in started here",
    "StatusError": "the identity provider did not sign you in",
}


def _refusal(exc: Exception) -> str:
    if type(exc).__name__ == "MissingKey":  # no key for this issuer in the metadata
        return (f"unknown issuer: {exc} is not the identity provider in Champion's metadata "
                "(CHAMPION_SAML_IDP_METADATA)")
    return REFUSALS.get(type(exc).__name__) or _named_refusal(f"{type(exc).__name__}: {exc}")


def finish(settings: SamlSettings, base_url: str, saml_response: str, expected_request: str,
           department_claim: str | None) -> tuple[Identity, str, datetime]:
    """A verified response's identity, its assertion's ID and when that assertion expires."""
    sp = client(settings, base_url)
    try:
        response = sp.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={expected_request: "/"})
    # pysaml2 signals each failed check with its own exception class, from several modules.
    except Exception as exc:
        raise SignInRefused(_refusal(exc)) from exc
    if response is None or response.assertion is None:
        destination = getattr(getattr(response, "response", None), "destination", None)
        if destination and destination != acs_url(base_url):
            raise SignInRefused(f"wrong recipient: the response is addressed to {destination}, "
                                "not to Champion's ACS")
        raise SignInRefused("the identity provider's response holds no assertion")
    assertion = response.assertion
    if not response.came_from:
        raise SignInRefused("this response answers no sign-in started here")
    issuer = assertion.issuer.text.strip() if assertion.issuer is not None else ""
    name_id = assertion.subject.name_id if assertion.subject is not None else None
    if name_id is None or not (name_id.text or "").strip():
        raise SignInRefused("the assertion names no subject (NameID)")
    if name_id.format == NAMEID_FORMAT_TRANSIENT:
        raise SignInRefused("the identity provider sent a transient NameID, which changes at "
                            "every sign-in; configure a persistent NameID for Champion")
    attributes = _attributes(response)
    email = _first(attributes, (settings.email_attribute,)) if settings.email_attribute else (
        name_id.text.strip() if name_id.format == NAMEID_FORMAT_EMAILADDRESS
        else _first(attributes, EMAIL_ATTRIBUTES))
    identity = Identity(
        kind="saml", issuer=issuer, subject=name_id.text.strip(), email=email,
        name=_name(attributes), email_verified=True,  # the IdP the admin configured vouches
        department_values=tuple(v for value in attributes.get(department_claim, ())
                                for v in claim_values(value)) if department_claim else ())
    return identity, assertion.id, _expiry(assertion)


def _named_refusal(message: str) -> str:
    lowered = message.lower()
    if "audience" in lowered or "not for me" in lowered:
        return "wrong audience: the assertion was made for another service, not Champion"
    if "recipient" in lowered or "destination" in lowered:
        return "wrong recipient: the response was sent for another address than Champion's ACS"
    if "signature" in lowered or "signed" in lowered or "issuer" in lowered:
        return ("bad signature or unknown issuer: the response is not signed by the identity "
                "provider in Champion's metadata")
    if "on_or_after" in lowered or "expired" in lowered or "lifetime" in lowered:
        return "the assertion has expired; sign in again"
    return f"the identity provider's response was refused ({message[:200]})"


def _attributes(response) -> dict[str, list[str]]:
    """Every attribute under each of its names: as sent, its friendly name, pysaml2's."""
    found: dict[str, list[str]] = {name: [str(v) for v in values]
                                   for name, values in (response.ava or {}).items()}
    for statement in response.assertion.attribute_statement or []:
        for attribute in statement.attribute:
            values = [(v.text or "").strip() for v in attribute.attribute_value]
            for name in (attribute.name, attribute.friendly_name):
                if name:
                    found.setdefault(name, values)
    return found


def _first(attributes: Mapping[str, list[str]], names) -> str | None:
    lowered = {k.lower(): v for k, v in attributes.items()}
    for name in names:
        values = attributes.get(name) or lowered.get(name.lower()) or []
        if values and values[0]:
            return values[0]
    return None


def _name(attributes: Mapping[str, list[str]]) -> str | None:
    name = _first(attributes, NAME_ATTRIBUTES)
    if name:
        return name
    for given, family in GIVEN_FAMILY:
        parts = [_first(attributes, (given,)), _first(attributes, (family,))]
        if any(parts):
            return " ".join(p for p in parts if p)
    return None


def _expiry(assertion) -> datetime:
    """When the assertion stops being usable (the latest of its limits), as the replay
    cache's expiry; an hour when it names none."""
    moments = []
    if assertion.conditions is not None and assertion.conditions.not_on_or_after:
        moments.append(assertion.conditions.not_on_or_after)
    for confirmation in assertion.subject.subject_confirmation or []:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            moments.append(data.not_on_or_after)
    if not moments:
        return datetime.now(UTC) + timedelta(hours=1)
    latest = max(calendar.timegm(str_to_time(m)) for m in moments)
    return datetime.fromtimestamp(latest, UTC) + timedelta(seconds=CLOCK_SKEW)
