"""Revocation that offline verifiers can see: a W3C Bitstring Status List v1.0.

Each award has a stable ``status_index`` (its own id, handed out by the database, so two
awards made at the same moment can't share one). Its Open Badges 3.0 credential carries a
``BitstringStatusListEntry`` pointing at bit ``status_index % LIST_SIZE`` of list number
``status_index // LIST_SIZE``, published at ``/issuer/status/<number>`` as a
``BitstringStatusListCredential`` signed like the credentials (VC-JWT, Ed25519). The list
is built from the awards' ``revoked_at`` whenever it is asked for, so revoking an award
is what sets its bit.

``encode`` and ``is_set`` are pure; the rest reads the database through badges.queries.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable
from typing import Any

from champion.badges.models import BadgeAward
from champion.badges.openbadges import iso, issuer_id
from champion.badges.queries import revoked_status_indexes
from champion.database import utcnow
from champion.urls import external_url

# Bits in one list: the specification's minimum of 16 KB, so that one holder's bit hides
# among many (a smaller list would tell a verifier more about who is being checked).
LIST_SIZE = 16 * 1024 * 8
PURPOSE = "revocation"
# A list someone else made could be a gzip bomb; ours are 16 KB.
MAX_LIST_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """An encodedList that can't be read."""


def encode(indexes: Iterable[int], size: int = LIST_SIZE) -> str:
    """The ``encodedList`` with the given bits set: multibase (``u``) base64url, no
    padding, of the GZIP-compressed bitstring; bit 0 is the first byte's leftmost bit."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def is_set(encoded: str, index: int) -> bool:
    """Whether bit ``index`` of an ``encodedList`` is set (decompressed with a bound)."""
    if not encoded.startswith("u"):
        raise StatusListError("the encodedList is not multibase base64url (no 'u' prefix)")
    try:
        compressed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        bits = inflater.decompress(compressed, MAX_LIST_BYTES)
    except (ValueError, zlib.error) as exc:
        raise StatusListError(f"the encodedList can't be decoded: {exc}") from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise StatusListError("the encodedList is too large or truncated")
    if index // 8 >= len(bits):
        raise StatusListError(f"index {index} is beyond the list's {len(bits) * 8} bits")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_url(number: int) -> str:
    return external_url("badges.status_list_credential", number=number)


def status_entry(award: BadgeAward) -> dict[str, str]:
    """The award's ``credentialStatus``."""
    number, bit = divmod(award.status_index, LIST_SIZE)
    return {
        "id": f"{list_url(number)}#{bit}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(bit),
        "statusListCredential": list_url(number),
    }


def status_list_credential(number: int) -> dict[str, Any]:
    """List ``number`` as an unsigned BitstringStatusListCredential, as of now."""
    start = number * LIST_SIZE
    revoked = [index - start for index in revoked_status_indexes(start, start + LIST_SIZE)]
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url(number),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id()},
        "validFrom": iso(utcnow()),
        "credentialSubject": {
            "id": f"{list_url(number)}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(revoked),
        },
    }
