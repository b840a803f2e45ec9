"""Open Badges 3.0: each award as a signed, self-verifying OpenBadgeCredential (VC-JWT).

The issuer signs with an Ed25519 key kept under the instance folder (created on first
use, readable only by its owner). The public key is published at ``/issuer/jwks.json``
and carried in each token's header, so a credential can be checked offline: signature,
issuer, validity dates. Revocation is published in the issuer's Bitstring Status List
(``credentialStatus``, see badges/status_list.py); ``champion badges verify`` reads it
from the database when it runs beside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from champion.badges import status_list
from champion.badges.models import BadgeAward
from champion.badges.openbadges import badge_image_url, iso, issuer_id
from champion.keyfiles import read_or_create
from champion.urls import external_url

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
MEDIA_TYPE = "application/vc+jwt"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_path() -> Path:
    configured = current_app.config.get("CHAMPION_ISSUER_KEY_FILE")
    if configured:
        return Path(configured)
    return Path(current_app.instance_path) / "issuer-ed25519.pem"


def issuer_key() -> Ed25519PrivateKey:
    """The issuer's signing key, created once (atomically, even with several workers)."""
    cached = current_app.extensions.get("champion.issuer_key")
    if cached is not None:
        return cached
    path = key_path()
    pem = read_or_create(path, lambda: Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} is not an Ed25519 private key")
    current_app.extensions["champion.issuer_key"] = key
    return key


def public_jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    x = _b64url(key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    # RFC 7638 thumbprint: a key id that anyone can recompute from the key itself.
    thumbprint = _b64url(hashlib.sha256(
        json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":")).encode()
    ).digest())
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": thumbprint, "alg": "EdDSA",
            "use": "sig"}


def jwks() -> dict[str, list[dict[str, str]]]:
    return {"keys": [public_jwk(issuer_key())]}


def credential_id(award: BadgeAward) -> str:
    return f"urn:uuid:{uuid.UUID(hex=award.uid)}"


def credential(award: BadgeAward) -> dict[str, Any]:
    """The award as an OpenBadgeCredential (Open Badges 3.0, VC data model 2.0)."""
    config = current_app.config
    badge = award.badge
    document: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": credential_id(award),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": config["CHAMPION_ISSUER_NAME"],
            "url": config["CHAMPION_ISSUER_URL"],
            "email": config["CHAMPION_ISSUER_EMAIL"],
        },
        "validFrom": iso(award.awarded_at),
        "name": badge.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": award.recipient_identity,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": award.salt,
            }],
            "achievement": {
                "id": external_url("badges.badge_json", slug=badge.slug),
                "type": ["Achievement"],
                "name": badge.name,
                "description": badge.description,
                "criteria": {"id": external_url("badges.badge", slug=badge.slug),
                             "narrative": award.narrative},
                "image": {"id": badge_image_url(badge), "type": "Image"},
            },
        },
    }
    if award.expires_at is not None:
        document["validUntil"] = iso(award.expires_at)
    if award.status_index is not None:
        document["credentialStatus"] = status_list.status_entry(award)
    return document


def _epoch(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def sign(document: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """A VC-JWT (Open Badges 3.0 §8.2): the credential is the payload, with registered
    claims derived from it and the public key in the header."""
    payload = dict(document)
    payload.update(iss=document["issuer"]["id"], jti=document["id"],
                   nbf=_epoch(document["validFrom"]))
    if "validUntil" in document:
        payload["exp"] = _epoch(document["validUntil"])
    jwk = public_jwk(key)
    return jwt.encode(payload, key, algorithm="EdDSA",
                      headers={"typ": "JWT", "kid": jwk["kid"], "jwk": jwk})


@dataclass
class Verification:
    valid: bool
    errors: list[str] = field(default_factory=list)
    credential: dict[str, Any] | None = None


def verify(token: str, trusted_keys: list[dict[str, str]]) -> Verification:
    """Check a VC-JWT against the issuer's published keys, offline."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        return Verification(False, [f"not a JWT: {exc}"])
    key = next((k for k in trusted_keys if k.get("kid") == header.get("kid")), None)
    if key is None:
        return Verification(False, ["signed with a key this issuer does not publish"])
    try:
        payload = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["EdDSA"],
                             options={"require": ["iss", "jti", "nbf"]})
    except jwt.ExpiredSignatureError:
        return Verification(False, ["the credential has expired (validUntil has passed)"])
    except jwt.PyJWTError as exc:
        return Verification(False, [f"the signature or claims do not verify: {exc}"])
    errors = []
    if "OpenBadgeCredential" not in payload.get("type", []):
        errors.append("not an OpenBadgeCredential")
    if payload.get("iss") != payload.get("issuer", {}).get("id"):
        errors.append("iss does not match the credential's issuer")
    if payload.get("jti") != payload.get("id"):
        errors.append("jti does not match the credential's id")
    if payload.get("@context", [None])[0] != CONTEXTS[0]:
        errors.append("the first @context must be the VC 2.0 context")
    return Verification(not errors, errors, payload)
