"""SCIM 2.0 (RFC 7643/7644) at /scim/v2: Users, Groups (departments) and discovery.

The bearer token in ``CHAMPION_SCIM_TOKEN`` is the only way in: every request without it
(or with SCIM off) gets 401 and a SCIM error before anything is looked up, so nothing
says whether an account exists. Writes are in ``scim.operations``; this module translates
HTTP into those calls and SCIM documents back.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, request
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    ListResponse,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
)
from werkzeug.exceptions import HTTPException

from champion.extensions import csrf, db
from champion.scim import operations, queries
from champion.scim.operations import ScimError
from champion.scim.resources import (
    DEFAULT_COUNT,
    MAX_RESULTS,
    RESOURCE_MODELS,
    Group,
    User,
    known_attributes,
    known_operations,
    resource_types,
    service_provider_config,
)
from champion.urls import external_url

SCIM_JSON = "application/scim+json"
MAX_START_INDEX = 2**31 - 1

blueprint = Blueprint("scim", __name__, url_prefix="/scim/v2")
csrf.exempt(blueprint)  # no cookies: the bearer token is the credential


def _error(status: int, detail: str, scim_type: str | None = None):
    body = Error(status=status, detail=detail, scim_type=scim_type).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    headers = {"WWW-Authenticate": 'Bearer realm="SCIM"'} if status == 401 else {}
    return body, status, {"Content-Type": SCIM_JSON, **headers}


@blueprint.before_request
def require_token():
    expected = current_app.config.get("CHAMPION_SCIM_TOKEN")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if not expected:
        return _error(401, "SCIM provisioning is off: set CHAMPION_SCIM_TOKEN")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), expected.encode()):
        return _error(401, "a valid bearer token is required")
    g.audit_via = "SCIM"  # every change this request makes is audited as SCIM's
    return None


@blueprint.errorhandler(ScimError)
def scim_error(error: ScimError):
    db.session.rollback()
    return _error(error.status, str(error), error.scim_type)


@blueprint.errorhandler(SCIMException)
def scim_exception(error: SCIMException):
    db.session.rollback()
    body = error.to_error()
    return _error(int(body.status or 400), body.detail or str(error), body.scim_type)


@blueprint.errorhandler(ValidationError)
def invalid(error: ValidationError):
    db.session.rollback()
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                         for e in error.errors()[:5])
    return _error(400, problems or "invalid document", "invalidValue")


@blueprint.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _error(error.code or 500, error.description or error.name)


def _document(resource: Any, status: int = 200, version: str | None = None):
    parameters = ResponseParameters.model_validate({
        "attributes": request.args.get("attributes") or None,
        "excludedAttributes": request.args.get("excludedAttributes") or None})
    body = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE,
                               response_parameters=parameters)
    headers = {"Content-Type": SCIM_JSON}
    if version:
        headers["ETag"] = version
    if status == 201 and getattr(resource, "meta", None):
        headers["Location"] = str(resource.meta.location)
    return body, status, headers


def _parse(model: type, context: Context, keep=None) -> Any:
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, dict):
        raise ScimError("the body must be a JSON object", scim_type="invalidSyntax")
    return model.model_validate(keep(payload) if keep else payload, scim_ctx=context)


def _resource(model: type, context: Context) -> Any:
    return _parse(model, context, lambda payload: known_attributes(payload, model))


def _patch(model: type) -> Any:
    return _parse(PatchOp[model], Context.RESOURCE_PATCH_REQUEST,
                  lambda payload: known_operations(payload, model))


def _check_version(current: str) -> None:
    """If-Match: the change applies only to the version the client last read."""
    wanted = request.headers.get("If-Match")
    if wanted and wanted.strip() != "*" and current not in {v.strip() for v in
                                                            wanted.split(",")}:
        raise ScimError("the resource changed since it was read (If-Match)", status=412)


# --- Discovery -----------------------------------------------------------------------------


@blueprint.get("/ServiceProviderConfig")
def provider_config():
    return _document(service_provider_config(external_url("catalog.index")))


@blueprint.get("/ResourceTypes")
def resource_type_list():
    types = resource_types()
    return _document(ListResponse[ResourceType](total_results=len(types), start_index=1,
                                  items_per_page=len(types), resources=types))


@blueprint.get("/ResourceTypes/<name>")
def resource_type(name: str):
    for item in resource_types():
        if item.id == name:
            return _document(item)
    raise ScimError(f"no resource type {name}", status=404)


def _schemas():
    return [model.to_schema() for model in RESOURCE_MODELS.values()]


@blueprint.get("/Schemas")
def schema_list():
    schemas = _schemas()
    return _document(ListResponse[Schema](total_results=len(schemas), start_index=1,
                                  items_per_page=len(schemas), resources=schemas))


@blueprint.get("/Schemas/<path:schema_id>")
def schema(schema_id: str):
    for item in _schemas():
        if item.id == schema_id:
            return _document(item)
    raise ScimError(f"no schema {schema_id}", status=404)


# --- Lists -----------------------------------------------------------------------------------


def _search() -> SearchRequest:
    if request.method == "POST":
        return _parse(SearchRequest, Context.SEARCH_REQUEST)
    args = request.args
    return SearchRequest.model_validate({
        key: value for key, value in {
            "filter": args.get("filter"), "startIndex": args.get("startIndex"),
            "count": args.get("count"), "attributes": args.get("attributes"),
            "excludedAttributes": args.get("excludedAttributes")}.items() if value})


def _list(model: type, query, order, filters: dict, to_resource):
    search = _search()
    # Past any real list, and within what every database takes as an OFFSET.
    start = min(max(search.start_index or 1, 1), MAX_START_INDEX)
    count = min(max(search.count if search.count is not None else DEFAULT_COUNT, 0),
                MAX_RESULTS)
    try:
        total, rows = queries.page(query, order, search.filter, filters, start, count)
    except queries.UnsupportedFilter as exc:
        raise ScimError(str(exc), scim_type="invalidFilter") from exc
    resources = [to_resource(*row) for row in rows]
    listing = ListResponse[model](total_results=total, start_index=start,
                           items_per_page=len(resources), resources=resources)
    body = listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search)
    return body, 200, {"Content-Type": SCIM_JSON}


@blueprint.route("/.search", methods=["POST"])
def search_everything():
    raise ScimError("search across resource types is not supported: search /Users or "
                    "/Groups", status=501)


# --- Users -----------------------------------------------------------------------------------


@blueprint.route("/Users", methods=["GET"])
@blueprint.route("/Users/.search", methods=["POST"], endpoint="search_users")
def users():
    return _list(User, queries.visible_users(), queries.User.id, queries.USER_FILTERS,
                 queries.user_resource)


def _create(model: type, create: Callable[[Any], tuple], show: Callable[..., Any]):
    rows = create(_resource(model, Context.RESOURCE_CREATION_REQUEST))
    db.session.commit()
    created = show(*rows)
    return _document(created, 201, created.meta.version)


@blueprint.post("/Users")
def create_user():
    return _create(User, operations.create_account, queries.user_resource)


def _answer(current: Any, model: type, remove: Callable[[], None],
            replace: Callable[[Any], Any]):
    """GET, PUT, PATCH or DELETE one resource: ``remove()`` deletes it, ``replace(wanted)``
    makes it ``wanted`` (a whole resource, or the current one patched) and returns it
    re-read. Changes apply only to the version read last, when the client names it."""
    version = current.meta.version
    if request.method == "GET":
        if request.headers.get("If-None-Match") == version:
            return "", 304, {"ETag": version}
        return _document(current, version=version)
    _check_version(version)
    if request.method == "DELETE":
        remove()
        db.session.commit()
        return "", 204
    if request.method == "PUT":
        wanted = _resource(model, Context.RESOURCE_REPLACEMENT_REQUEST)
    else:
        wanted = current.model_copy(deep=True)
        _patch(model).patch(wanted)
    updated = replace(wanted)
    return _document(updated, version=updated.meta.version)


@blueprint.route("/Users/<user_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
def user(user_id: str):
    found = queries.find_user(user_id)
    if found is None:
        raise ScimError(f"no user with id {user_id}", status=404)
    account, scim = found

    def replace(resource: User):
        record = operations.replace_account(account, scim, resource)
        db.session.commit()
        return queries.user_resource(account, record)

    return _answer(queries.user_resource(account, scim), User,
                   lambda: operations.remove_account(account, scim), replace)


# --- Groups (departments) --------------------------------------------------------------------


@blueprint.route("/Groups", methods=["GET"])
@blueprint.route("/Groups/.search", methods=["POST"], endpoint="search_groups")
def groups():
    return _list(Group, queries.visible_groups(), queries.Department.id, queries.GROUP_FILTERS,
                 queries.group_resource)


@blueprint.post("/Groups")
def create_group():
    return _create(Group, operations.create_department, queries.group_resource)


@blueprint.route("/Groups/<group_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
def group(group_id: str):
    found = queries.find_group(group_id)
    if found is None:
        raise ScimError(f"no group with id {group_id}", status=404)
    department, scim = found

    def replace(wanted: Group):
        record = operations.replace_department(department, scim, wanted)
        db.session.commit()
        return queries.group_resource(department, record)

    return _answer(queries.group_resource(department, scim), Group,
                   lambda: operations.remove_department(department, scim), replace)


@blueprint.get("/<path:anything>")
def not_found(anything: str):
    raise ScimError(f"nothing at /scim/v2/{anything}", status=404)
