"""Routes for resource types no provider here declares: PUT, GET, HEAD, PATCH, DELETE and lists, at
any scope (a group, a subscription, or another resource for extension resources such as role
assignments), synchronous, as plain ARM resources (`generic_writes`); and POST for the actions a
type declares (`Registry.generic_types`, such as a storage account's listKeys).

These routes come after every other: a path another route serves with other methods gets that
route's 405, and one under a declared namespace (or ARM's own) the 404/400 it had before. With
`--no-generic-resources`, an undeclared type answers 400 NoRegisteredProviderFound.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .api_versions import api_version_of
from .auth import caller
from .bodies import json_copy, merge_patch, parse_json_object
from .conditions import check_existing
from .endpoints import FALLBACK_ROUTE_TAG, add_routes, in_one_transaction
from .error_handlers import allowed_methods
from .generic_writes import build_body, check_api_version, is_generic_namespace, require_scope, store, write
from .operations import canceled_by_delete
from .paging import list_response
from .resource_id import ScopedResourceId, key_of, parse_scoped_path
from .responses import dump_json, empty_response, json_response, raw_json_response
from .runtime import Runtime, runtime_of
from .writes import ResourceWriter

_METHODS = ("PUT", "GET", "HEAD", "PATCH", "DELETE", "POST")
_PATHS = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{resourcePath:path}",
    "/subscriptions/{subscriptionId}/providers/{resourcePath:path}",
)


def _target(request: Request) -> tuple[Runtime, ScopedResourceId, str | None]:
    """The generic resource (or collection) the request is for; otherwise the answer the path had
    without these routes."""
    runtime = runtime_of(request)
    parsed = parse_scoped_path(request.url.path)
    if parsed is not None and is_generic_namespace(runtime, parsed[0].namespace) and not allowed_methods(request):
        if not runtime.settings.generic_resources:
            rid, listed = parsed
            # A POST to `{id}/{action}` is about the resource's type, not `type/action`.
            type_name = rid.type_name.rsplit("/", 1)[0] if request.method == "POST" and listed else rid.type_name
            raise errors.unsupported_api_version(api_version_of(request) or "", type_name, None, (), ())
        return runtime, parsed[0], parsed[1]
    raise HTTPException(405 if allowed_methods(request) else 404)  # answered as before: error_handlers


def _not_found(rid: ScopedResourceId) -> errors.ArmError:
    return errors.resource_not_found(rid.type_path_with_names, rid.resource_group or "")


def _answer(record: Any, status: int) -> Response:
    return raw_json_response(record.raw or dump_json(record.body).decode(), status, {"ETag": record.etag})


@in_one_transaction
async def create_or_update(request: Request, params: dict[str, str]) -> Response:
    runtime, rid, listed = _target(request)
    if listed is not None:
        raise errors.method_not_allowed("PUT", request.url.path)
    requested = parse_json_object(await request.body(), request.headers.get("content-type"))
    with runtime.store.transaction() as tx:
        record, created = write(
            runtime,
            tx,
            rid,
            api_version_of(request) or "",
            requested,
            caller(request.headers.get("authorization")),
            if_match=request.headers.get("if-match"),
            if_none_match=request.headers.get("if-none-match"),
        )
    return _answer(record, 201 if created else 200)


async def get(request: Request, params: dict[str, str]) -> Response:
    runtime, rid, listed = _target(request)
    api_version = check_api_version(api_version_of(request))
    if listed is not None:
        return _list(request, runtime, rid, api_version)
    with runtime.store.transaction() as tx:
        record = tx.get_resource(rid.key)
        if record is None:
            require_scope(runtime, tx, rid)
            raise _not_found(rid)
    return _answer(record, 200)


async def check_existence(request: Request, params: dict[str, str]) -> Response:
    """Resources_CheckExistence: 204 or 404, no body."""
    runtime, rid, listed = _target(request)
    check_api_version(api_version_of(request))
    if listed is not None:
        raise errors.method_not_allowed("HEAD", request.url.path)
    with runtime.store.transaction() as tx:
        found = tx.get_resource(rid.key) is not None
    return empty_response(204 if found else 404)


@in_one_transaction
async def update(request: Request, params: dict[str, str]) -> Response:
    """PATCH: tags (and identity) replace the whole set, as in ARM; other objects are merged."""
    runtime, rid, listed = _target(request)
    if listed is not None:
        raise errors.method_not_allowed("PATCH", request.url.path)
    api_version = check_api_version(api_version_of(request))
    patch = parse_json_object(await request.body(), request.headers.get("content-type"))
    now = runtime.clock.now()
    with runtime.store.transaction() as tx:
        existing = tx.get_resource(rid.key)
        if existing is None:
            require_scope(runtime, tx, rid)
            raise _not_found(rid)
        check_existing(existing.etag, request.headers.get("if-match"))
        requested = json_copy(existing.body)
        for field, value in patch.items():
            if value is None:
                requested.pop(field, None)
            elif field in ("tags", "identity") or not isinstance(value, dict):
                requested[field] = value
            else:
                requested[field] = merge_patch(requested.get(field), value)
        if "location" in patch and patch["location"] is None:
            requested["location"] = existing.body.get("location")
        system_data = ResourceWriter.system_data(
            caller(request.headers.get("authorization")), now, existing, modified=True
        )
        body = build_body(runtime, tx, rid, requested, existing, system_data)
        record = store(tx, rid, api_version, body, existing, now, dump_json(body).decode())
    return _answer(record, 200)


@in_one_transaction
async def delete(request: Request, params: dict[str, str]) -> Response:
    """Synchronous: 200 once deleted (with whatever was nested in or extended it), with the deleted
    resource as the body, as the authorization service answers (its SDK reads it; clients of other
    types ignore it); 204 if absent."""
    runtime, rid, listed = _target(request)
    if listed is not None:
        raise errors.method_not_allowed("DELETE", request.url.path)
    check_api_version(api_version_of(request))
    with runtime.store.transaction() as tx:
        existing = tx.get_resource(rid.key)
        if existing is None:
            require_scope(runtime, tx, rid)
            return empty_response(204)
        check_existing(existing.etag, request.headers.get("if-match"))
        tx.delete_tree(rid.key, now=runtime.clock.now(), cancel_error=canceled_by_delete(rid.id))
    return _answer(existing, 200)


async def action(request: Request, params: dict[str, str]) -> Response:
    """POST `{id}/{action}`: what the resource's type declares for the action, synchronously; an
    action no declaration names answers as an unrouted path did (404)."""
    runtime, rid, listed = _target(request)
    parsed = parse_scoped_path(rid.parent_id) if listed is not None else None
    declared = runtime.registry.generic_type(parsed[0].type_key).action(listed) if parsed and listed else None
    if parsed is None or parsed[1] is not None or declared is None:
        raise HTTPException(404)
    resource = parsed[0]
    check_api_version(api_version_of(request))
    raw = await request.body()
    requested = parse_json_object(raw, request.headers.get("content-type")) if raw.strip() else None
    with runtime.store.transaction() as tx:
        record = tx.get_resource(resource.key)
        if record is None:
            require_scope(runtime, tx, resource)
            raise _not_found(resource)
    return json_response(declared(record.body.get("id", resource.id), record.body, requested), 200)


def _list(request: Request, runtime: Runtime, rid: ScopedResourceId, api_version: str) -> Response:
    """One type's resources: those nested in a resource (or extending it), in a group, or in a
    subscription (every group's, as ARM's ListBySubscription)."""
    with runtime.store.transaction() as tx:
        require_scope(runtime, tx, rid)
    parent_key = key_of(rid.parent_id)
    if rid.parent_id.count("/") > 4:
        filters = {"parent_key": parent_key}
    elif rid.resource_group_key is not None:
        filters = {"resource_group_key": rid.resource_group_key}
    else:
        filters = {"subscription_key": rid.subscription_id.lower()}
    return list_response(
        request,
        runtime,
        api_version=api_version,
        scope=parent_key,
        type_key=rid.type_key,
        render=lambda record: record.raw,
        **filters,
    )


def register(router: APIRouter) -> None:
    handlers = {
        "PUT": (create_or_update, "CreateOrUpdate"),
        "GET": (get, "Get"),
        "HEAD": (check_existence, "CheckExistence"),
        "PATCH": (update, "Update"),
        "DELETE": (delete, "Delete"),
        "POST": (action, "Action"),
    }
    routes = []
    for index, path in enumerate(_PATHS):
        scope = "AtResourceGroupScope" if index == 0 else "AtSubscriptionScope"
        for method in _METHODS:
            handler, verb = handlers[method]
            routes.append((method, path, handler, f"GenericResources_{verb}{scope}"))
    add_routes(router, routes, FALLBACK_ROUTE_TAG)
