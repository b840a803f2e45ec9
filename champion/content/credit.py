"""Continuing education credit and disclosures, as a series' ``index.md`` designates them.

Pure: plain data in, plain data and ``(line, severity, message)`` problems out. The provider
writes the statements; the platform only checks that they are there and consistent with the
numbers (docs/credit.md).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

Found = tuple[int, str, str]  # (line, "error" or "warning", message)


@dataclass(frozen=True)
class CreditType:
    code: str
    name: str  # as statements and certificates write it
    quarters_only: bool = False  # claimed and designated in 0.25 steps


CREDIT_TYPES: dict[str, CreditType] = {t.code: t for t in (
    CreditType("ama", "AMA PRA Category 1 Credit™", quarters_only=True),
    CreditType("ancc", "ANCC contact hours"),
    CreditType("aapa", "AAPA Category 1 CME credits", quarters_only=True),
    CreditType("acpe", "ACPE contact hours"),
    CreditType("aswb", "ASWB ACE continuing education credits"),
    CreditType("ipce", "IPCE credit™"),
)}


def hundredths(amount: int) -> str:
    """An amount stored in hundredths, as people write it: 175 → "1.75", 100 → "1"."""
    return f"{Decimal(amount) / 100:f}".rstrip("0").rstrip(".") if amount % 100 else \
        str(amount // 100)


def parse_amount(value: Any) -> int | None:
    """A credit amount (1.75, "1.75", 2) in hundredths, or None if it isn't one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number * 100 != int(number * 100):
        return None
    return int(number * 100)


@dataclass(frozen=True)
class CreditOffer:
    type: str  # a CREDIT_TYPES code
    maximum: int  # hundredths
    designation: str
    accreditation: str

    @property
    def name(self) -> str:
        return CREDIT_TYPES[self.type].name


@dataclass(frozen=True)
class CreditDesignation:
    provider: str
    release: date
    expires: date  # the last day credit may be claimed
    offers: tuple[CreditOffer, ...]

    def offer(self, code: str) -> CreditOffer | None:
        return next((o for o in self.offers if o.type == code), None)

    def stored(self) -> dict:
        return {"provider": self.provider, "release": self.release.isoformat(),
                "expires": self.expires.isoformat(), "offers": [asdict(o) for o in self.offers]}

    @classmethod
    def from_stored(cls, data: dict) -> CreditDesignation:
        return cls(provider=data["provider"], release=date.fromisoformat(data["release"]),
                   expires=date.fromisoformat(data["expires"]),
                   offers=tuple(CreditOffer(**o) for o in data["offers"]))


@dataclass(frozen=True)
class DisclosedPerson:
    name: str
    role: str  # "planner" or "faculty"
    relationships: tuple[str, ...]  # empty: no relevant financial relationships


@dataclass(frozen=True)
class Disclosures:
    people: tuple[DisclosedPerson, ...]
    mitigation: str | None
    commercial_support: tuple[str, ...]  # empty: none

    def stored(self) -> dict:
        return {"people": [asdict(p) for p in self.people], "mitigation": self.mitigation,
                "commercial_support": list(self.commercial_support)}

    @classmethod
    def from_stored(cls, data: dict) -> Disclosures:
        return cls(people=tuple(DisclosedPerson(p["name"], p["role"], tuple(p["relationships"]))
                                for p in data["people"]),
                   mitigation=data["mitigation"],
                   commercial_support=tuple(data["commercial_support"]))


# --- reading the YAML, with lines ------------------------------------------------------


class _Node:
    """A YAML value with the file lines of its node and of its key (front matter starts on
    line 2): a missing key is reported at the line of the mapping that lacks it."""

    def __init__(self, value: Any, node: Any, fallback: int, key_line: int | None = None) -> None:
        self.value, self.node = value, node
        self.line = node.start_mark.line + 2 if node is not None else fallback
        self.key_line = key_line or self.line

    def get(self, key: str) -> _Node:
        pair = None
        if isinstance(self.node, yaml.MappingNode):
            pair = next(((k, v) for k, v in self.node.value
                         if getattr(k, "value", None) == key), None)
        value = self.value.get(key) if isinstance(self.value, dict) else None
        if pair is None:
            return _Node(value, None, self.key_line)
        return _Node(value, pair[1], self.key_line, pair[0].start_mark.line + 2)

    def items(self) -> list[_Node]:
        nodes = self.node.value if isinstance(self.node, yaml.SequenceNode) else []
        values = self.value if isinstance(self.value, list) else []
        return [_Node(v, nodes[i] if i < len(nodes) else None, self.line)
                for i, v in enumerate(values)]


def _text(node: _Node, what: str, found: list[Found]) -> str | None:
    if node.value is None:
        found.append((node.key_line, "error", f"missing {what}"))
        return None
    if not isinstance(node.value, str) or not node.value.strip():
        found.append((node.key_line, "error", f"{what} must be a non-empty string"))
        return None
    return " ".join(node.value.split())


def _date(node: _Node, what: str, found: list[Found]) -> date | None:
    value = node.value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value.strip())
    if value is None:
        found.append((node.key_line, "error", f"missing {what} (a date, YYYY-MM-DD)"))
    elif not isinstance(value, date):
        found.append((node.key_line, "error", f"{what} must be a date (YYYY-MM-DD), got {value!r}"))
    else:
        return value
    return None


