"""Checking a credential file: what `champion badges verify` does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from champion.badges import credentials, status_list
from champion.badges.baking import BakingError, unbake_png, unbake_svg
from champion.badges.models import BadgeAward
from champion.badges.openbadges import iso
from champion.extensions import db
from champion.urls import external_url


@dataclass
class Outcome:
    valid: bool = True
    lines: list[str] = field(default_factory=list)

    def fail(self, line: str) -> None:
        self.valid = False
        self.lines.append(f"invalid: {line}")


def _award_for(identifier: str) -> BadgeAward | None:
    uid = identifier.rsplit(":", 1)[-1].replace("-", "") if identifier.startswith("urn:uuid:") \
        else identifier.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    return db.session.scalar(select(BadgeAward).where(BadgeAward.uid == uid))


def _issuer_records(identifier: str, outcome: Outcome) -> BadgeAward | None:
    award = _award_for(identifier)
    if award is None:
        outcome.fail("this issuer has no record of the award: it was not issued here, or "
                     "its id was altered")
    elif award.revoked:
        outcome.fail(f"revoked on {award.revoked_at:%Y-%m-%d}: {award.revocation_reason}")
    elif award.expired():
        outcome.fail(f"expired on {award.expires_at:%Y-%m-%d}")
    else:
        outcome.lines.append(f"issuer's records: {award.badge.name} awarded to "
                             f"{award.user.name} on {award.awarded_at:%Y-%m-%d}, not revoked")
    return award


def _hosted_assertion(document: object, outcome: Outcome) -> None:
    """An Open Badges 2.0 assertion baked into an image, checked against the records.

    Anyone can bake any JSON into a picture, so nothing in it is taken on trust: its id
    must be one of this issuer's assertion URLs (under ``CHAMPION_BASE_URL``), and the
    recipient, badge and date must be what the issuer's record says.
    """
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        outcome.fail("the baked assertion has no id")
        return
    identifier = document["id"]
    outcome.lines.append(f"Open Badges 2.0 assertion {identifier}")
    prefix = external_url("badges.assertion_json", uid="UID").removesuffix("UID.json")
    if not (identifier.startswith(prefix) and identifier.endswith(".json")):
        outcome.fail(f"the assertion's id is not an assertion of this issuer ({prefix}...)")
        return
    award = _issuer_records(identifier, outcome)
    if award is None:
        return
    recipient = document.get("recipient")
    recipient = recipient if isinstance(recipient, dict) else {}
    expected = {
        "id": external_url("badges.assertion_json", uid=award.uid),
        "recipient": award.recipient_identity,
        "badge": external_url("badges.badge_json", slug=award.badge.slug),
        "issuedOn": iso(award.awarded_at),
    }
    found = {"id": identifier, "recipient": recipient.get("identity"),
             "badge": document.get("badge"), "issuedOn": document.get("issuedOn")}
    if recipient.get("salt") != award.salt:
        found["recipient"] = None  # a hash with another salt can't be the record's
    for name in expected:
        if found[name] != expected[name]:
            outcome.fail(f"the assertion's {name} does not match the issuer's record")


def check_credential_file(path: Path, jwks: dict | None = None) -> Outcome:
    outcome = Outcome()
    data = path.read_bytes()
    try:
        if data.startswith(b"\x89PNG"):
            baked = unbake_png(data)
        elif b"<svg" in data[:2000]:
            baked = unbake_svg(data.decode("utf-8"))
        else:
            baked = data.decode("utf-8").strip()
    except (BakingError, UnicodeDecodeError) as exc:
        outcome.fail(f"unreadable file: {exc}")
        return outcome
    if not baked:
        outcome.fail("no badge is baked into this image")
        return outcome
    if baked.startswith("{"):
        try:
            document = json.loads(baked)
        except json.JSONDecodeError as exc:
            outcome.fail(f"the baked assertion is not JSON: {exc}")
            return outcome
        _hosted_assertion(document, outcome)
        return outcome
    keys = (jwks or credentials.jwks())["keys"]
    result = credentials.verify(baked, keys)
    if not result.valid:
        for error in result.errors:
            outcome.fail(error)
        return outcome
    subject = result.credential["credentialSubject"]["achievement"]["name"]
    outcome.lines.append(f"valid: signed Open Badges 3.0 credential for {subject}, issued by "
                         f"{result.credential['issuer']['name']} on "
                         f"{result.credential['validFrom']}")
    award = _issuer_records(result.credential["id"], outcome)
    if award is not None:
        _credential_status(result.credential, award, outcome)
    return outcome


def _credential_status(credential: dict, award: BadgeAward, outcome: Outcome) -> None:
    """Read the credential's bit in the issuer's status list, as published right now."""
    entry = credential.get("credentialStatus")
    if entry is None:
        outcome.lines.append("no credentialStatus (issued before status lists)")
        return
    if award.status_index is None or entry != status_list.status_entry(award):
        outcome.fail("the credentialStatus does not match the issuer's record")
        return
    published = status_list.status_list_credential(
        award.status_index // status_list.LIST_SIZE)["credentialSubject"]["encodedList"]
    index = int(entry["statusListIndex"])
    if status_list.is_set(published, index):
        outcome.fail(f"revoked: bit {index} of {entry['statusListCredential']} is set")
    else:
        outcome.lines.append(f"status list: bit {index} of {entry['statusListCredential']} "
                             "is clear (not revoked)")
