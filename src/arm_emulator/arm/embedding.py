"""Children a parent lists in its own properties (private endpoint connections): after every write of
such a child, the parent's list is made again from the stored children, in the same transaction."""

from __future__ import annotations

import json
from typing import Any

from ..store.repository import StoreTransaction
from .conditions import new_etag
from .registry import Registry
from .resource_type import ResourceType
from .responses import dump_json

# The most children one parent lists; more is far beyond what any real parent holds.
_MAX_EMBEDDED = 1000


def embedded_item(body: dict[str, Any]) -> dict[str, Any]:
    """A child as its parent lists it."""
    return {k: body[k] for k in ("id", "name", "type", "properties") if k in body}


def fill_listed_children(
    tx: StoreTransaction, registry: Registry, type_key: str, key: str, body: dict[str, Any], *, new: bool = False
) -> dict[str, Any]:
    """A resource's body about to be written with the children it lists as they are stored (a
    request never sets them). A `new` resource has none: a parent's delete takes its children along."""
    for child_type_key, child_type in registry.embedded_children(type_key):
        field = child_type.embedded_in_parent
        assert field is not None
        properties = body.setdefault("properties", {})
        if new:
            items = []
        else:
            page = tx.list_resources(type_key=child_type_key, parent_key=key, limit=_MAX_EMBEDDED)
            items = [embedded_item(json.loads(child.raw)) for child in page.records]
        if items or field in properties:  # a provider that shows no empty list keeps showing none
            properties[field] = items
    return body


def sync_parent(
    tx: StoreTransaction,
    child_type: ResourceType,
    type_key: str,
    parent_key: str | None,
    now: float,
) -> None:
    """Make the parent's `properties.<child_type.embedded_in_parent>` list its stored children again."""
    field = child_type.embedded_in_parent
    if field is None or parent_key is None:
        return
    parent = tx.get_resource(parent_key)
    if parent is None:
        return
    page = tx.list_resources(type_key=type_key, parent_key=parent_key, limit=_MAX_EMBEDDED)
    items = [embedded_item(json.loads(child.raw)) for child in page.records]
    properties = parent.body.get("properties") or {}
    if properties.get(field) == items:
        return
    body = {**parent.body, "properties": {**properties, field: items}}
    updated = parent.evolve(body=body, etag=new_etag(now), updated_at=now)
    tx.put_resource(updated.evolve(raw=dump_json(body).decode()), new=False)
