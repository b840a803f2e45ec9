"""Who an identity provider says signed in, once its message is verified; and refusals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from champion.errors import OperationError


class SignInRefused(OperationError):
    """An identity provider's answer is not accepted; the message says which check failed."""


@dataclass(frozen=True)
class Identity:
    kind: str  # "oidc" or "saml"
    issuer: str
    subject: str
    email: str | None
    name: str | None
    email_verified: bool
    department_values: tuple[str, ...] = ()


def claim_values(value: object) -> tuple[str, ...]:
    """A claim or attribute as strings: one value, a list of them, or none."""
    if value is None:
        return ()
    items: Iterable[object] = value if isinstance(value, list | tuple) else (value,)
    return tuple(str(v).strip() for v in items if str(v).strip())
