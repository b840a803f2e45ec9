"""LTI 1.3 messages, as plain functions: checking a platform's id_token and building the
tool's own signed messages (deep-linking responses, client assertions, AGS scores).

No Flask, no database: the caller hands in the registration's facts and the key set.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet, RSAKey

from champion.errors import OperationError

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
LEEWAY = 60  # seconds of clock difference allowed between platform and tool
MAX_AGE = 3600  # an id_token issued longer ago than this is refused, whatever its exp

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR_ROLES = frozenset({
    f"{LIS}membership#Instructor", f"{LIS}membership#ContentDeveloper",
    f"{LIS}membership#Administrator", f"{LIS}institution/person#Administrator",
    f"{LIS}institution/person#Instructor", f"{LIS}institution/person#Faculty",
    f"{LIS}system/person#Administrator",
})


class LaunchError(OperationError):
    """A launch is refused: the message says which check failed, for the page."""


@dataclass(frozen=True)
class Registration:
    """What a launch is checked against: one platform registration's facts."""

    issuer: str
    client_id: str
    deployments: tuple[str, ...]


@dataclass(frozen=True)
class Launch:
    """A checked launch: who, in which role, and what they asked for."""

    message_type: str
    subject: str
    deployment_id: str
    email: str | None
    name: str | None
    roles: frozenset[str]
    custom: dict[str, Any] = field(default_factory=dict)
    resource_link_id: str | None = None
    lineitem_url: str | None = None
    can_post_scores: bool = False
    deep_link_return_url: str | None = None
    deep_link_data: str | None = None

    @property
    def is_instructor(self) -> bool:
        return bool(self.roles & INSTRUCTOR_ROLES)


def check_launch(
    id_token: str,
    registration: Registration,
    nonce: str,
    key_set_for: Callable[[str | None], KeySet],
    now: int | None = None,
) -> Launch:
    """Verify an id_token (signature against the platform's published keys, then every
    claim LTI 1.3 requires) and read the launch from it; refuse with a LaunchError."""
    try:
        header = jws.extract_compact(id_token.encode()).headers()  # only to choose the key
    except (JoseError, ValueError, UnicodeError) as exc:
        raise LaunchError("the launch's id_token is not a JSON Web Token") from exc
    try:
        token = jwt.decode(id_token, key_set_for(header.get("kid")), algorithms=["RS256"])
    except InvalidKeyIdError as exc:
        raise LaunchError("the launch was signed with a key the platform does not "
                          "publish at its JWKS URL") from exc
    except BadSignatureError as exc:
        raise LaunchError("the launch's signature does not match the platform's key") from exc
    except JoseError as exc:
        raise LaunchError(f"the launch's id_token could not be verified ({exc})") from exc
    claims = token.claims
    now = int(time.time()) if now is None else now
    _check_claims(claims, registration, nonce, now)
    return _read(claims)


