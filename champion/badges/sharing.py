"""Sharing an award: the link to its verification page and LinkedIn's "Add to profile"."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app

from champion.badges.models import BadgeAward
from champion.urls import external_url

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_add_url(award: BadgeAward) -> str:
    """LinkedIn's add-a-certification form, filled in: the badge's name, the issuer, the
    issue (and expiry) date, the verification page and the credential id."""
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": award.badge.name,
        "organizationName": current_app.config["CHAMPION_ISSUER_NAME"],
        "issueYear": award.awarded_at.year,
        "issueMonth": award.awarded_at.month,
        "certUrl": external_url("badges.assertion", uid=award.uid),
        "certId": award.uid,
    }
    if award.expires_at is not None:
        fields |= {"expirationYear": award.expires_at.year,
                   "expirationMonth": award.expires_at.month}
    return f"{LINKEDIN_ADD}?{urlencode(fields)}"


@dataclass(frozen=True)
class Sharing:
    link: str  # the public verification page
    linkedin: str  # LinkedIn's add-a-certification form, filled in


def sharing(award: BadgeAward) -> Sharing:
    return Sharing(external_url("badges.assertion", uid=award.uid), linkedin_add_url(award))
