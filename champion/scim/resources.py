"""The SCIM resources Champion serves, and what an account takes from them: plain data,
no Flask, no database. Built on scim2-models, which parses, validates, patches and
serializes them."""

from __future__ import annotations

import re
from typing import Annotated, Any

import scim2_models
from pydantic import EmailStr
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Filter,
    Mutability,
    Patch,
    Required,
    Resource,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

from champion.auth.emails import EmailAddressError, email_address

MAX_RESULTS = 200  # one page of a list at most
DEFAULT_COUNT = 100


class Name(ComplexAttribute):
    formatted: str | None = None
    family_name: str | None = None
    given_name: str | None = None


class Email(scim2_models.Email):
    # Required: an account here is reached by email (sign-in, resets, badges).
    value: Annotated[EmailStr | None, Required.true] = None


class User(Resource[Any]):
    """The core User schema, cut down to what Champion needs: no addresses, phone
    numbers or photos are accepted, so none are held."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: Name | None = None
    display_name: str | None = None
    active: bool | None = None
    emails: Annotated[list[Email] | None, Required.true] = None


class GroupMember(scim2_models.GroupMember):
    # Read-only (RFC 7643 §8.7.1): never taken from the provider, and not shown.
    display: Annotated[str | None, Mutability.read_only] = None


class Group(Resource[Any]):
    """A department: its name and its members (learners; its leads are not SCIM's)."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:Group")

    display_name: Annotated[str | None, Required.true] = None
    members: list[GroupMember] | None = None


RESOURCE_MODELS: dict[str, type[Resource[Any]]] = {"Users": User, "Groups": Group}


def known_attributes(payload: dict[str, Any], model: type[Resource[Any]]) -> dict[str, Any]:
    """``payload`` without the attributes Champion doesn't keep (an identity provider sends
    titles, phone numbers, extensions...): ignored, as RFC 7644 §3.3 allows, not refused.
    Attribute names are case-insensitive."""
    known = {(field.serialization_alias or name).lower(): field.serialization_alias or name
             for name, field in model.model_fields.items()}
    kept = {known[key.lower()]: value for key, value in payload.items()
            if key.lower() in known and key.lower() != "schemas"}
    return {"schemas": [str(model.__schema__)], **kept}


def known_operations(payload: dict[str, Any], model: type[Resource[Any]]) -> dict[str, Any]:
    """A PatchOp without the operations on attributes Champion doesn't keep."""
    known = {(f.serialization_alias or n).lower() for n, f in model.model_fields.items()}
    schema = str(model.__schema__).lower() + ":"
    operations = []
    for operation in payload.get("Operations") or payload.get("operations") or []:
        if not isinstance(operation, dict):
            operations.append(operation)  # refused as invalid by the parser
            continue
        path = str(operation.get("path") or "")
        if path.lower().startswith(schema):
            path = path[len(schema):]
        if not path and isinstance(operation.get("value"), dict):
            value = known_attributes(operation["value"], model)
            value.pop("schemas")
            operations.append({**operation, "value": value})
        elif not path or re.split(r"[.\[]", path, maxsplit=1)[0].lower() in known:
            operations.append({**operation, "path": path} if path else operation)
    return {"schemas": payload.get("schemas"), "Operations": operations}


def service_provider_config(documentation: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=documentation,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken, name="Bearer token",
            description="The token set in CHAMPION_SCIM_TOKEN, as Authorization: Bearer",
            primary=True)],
    )


def resource_types() -> list[ResourceType]:
    return [ResourceType.from_resource(User), ResourceType.from_resource(Group)]


class ScimValueError(ValueError):
    """The representation can't describe a Champion account; the message says why."""


def account_email(user: User) -> str:
    """The address the account signs in and is mailed at: the primary email, else the
    first, else the userName when it is an address."""
    emails = sorted(user.emails or [], key=lambda e: not e.primary)
    candidates = [str(e.value) for e in emails if e.value] + [user.user_name or ""]
    for candidate in candidates:
        try:
            return email_address(candidate)
        except EmailAddressError:
            continue
    raise ScimValueError("emails: a user needs an email address (in emails, or as userName)")


def account_name(user: User) -> str:
    """The name badges and certificates show."""
    name = user.name or Name()
    parts = " ".join(p for p in (name.given_name, name.family_name) if p)
    chosen = (name.formatted or parts or user.display_name or
              (user.user_name or "").split("@")[0]).strip()
    return chosen[:120]
