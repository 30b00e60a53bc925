"""Resources of types no provider here declares, kept as plain ARM resources (no HTTP).

The emulator does not know what such a type does, so it keeps the ARM contract and nothing more:
the body as sent, with ARM's envelope (id, name, type, normalised location, systemData), managed
identity ids filled in, `provisioningState: Succeeded` on tracked resources, and what a few
well-known types declare (`Registry.generic_types`): fields their service computes, and children
it makes with them. Shared by the routes (`generic_resources`) and by state import.
"""

from __future__ import annotations

import re
from typing import Any

from ..store.repository import ResourceRecord, StoreTransaction
from . import errors
from .bodies import check_tags, json_copy
from .conditions import check_write
from .identity import assign_identity_ids
from .resource_id import ScopedResourceId, key_of, parse_scoped_path
from .responses import dump_json
from .runtime import Runtime
from .scopes import check_resource_group, normalize_location, require_subscription
from .writes import ResourceWriter, scoped_record

# Namespaces ARM answers itself: never stored generically (their endpoints are served, or not at all).
RESERVED_NAMESPACES = frozenset({"microsoft.resources"})
# Fields ARM sets, never the request's.
_ENVELOPE = ("id", "name", "type", "systemData", "etag")
# What ARM refuses in any resource name.
_BAD_NAME = re.compile(r"[<>%&:\\?/#*\x00-\x1f]")
_DATED_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-[A-Za-z]+)?")


def looks_like_namespace(namespace: str) -> bool:
    """`Company.Service[.More]`, as every provider namespace is."""
    parts = namespace.split(".")
    return len(parts) >= 2 and all(part and part.replace("-", "").isalnum() for part in parts)


def is_generic_namespace(runtime: Runtime, namespace: str) -> bool:
    """A namespace whose types are stored generically: no provider declares it, ARM does not own it."""
    return (
        runtime.registry.provider(namespace) is None
        and namespace.lower() not in RESERVED_NAMESPACES
        and looks_like_namespace(namespace)
    )


def check_api_version(api_version: str | None) -> str:
    """Any dated version: the emulator cannot know which ones the real provider serves."""
    if not api_version:
        raise errors.missing_api_version()
    if not _DATED_API_VERSION.fullmatch(api_version):
        raise errors.ArmError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{api_version[:64]}' is invalid. The supported versions are dated, "
            "such as '2023-01-01' or '2023-01-01-preview'.",
            gateway=True,
        )
    return api_version


def check_name(rid: ScopedResourceId) -> None:
    for _, name in rid.types:
        if len(name) > 260 or _BAD_NAME.search(name) or name.endswith((".", " ")):
            raise errors.invalid_resource_name(
                name,
                "A name has at most 260 characters, none of <>%&:\\?/#* or control characters, "
                "and does not end with '.' or a space.",
            )


def require_scope(runtime: Runtime, tx: StoreTransaction, rid: ScopedResourceId, location: str | None = None) -> None:
    """The subscription, the group and whatever the resource is nested in or extends must exist."""
    if rid.resource_group is not None:
        check_resource_group(runtime, tx, rid.subscription_id, rid.resource_group, location_if_created=location)
    else:
        require_subscription(runtime, tx, rid.subscription_id)
    parent_id = rid.parent_id
    if parent_id.count("/") > 4 and tx.resource_state(key_of(parent_id)) is None:
        raise errors.parent_resource_not_found(parent_id)


def build_body(
    runtime: Runtime,
    tx: StoreTransaction,
    rid: ScopedResourceId,
    requested: dict[str, Any],
    existing: ResourceRecord | None,
    system_data: dict[str, Any],
) -> dict[str, Any]:
    """The stored body of a PUT (or of a PATCH, given the merged body)."""
    body = {key: value for key, value in requested.items() if key not in _ENVELOPE}
    if "tags" in body:
        if body["tags"] is None:
            del body["tags"]
        elif not isinstance(body["tags"], dict) or not all(isinstance(v, str) for v in body["tags"].values()):
            raise errors.invalid_tags("Tags are an object of string names and string values.")
        check_tags(body.get("tags"))
    location = body.get("location")
    if location is not None:
        location = body["location"] = normalize_location(location)
        previous = existing.body.get("location") if existing is not None else None
        if previous not in (None, location):
            raise errors.location_immutable(rid.name, previous, location, rid.resource_group or "")
    known_name = tx.generic_types(rid.namespace.lower()).get(rid.type_key)
    body = {
        "id": rid.id,
        "name": rid.name,
        "type": known_name[0] if known_name else rid.type_name,
        **body,
        "systemData": system_data,
    }
    if location is not None:
        properties = body.get("properties")
        if properties is None or isinstance(properties, dict):
            body["properties"] = {**(properties or {}), "provisioningState": "Succeeded"}
    tenant_id = runtime.tenant_of(rid.subscription_id)
    body = assign_identity_ids(body, rid.id, tenant_id)
    computed = runtime.registry.generic_type(rid.type_key).computed
    return computed(rid.id, tenant_id, body) if computed is not None else body


def store(
    tx: StoreTransaction,
    rid: ScopedResourceId,
    api_version: str,
    body: dict[str, Any],
    existing: ResourceRecord | None,
    now: float,
    raw: str,
) -> ResourceRecord:
    record = scoped_record(rid, body, existing, now, raw)
    tx.put_resource(record, new=existing is None)
    tx.note_generic_api_version(rid.type_name, api_version)
    return record


def write(
    runtime: Runtime,
    tx: StoreTransaction,
    rid: ScopedResourceId,
    api_version: str,
    requested: dict[str, Any],
    who: tuple[str, str],
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> tuple[ResourceRecord, bool]:
    """Create or replace a generic resource (a PUT, or a state import); the record, and whether it is new."""
    check_api_version(api_version)
    check_name(rid)
    location = requested.get("location") if isinstance(requested.get("location"), str) else None
    require_scope(runtime, tx, rid, location)
    existing = tx.get_resource(rid.key)
    check_write(existing.etag if existing else None, if_match, if_none_match)
    now = runtime.clock.now()
    system_data = ResourceWriter.system_data(who, now, existing, modified=True)
    body = build_body(runtime, tx, rid, requested, existing, system_data)
    record = store(tx, rid, api_version, body, existing, now, dump_json(body).decode())
    if existing is None:
        for path, child_body in runtime.registry.generic_type(rid.type_key).implicit_children:
            _write_implicit_child(runtime, tx, f"{rid.id}/{path}", api_version, child_body, who)
    return record, existing is None


def _write_implicit_child(
    runtime: Runtime, tx: StoreTransaction, child_id: str, api_version: str, body: dict[str, Any], who: tuple[str, str]
) -> None:
    """A child the real service makes with its parent (a storage account's blobServices/default);
    one already there (written by the caller, or by a state import) is left as it is."""
    parsed = parse_scoped_path(child_id)
    if parsed is None or parsed[1] is not None:
        raise ValueError(f"an implicit child is declared as type/name pairs: {child_id}")
    if tx.get_resource(parsed[0].key) is None:
        write(runtime, tx, parsed[0], api_version, json_copy(body), who)