def _strings(node: _Node, what: str, found: list[Found]) -> tuple[str, ...] | None:
    """A list of statements, or "none" (an empty tuple)."""
    value = node.value
    if isinstance(value, str) and value.strip().casefold() == "none":
        return ()
    if isinstance(value, str) and value.strip():
        return (" ".join(value.split()),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip()
                                                 for v in value):
        return tuple(" ".join(v.split()) for v in value)
    found.append((node.key_line, "error", f"{what} must be \"none\" or a list of statements"))
    return None


def _number_in(text: str, amount: int) -> bool:
    wanted = Decimal(amount) / 100
    return any(Decimal(n) == wanted for n in re.findall(r"\d+(?:\.\d+)?", text))


def parse_credit(meta: dict, root: Any) -> tuple[CreditDesignation | None, Found]:
    """The series' ``credit:`` front matter (``meta``, its YAML node ``root``)."""
    found: list[Found] = []
    credit = _Node(meta, root, 1).get("credit")
    if not isinstance(credit.value, dict):
        found.append((credit.key_line, "error", "'credit' must be a mapping: provider, release, "
                      "expires, accreditation and types"))
        return None, found
    provider = _text(credit.get("provider"), "credit provider (the accredited provider's name)",
                     found)
    release = _date(credit.get("release"), "credit release date", found)
    expires = _date(credit.get("expires"), "credit expiry date", found)
    if release and expires and expires <= release:
        found.append((credit.get("expires").key_line, "error",
                      f"credit expires ({expires}) on or before its release ({release})"))
    shared = credit.get("accreditation")
    accreditation = None
    if shared.value is not None:
        accreditation = _text(shared, "accreditation statement", found)
    types = credit.get("types")
    if not isinstance(types.value, list) or not types.value:
        found.append((types.key_line, "error", "'credit' needs 'types': a list of the credit "
                      f"designated, each a type ({', '.join(CREDIT_TYPES)}) with a maximum and "
                      "a designation statement"))
        return None, found
    offers: list[CreditOffer] = []
    for item in types.items():
        offer = _offer(item, accreditation, {o.type for o in offers}, found)
        if offer is not None:
            offers.append(offer)
    if any(severity == "error" for _, severity, _ in found):
        return None, found
    return CreditDesignation(provider, release, expires, tuple(offers)), found  # type: ignore[arg-type]


def _offer(item: _Node, accreditation: str | None, seen: set[str],
           found: list[Found]) -> CreditOffer | None:
    code = item.get("type").value
    if code not in CREDIT_TYPES:
        found.append((item.line, "error", f"credit type must be one of {', '.join(CREDIT_TYPES)},"
                      f" got {code!r}"))
        return None
    if code in seen:
        found.append((item.line, "error", f"credit type '{code}' is designated twice"))
        return None
    kind = CREDIT_TYPES[code]
    maximum_node = item.get("maximum")
    maximum = parse_amount(maximum_node.value) if maximum_node.value is not None else None
    if maximum is None or not 0 < maximum <= 100_00:
        found.append((maximum_node.line, "error", f"'{code}' maximum must be a number of credits "
                      f"above 0 and at most 100, got {maximum_node.value!r}"))
        maximum = None
    elif kind.quarters_only and maximum % 25:
        found.append((maximum_node.line, "error", f"'{code}' maximum must be in 0.25 "
                      f"increments, got {maximum_node.value!r}"))
        maximum = None
    own = item.get("accreditation")
    statement = _text(own, f"'{code}' accreditation statement", found) \
        if own.value is not None or accreditation is None else accreditation
    designation = _text(item.get("designation"), f"'{code}' designation statement", found)
    if designation and maximum is not None and not _number_in(designation, maximum):
        found.append((item.get("designation").key_line, "error",
                      f"'{code}' designation statement doesn't state the maximum "
                      f"{hundredths(maximum)}"))
    if designation and code == "ama" and "AMA PRA Category 1 Credit" not in designation:
        found.append((item.get("designation").key_line, "warning", "the AMA designation statement "
                      "usually names \"AMA PRA Category 1 Credit(s)™\""))
    if maximum is None or statement is None or designation is None:
        return None
    return CreditOffer(code, maximum, designation, statement)


def parse_disclosures(meta: dict, root: Any) -> tuple[Disclosures | None, Found]:
    """The series' ``disclosures:`` front matter."""
    found: list[Found] = []
    node = _Node(meta, root, 1).get("disclosures")
    if not isinstance(node.value, dict):
        found.append((node.key_line, "error", "'disclosures' must be a mapping: planners, faculty, "
                      "mitigation and commercial_support"))
        return None, found
    people: list[DisclosedPerson] = []
    for role, key in (("planner", "planners"), ("faculty", "faculty")):
        group = node.get(key)
        if not isinstance(group.value, list) or not group.value:
            found.append((group.line, "error", f"disclosures need '{key}': a list of each "
                          "person's name and relationships (\"none\" or a list)"))
            continue
        for person in group.items():
            name = _text(person.get("name"), f"name of a person in '{key}'", found)
            relationships = _strings(person.get("relationships"),
                                     f"relationships of {name or 'a person'}", found)
            if name is not None and relationships is not None:
                people.append(DisclosedPerson(name, role, relationships))
    support = _strings(node.get("commercial_support"), "commercial_support", found)
    mitigation_node = node.get("mitigation")
    mitigation = None
    if mitigation_node.value is not None:
        mitigation = _text(mitigation_node, "mitigation statement", found)
    elif any(p.relationships for p in people):
        found.append((node.key_line, "error", "someone discloses a relevant financial "
                      "relationship: add 'mitigation', how it was mitigated"))
    if any(severity == "error" for _, severity, _ in found):
        return None, found
    return Disclosures(tuple(people), mitigation, support or ()), found
