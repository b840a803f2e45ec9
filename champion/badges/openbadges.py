"""Open Badges 2.0 documents for hosted verification: Issuer, BadgeClass, Assertion.

Every id is an absolute URL from ``CHAMPION_BASE_URL`` (see champion.urls), so the
documents mean the same thing wherever they are fetched from.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from flask import current_app

from champion.badges.models import Badge, BadgeAward
from champion.urls import external_url

CONTEXT = "https://w3id.org/openbadges/v2"
MEDIA_TYPE = "application/ld+json"


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def hashed_email(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def issuer_id() -> str:
    return external_url("badges.issuer")


def issuer_profile() -> dict[str, Any]:
    config = current_app.config
    return {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_id(),
        "name": config["CHAMPION_ISSUER_NAME"],
        "url": config["CHAMPION_ISSUER_URL"],
        "email": config["CHAMPION_ISSUER_EMAIL"],
    }


def badge_image_url(badge: Badge) -> str:
    if badge.png is not None:
        return external_url("badges.image_png", slug=badge.slug)
    return external_url("badges.image", slug=badge.slug)


def badge_class(badge: Badge) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": external_url("badges.badge_json", slug=badge.slug),
        "name": badge.name,
        "description": badge.description,
        "image": badge_image_url(badge),
        "criteria": {
            "id": external_url("badges.badge", slug=badge.slug),
            "narrative": badge.narrative,
        },
        "issuer": issuer_id(),
    }


def assertion(award: BadgeAward) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": external_url("badges.assertion_json", uid=award.uid),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": award.salt,
            "identity": award.recipient_identity,
        },
        "badge": external_url("badges.badge_json", slug=award.badge.slug),
        "issuedOn": iso(award.awarded_at),
        "verification": {"type": "hosted"},
        "narrative": award.narrative,
        "evidence": external_url("badges.assertion", uid=award.uid),
    }
    if award.expires_at is not None:
        document["expires"] = iso(award.expires_at)
    return document


def revoked_assertion(award: BadgeAward) -> dict[str, Any]:
    """What a revoked assertion's URL answers (with HTTP 410)."""
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": external_url("badges.assertion_json", uid=award.uid),
        "revoked": True,
        "revocationReason": award.revocation_reason or "Revoked by the issuer.",
    }
