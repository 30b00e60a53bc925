"""ARM's management locks (Microsoft.Authorization/locks) and their enforcement at the front door.

A lock is an extension resource, `{scope}/providers/Microsoft.Authorization/locks/{name}`, on a
subscription, a resource group or a served resource. It is kept as a row of the resources table
(type `microsoft.authorization/locks`, parent = its scope), so it goes with its scope and lives in
the same store as everything else; nothing that lists resources lists it, since lists go by type.

Enforcement (`check_locks`, called by the front door for every ARM write before routing): a DELETE
is refused (409 ScopeLocked) if any lock is at the target's scope, above it (parent resources, the
group, the subscription) or below it (what the delete would take with it); a PUT, PATCH or POST is
refused if a ReadOnly lock is at or above the target. Every POST counts as a write, as ARM's lock
documentation says ("locks prevent the POST method from sending data"; listKeys, restart and the
like are refused under ReadOnly), including read-like actions such as checkNameAvailability.
Requests to the locks API itself are never refused.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import ResourceRecord, StoreTransaction
from . import errors
from .api_versions import require_dated_api_version
from .auth import caller
from .bodies import parse_json_object
from .endpoints import add_routes
from .extension_scopes import ExtensionScope
from .resource_id import ScopedResourceId, key_of, parse_scoped_path
from .responses import empty_response, json_response
from .runtime import Runtime, runtime_of
from .scopes import require_subscription
from .writes import ResourceWriter, scoped_record

# 2015-01-01 is the oldest the SDKs still ship (azure-mgmt-resource's v2015_01_01), 2016-09-01 is
# az's, 2020-05-01 azure-mgmt-resource-locks' default (the first with systemData); later dated
# versions are accepted too.
KNOWN_API_VERSIONS = ("2015-01-01", "2016-09-01", "2020-05-01")
_SYSTEM_DATA_SINCE = "2020-05-01"
LOCK_NAMESPACE, LOCK_TYPE_SEGMENT = "Microsoft.Authorization", "locks"
LOCK_TYPE = f"{LOCK_NAMESPACE}/{LOCK_TYPE_SEGMENT}"
LOCK_TYPE_KEY = LOCK_TYPE.lower()
LOCKS_SEGMENT = "/providers/Microsoft.Authorization/locks"
_LOCKS_SEGMENT_KEY = LOCKS_SEGMENT.lower()
_DEPLOYMENTS_SEGMENT_KEY = "/providers/microsoft.resources/deployments/"
LEVELS = ("CanNotDelete", "ReadOnly")
MAX_NAME_LENGTH = 260
MAX_NOTES_LENGTH = 512
# The characters the spec forbids in a lock name, and control characters.
_BAD_NAME = re.compile(r"[<>%&:\\?/\x00-\x1f\x7f]")
_AT_SCOPE = re.compile(r"\s*atScope\(\s*\)\s*", re.IGNORECASE)
_WRITES = frozenset({"PUT", "PATCH", "POST"})


# -- enforcement -------------------------------------------------------------------------------------


def _lock_scope_id(lock_id: str) -> str:
    return lock_id[: lock_id.lower().rindex(_LOCKS_SEGMENT_KEY)]


def check_locks(runtime: Runtime, method: str, path: str) -> None:
    """Refuse (409 ScopeLocked) a write or delete that a management lock forbids; see the module doc.
    Nothing for reads; one indexed query (the subscription's locks) per write."""
    deleting = method == "DELETE"
    if not deleting and method not in _WRITES:
        return
    target = key_of(path)  # the front door has dropped empty segments already
    segments = target.split("/", 3)
    if len(segments) < 3 or segments[1] != "subscriptions" or _LOCKS_SEGMENT_KEY + "/" in target + "/":
        return
    if _DEPLOYMENTS_SEGMENT_KEY in target:
        return  # a deployment's own record: what it writes is checked resource by resource, as in ARM
    with runtime.store.transaction() as tx:
        locks = tx.resources_of_type(segments[2], LOCK_TYPE_KEY)
    blocking: list[str] = []
    for lock in locks:
        scope_key = lock.parent_key or ""
        at_or_above = target == scope_key or target.startswith(scope_key + "/")
        below = scope_key.startswith(target + "/")
        read_only = lock.body["properties"]["level"] == "ReadOnly"
        if (deleting and (at_or_above or below)) or (at_or_above and read_only):
            scope = _lock_scope_id(lock.id)
            if scope not in blocking:
                blocking.append(scope)
    if blocking:
        raise errors.scope_locked(path, "delete" if deleting else "write", blocking)


# -- the locks API -----------------------------------------------------------------------------------


def _scope(request: Request, params: dict[str, str]) -> ExtensionScope:
    """The lock's scope (clients' `//` for an empty parentResourcePath is already one `/`)."""
    return ExtensionScope(runtime_of(request), request.method, request.url.path, params["scope"])


def _api_version(request: Request) -> str:
    return require_dated_api_version(request, KNOWN_API_VERSIONS)


def _check_name(name: str) -> None:
    if len(name) > MAX_NAME_LENGTH or _BAD_NAME.search(name):
        raise errors.invalid_lock_name(name)


def _properties(raw: dict[str, Any]) -> dict[str, Any]:
    """The lock's properties from a PUT body, checked (400 for a bad one); the level canonically cased."""
    properties = raw.get("properties")
    if not isinstance(properties, dict):
        raise errors.invalid_request_content("The lock's 'properties' object is required")
    level = properties.get("level")
    canonical = next((lv for lv in LEVELS if isinstance(level, str) and lv.lower() == level.lower()), None)
    if canonical is None:
        raise errors.invalid_lock_level(level)
    checked: dict[str, Any] = {"level": canonical}
    notes = properties.get("notes")
    if notes is not None:
        if not isinstance(notes, str):
            raise errors.invalid_request_content("The lock's 'notes' must be a string")
        if len(notes) > MAX_NOTES_LENGTH:
            raise errors.lock_notes_too_long(MAX_NOTES_LENGTH)
        checked["notes"] = notes
    owners = properties.get("owners")
    if owners is not None:
        valid = isinstance(owners, list) and all(
            isinstance(o, dict) and isinstance(o.get("applicationId", ""), str) for o in owners
        )
        if not valid:
            raise errors.invalid_request_content("The lock's 'owners' must be a list of {\"applicationId\": string}")
        checked["owners"] = [{"applicationId": o["applicationId"]} if "applicationId" in o else {} for o in owners]
    return checked


def lock_record(
    subscription_id: str,
    resource_group: str | None,
    scope_id: str,
    name: str,
    properties: dict[str, Any],
    system_data: dict[str, Any],
    now: float,
    existing: ResourceRecord | None,
) -> ResourceRecord:
    rid = ScopedResourceId(scope_id, subscription_id, resource_group, LOCK_NAMESPACE, ((LOCK_TYPE_SEGMENT, name),))
    body = {"id": rid.id, "name": name, "type": LOCK_TYPE, "properties": properties, "systemData": system_data}
    return scoped_record(rid, body, existing, now)


def _rendered(record: ResourceRecord, api_version: str) -> dict[str, Any]:
    body = dict(record.body)
    if api_version < _SYSTEM_DATA_SINCE:
        body.pop("systemData", None)
    return body


def _find(tx: StoreTransaction, scope: ExtensionScope, name: str) -> ResourceRecord | None:
    return tx.get_resource(key_of(f"{scope.id}{LOCKS_SEGMENT}/{name}"))


async def create_or_update(request: Request, params: dict[str, str]) -> Response:
    api_version = _api_version(request)
    scope = _scope(request, params)
    name = params["lockName"]
    _check_name(name)
    properties = _properties(parse_json_object(await request.body(), request.headers.get("content-type")))
    scope.require_exists()
    runtime = scope.runtime
    now = runtime.clock.now()
    with runtime.store.transaction() as tx:
        existing = _find(tx, scope, name)
        who = caller(request.headers.get("authorization"))
        system_data = ResourceWriter.system_data(who, now, existing, modified=True)
        # An update keeps the lock's name as first written (ids are case-insensitive).
        shown = existing.body["name"] if existing else name
        record = lock_record(
            scope.subscription_id, scope.resource_group, scope.id, shown, properties, system_data, now, existing
        )
        tx.put_resource(record, new=existing is None)
    return json_response(_rendered(record, api_version), 200 if existing else 201)


async def get(request: Request, params: dict[str, str]) -> Response:
    api_version = _api_version(request)
    scope = _scope(request, params)
    scope.require_exists()
    with scope.runtime.store.transaction() as tx:
        record = _find(tx, scope, params["lockName"])
    if record is None:
        raise errors.lock_not_found(params["lockName"])
    return json_response(_rendered(record, api_version))


async def delete(request: Request, params: dict[str, str]) -> Response:
    _api_version(request)
    scope = _scope(request, params)
    scope.require_exists()
    with scope.runtime.store.transaction() as tx:
        record = _find(tx, scope, params["lockName"])
        if record is None:
            return empty_response(204)
        tx.delete_tree(record.key, now=scope.runtime.clock.now(), cancel_error={})
    return empty_response(200)


async def list_at_scope(request: Request, params: dict[str, str]) -> Response:
    """The locks at the scope and below it; with `$filter=atScope()`, those at the scope and above it
    (the ones that apply to it)."""
    api_version = _api_version(request)
    scope = _scope(request, params)
    given_filter = request.query_params.get("$filter")
    at_scope = given_filter is not None and given_filter.strip() != ""
    if at_scope and not _AT_SCOPE.fullmatch(given_filter or ""):
        raise errors.invalid_lock_filter(given_filter or "")
    scope.require_exists()
    scope_key = key_of(scope.id)
    with scope.runtime.store.transaction() as tx:
        locks = tx.resources_of_type(scope.subscription_id.lower(), LOCK_TYPE_KEY)
    value = []
    for lock in locks:
        lock_scope = lock.parent_key or ""
        if at_scope:
            wanted = scope_key == lock_scope or scope_key.startswith(lock_scope + "/")
        else:
            wanted = lock_scope == scope_key or lock_scope.startswith(scope_key + "/")
        if wanted:
            value.append(_rendered(lock, api_version))
    return json_response({"value": value})


# -- state documents (control.state) ----------------------------------------------------------------


def is_lock_id(resource_id: str) -> bool:
    return _LOCKS_SEGMENT_KEY + "/" in resource_id.lower()


def import_lock(
    runtime: Runtime, tx: StoreTransaction, lock_id: str, body: dict[str, Any], who: tuple[str, str]
) -> None:
    """A lock from a state document; its scope (group or resource) must be in the store already."""
    parsed = parse_scoped_path(lock_id)
    if parsed is None or parsed[1] is not None or parsed[0].type_key != LOCK_TYPE_KEY:
        raise errors.ArmError(400, "InvalidResourceId", f"'{lock_id}' is not a lock id.")
    rid = parsed[0]
    scope_id, name, resource_group = rid.scope, rid.name, rid.resource_group
    _check_name(name)
    properties = _properties(body)
    if resource_group is None:
        require_subscription(runtime, tx, rid.subscription_id)
    elif tx.get_resource(key_of(scope_id)) is None:
        raise errors.ArmError(
            400, "InvalidResourceId", f"The scope '{scope_id}' of lock '{lock_id}' is not in the state."
        )
    now = runtime.clock.now()
    existing = tx.get_resource(key_of(lock_id))
    system_data = ResourceWriter.system_data(who, now, existing, modified=True)
    record = lock_record(rid.subscription_id, resource_group, scope_id, name, properties, system_data, now, existing)
    tx.put_resource(record)


def register(router: APIRouter) -> None:
    # One `{scope:path}` form serves the subscription, resource-group, resource and by-scope paths of
    # the spec alike (the resource-level one with an empty parentResourcePath arrives collapsed).
    at_scope = "/{scope:path}" + LOCKS_SEGMENT
    routes = [
        ("GET", at_scope, list_at_scope, "ManagementLocks_ListByScope"),
        ("PUT", at_scope + "/{lockName}", create_or_update, "ManagementLocks_CreateOrUpdateByScope"),
        ("GET", at_scope + "/{lockName}", get, "ManagementLocks_GetByScope"),
        ("DELETE", at_scope + "/{lockName}", delete, "ManagementLocks_DeleteByScope"),
    ]
    add_routes(router, routes, LOCK_TYPE)