def _check_claims(claims: dict[str, Any], registration: Registration, nonce: str,
                  now: int) -> None:
    registry = jwt.JWTClaimsRegistry(
        now=now, leeway=LEEWAY,
        iss={"essential": True, "value": registration.issuer},
        sub={"essential": True},
        exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise LaunchError("the launch has expired: start it again from your course") from exc
    except MissingClaimError as exc:
        raise LaunchError(f"the launch is missing its {exc.claim} claim") from exc
    except JoseError as exc:
        claim = getattr(exc, "claim", None) or exc.error
        if claim == "iss":
            raise LaunchError("the launch comes from another issuer than the platform "
                              "registered") from exc
        if claim == "nonce":
            raise LaunchError("the launch's nonce is not the one this login issued "
                              "(a replayed launch)") from exc
        raise LaunchError(f"the launch's {claim} claim is not valid") from exc
    if not isinstance(claims["iat"], int | float) or claims["iat"] < now - MAX_AGE:
        raise LaunchError("the launch was issued too long ago: start it again from your course")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
    if registration.client_id not in audiences:
        raise LaunchError("the launch is addressed to another tool (aud)")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != registration.client_id:
        raise LaunchError("the launch names another authorized party (azp)")
    deployment = claims.get(LTI + "deployment_id")
    if deployment not in registration.deployments:
        raise LaunchError(f"the deployment {deployment!r} is not registered for this "
                          "platform: ask a Champion administrator to add it")
    if claims.get(LTI + "version") != "1.3.0":
        raise LaunchError("only LTI version 1.3.0 launches are accepted")
    message_type = claims.get(LTI + "message_type")
    if message_type not in (RESOURCE_LINK, DEEP_LINKING):
        raise LaunchError(f"the message type {message_type!r} is not supported")
    if message_type == RESOURCE_LINK and not (claims.get(LTI + "resource_link") or {}).get("id"):
        raise LaunchError("the launch has no resource link id")
    if message_type == DEEP_LINKING and not (
            claims.get(DL + "deep_linking_settings") or {}).get("deep_link_return_url"):
        raise LaunchError("the deep-linking request has no return URL")


def _read(claims: dict[str, Any]) -> Launch:
    ags = claims.get(AGS_ENDPOINT) or {}
    settings = claims.get(DL + "deep_linking_settings") or {}
    custom = claims.get(LTI + "custom")
    return Launch(
        message_type=claims[LTI + "message_type"],
        subject=str(claims["sub"]),
        deployment_id=claims[LTI + "deployment_id"],
        email=claims.get("email"),
        name=claims.get("name") or " ".join(
            p for p in (claims.get("given_name"), claims.get("family_name")) if p) or None,
        roles=frozenset(claims.get(LTI + "roles") or []),
        custom=custom if isinstance(custom, dict) else {},
        resource_link_id=(claims.get(LTI + "resource_link") or {}).get("id"),
        lineitem_url=ags.get("lineitem"),
        can_post_scores=AGS_SCORE_SCOPE in (ags.get("scope") or []),
        deep_link_return_url=settings.get("deep_link_return_url"),
        deep_link_data=settings.get("data"),
    )


def sign(claims: dict[str, Any], key: RSAKey) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)


@dataclass(frozen=True)
class LinkItem:
    """One resource a deep-linking response hands back: a module or a series."""

    title: str
    url: str
    custom: dict[str, str]
    graded: bool  # a module: the platform makes a line item out of 100 for it
    text: str | None = None


def deep_linking_response(
    items: Iterable[LinkItem], *, issuer_client_id: str, platform_issuer: str,
    deployment_id: str, data: str | None, key: RSAKey, now: int | None = None,
) -> str:
    """The signed LtiDeepLinkingResponse JWT: the tool is the issuer, the platform the
    audience (LTI Deep Linking 2.0 §4.2)."""
    now = int(time.time()) if now is None else now
    content = []
    for item in items:
        # A new window: Champion refuses to be framed, and its cookies are first-party.
        entry: dict[str, Any] = {"type": "ltiResourceLink", "title": item.title,
                                 "url": item.url, "custom": item.custom,
                                 "window": {"targetName": "_blank"}}
        if item.text:
            entry["text"] = item.text
        if item.graded:
            entry["lineItem"] = {"scoreMaximum": 100, "label": item.title,
                                 "resourceId": item.custom.get("module", "")}
        content.append(entry)
    claims: dict[str, Any] = {
        "iss": issuer_client_id, "aud": platform_issuer, "iat": now, "exp": now + 300,
        "nonce": secrets.token_urlsafe(16),
        LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
        LTI + "deployment_id": deployment_id, DL + "content_items": content,
    }
    if data is not None:
        claims[DL + "data"] = data
    return sign(claims, key)


def client_assertion(client_id: str, token_url: str, key: RSAKey, now: int | None = None) -> str:
    """The JWT a tool authenticates with at the platform's token endpoint (1EdTech
    Security Framework §4.1: issuer and subject the client id, audience the endpoint)."""
    now = int(time.time()) if now is None else now
    return sign({"iss": client_id, "sub": client_id, "aud": token_url, "iat": now,
                 "exp": now + 300, "jti": secrets.token_urlsafe(16)}, key)


def score_document(subject: str, score: int, at: datetime) -> dict[str, Any]:
    """An AGS Score for a passed module: complete and fully graded, out of 100."""
    return {"userId": subject, "scoreGiven": score, "scoreMaximum": 100,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
            "timestamp": at.isoformat(timespec="milliseconds")}
