"""What-if: what a deployment would change, without writing anything.

Each resource the template declares is rendered and compared with what a GET through the front
door returns now: Create (absent), Modify (a property-level delta, for the properties the template
sets, as an Incremental PUT would change them), NoChange, Unsupported (the body needs values that
only exist once other resources are deployed). Resources of the group the template does not declare
are Ignore (Incremental) or Delete (Complete).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..resource_id import key_of
from .front_door import FrontDoorClient
from .host import RESOURCES_API_VERSION, FrontDoorHost

# What is the template's alone, or ARM's: never part of a comparison.
_NOT_COMPARED = frozenset({"id", "name", "type", "apiVersion", "etag", "systemData"})


def _normalised(path: str, value: Any) -> Any:
    if path == "location" and isinstance(value, str):
        return "".join(value.split()).lower()
    return value


def delta(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """ARM's WhatIfPropertyChange list for the properties `after` (the template's body) sets."""
    changes: list[dict[str, Any]] = []
    if isinstance(after, dict) and isinstance(before, dict):
        for key, value in after.items():
            if not path and key in _NOT_COMPARED:
                continue
            child = f"{path}.{key}" if path else key
            if key not in before:
                changes.append({"path": child, "propertyChangeType": "Create", "after": value})
            else:
                changes.extend(delta(before[key], value, child))
        return changes
    if isinstance(after, list) and isinstance(before, list):
        if before == after:
            return []
        children: list[dict[str, Any]] = []
        for index in range(max(len(before), len(after))):
            if index >= len(before):
                children.append({"path": str(index), "propertyChangeType": "Create", "after": after[index]})
            elif index >= len(after):
                children.append({"path": str(index), "propertyChangeType": "Delete", "before": before[index]})
            elif before[index] != after[index]:
                nested = delta(before[index], after[index])
                change: dict[str, Any] = {"path": str(index), "propertyChangeType": "Modify"}
                if nested and isinstance(after[index], dict | list):
                    change["children"] = nested
                else:
                    change.update(before=before[index], after=after[index])
                children.append(change)
        return [{"path": path, "propertyChangeType": "Array", "children": children}]
    if _normalised(path, before) != _normalised(path, after):
        return [{"path": path, "propertyChangeType": "Modify", "before": before, "after": after}]
    return []


async def what_if(
    prepared: Any, scope_id: str, mode: str, host: FrontDoorHost, client: FrontDoorClient, latest: Any
) -> dict[str, Any]:
    from ...templates import TemplateError

    changes: list[dict[str, Any]] = []
    declared: set[str] = set()
    for resource in prepared.resources:
        declared.add(key_of(resource.resource_id))
        response = await client.request("GET", f"{resource.resource_id}?api-version={resource.api_version}")
        current = response.json() if response.status_code == 200 and response.content else None
        before = {**current, "apiVersion": resource.api_version} if current is not None else None
        base: dict[str, Any] = {"resourceId": resource.resource_id}
        if resource.symbolic_name:
            base["symbolicName"] = resource.symbolic_name
        if resource.existing:
            continue  # read, never written: nothing changes
        try:
            body = await asyncio.to_thread(prepared.render, resource, host)
        except TemplateError as error:
            changes.append(
                {
                    **base,
                    "changeType": "Unsupported",
                    "unsupportedReason": f"The resource's properties depend on values known only during the "
                    f"deployment: {error.message}",
                }
            )
            continue
        after = {
            "id": resource.resource_id,
            "name": resource.name.rsplit("/", 1)[-1],
            "type": resource.type,
            "apiVersion": resource.api_version,
            **body,
        }
        if before is None:
            changes.append({**base, "changeType": "Create", "after": after})
            continue
        found = delta(before, after)
        if found:
            changes.append({**base, "changeType": "Modify", "before": before, "after": after, "delta": found})
        else:
            changes.append({**base, "changeType": "NoChange", "before": before, "after": after})
    if "/resourcegroups/" in key_of(scope_id) + "/":
        changes.extend(await _undeclared(scope_id, mode, declared, client, latest))
    return {"status": "Succeeded", "properties": {"changes": changes}}


async def _undeclared(
    scope_id: str, mode: str, declared: set[str], client: FrontDoorClient, latest: Any
) -> list[dict[str, Any]]:
    changes = []
    url: str | None = f"{scope_id}/resources?api-version={RESOURCES_API_VERSION}"
    while url:
        response = await client.request("GET", url)
        if response.status_code >= 400:
            return changes
        page = response.json()
        for item in page.get("value", []):
            key = key_of(item["id"])
            if key in declared or any(d.startswith(key + "/") for d in declared):
                continue
            before = {**item, "apiVersion": latest(item["type"])}
            change = "Delete" if mode.lower() == "complete" else "Ignore"
            changes.append({"resourceId": item["id"], "changeType": change, "before": before})
        url = page.get("nextLink")
    return changes
