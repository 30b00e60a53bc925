"""ARM's lists of every resource: `GET /subscriptions/{s}/resources` (Resources_List) and
`GET /subscriptions/{s}/resourceGroups/{rg}/resources` (Resources_ListByResourceGroup).

Every tracked resource (one whose body has a `location`) of any type, declared or not, child types
included, as ARM's GenericResourceExpanded: a child's `name` is `parent/child` and its `type`
`Namespace/parent/child`; no `properties`. Resource groups and proxy resources are not listed.
`$filter` is `odata_filter`'s subset; `$expand` adds createdTime, changedTime, provisioningState.
The store narrows the scan by type, group and last name segment; the rest of the filter is applied
here on the parsed body, continuing the scan to fill a page (a page may come back short, with a
nextLink, when a bounded scan found too few matches; ARM's pages may too).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..clock import iso8601
from ..store.repository import ScannedResource
from .api_versions import require_dated_api_version
from .endpoints import add_routes
from .errors import ArmError
from .odata_filter import FilteredItem, ResourceFilter, parse_filter
from .operations import catch_up
from .paging import decode_skip_token, encode_skip_token, next_link, page_size
from .resource_groups import KNOWN_API_VERSIONS
from .resource_id import parse_scoped_path, shown_type_name
from .responses import base_url, dump_json, raw_json_response
from .runtime import Runtime, runtime_of
from .scopes import RESOURCE_GROUP_TYPE_KEY, require_resource_group, require_subscription

EXPANDABLE = ("createdTime", "changedTime", "provisioningState")
# GenericResourceExpanded's top-level fields, in the order ARM sends them (`properties` is left out).
_SHOWN_FIELDS = ("sku", "kind", "location", "extendedLocation", "identity", "managedBy", "plan", "tags")
# At most this many rows are read for one page: a filter the store cannot narrow (location, tags,
# substrings) then answers a short page with a nextLink instead of scanning a whole large store.
SCAN_BUDGET = 5000
_BATCH = 500


@dataclass(frozen=True)
class _ListScope:
    subscription_key: str
    resource_group_key: str | None
    # The resource key prefix under which due operations are caught up first.
    key_prefix: str


def _expand(text: str | None) -> tuple[str, ...]:
    if text is None or not text.strip():
        return ()
    wanted: list[str] = []
    for part in text.split(","):
        found = next((name for name in EXPANDABLE if name.lower() == part.strip().lower()), None)
        if found is None:
            raise ArmError(
                400,
                "InvalidExpandQueryOptionValue",
                f"The $expand value '{part.strip()}' is not supported. Supported values: {', '.join(EXPANDABLE)}.",
            )
        wanted.append(found)
    return tuple(wanted)


def _names_and_type(resource_id: str, type_key: str, body: dict[str, Any]) -> tuple[str, str, str]:
    """(full name `parent/child`, type `Namespace/parent/child`, resource group) from the id."""
    parsed = parse_scoped_path(resource_id)
    if parsed is None or parsed[1] is not None:  # not a provider resource id: show what the body says
        segments = resource_id.strip("/").split("/")
        group = segments[3] if len(segments) > 3 else ""
        return str(body.get("name", segments[-1])), str(body.get("type", type_key)), group
    rid = parsed[0]
    names = "/".join(name for _, name in rid.types)
    return names, shown_type_name(resource_id, type_key, body.get("type")), rid.resource_group or ""


def _item(row: ScannedResource, body: dict[str, Any]) -> FilteredItem:
    name, type_name, group = _names_and_type(row.id, row.type_key, body)
    tags = body.get("tags") if isinstance(body.get("tags"), dict) else {}
    return FilteredItem(name, type_name, group, str(body.get("location", "")), tags or {})


def _render(
    row: ScannedResource, body: dict[str, Any], item: FilteredItem, expand: tuple[str, ...], by_tag: bool
) -> dict[str, Any]:
    shown: dict[str, Any] = {"id": row.id, "name": item.name, "type": item.type}
    for field in _SHOWN_FIELDS:
        # ARM documents that a list filtered by tag does not return the resources' tags.
        if field in body and body[field] is not None and not (field == "tags" and by_tag):
            shown[field] = body[field]
    if "createdTime" in expand:
        shown["createdTime"] = iso8601(row.created_at)
    if "changedTime" in expand:
        shown["changedTime"] = iso8601(row.updated_at)
    if "provisioningState" in expand:
        properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
        shown["provisioningState"] = row.provisioning_state or (properties or {}).get("provisioningState", "Succeeded")
    return shown


def _page(
    runtime: Runtime,
    scope: _ListScope,
    resource_filter: ResourceFilter,
    expand: tuple[str, ...],
    after: int | None,
    size: int,
) -> tuple[list[dict[str, Any]], int | None, bool]:
    """Up to `size` listed items after position `after`: the items, the position the next page starts
    after, and whether there may be more."""
    type_name = resource_filter.equal_to("resourceType")
    name = resource_filter.equal_to("name")
    group = resource_filter.equal_to("resourceGroup")
    group_key = scope.resource_group_key
    if group is not None and group_key is None:
        group_key = f"/subscriptions/{scope.subscription_key}/resourcegroups/{group.lower()}"
    items: list[dict[str, Any]] = []
    position, scanned = after, 0
    # Under a filter the scan answers whole, `matches` passes every tracked row the scan returns: a page
    # and one more row is enough. Any other filter may reject many, so it reads in bigger batches.
    batch = size + 1 if _answered_by_the_store(resource_filter) else max(size, _BATCH)
    with runtime.store.transaction() as tx:
        while True:
            rows = tx.scan_resources(
                subscription_key=scope.subscription_key,
                excluded_type_key=RESOURCE_GROUP_TYPE_KEY,
                resource_group_key=group_key,
                type_key=type_name.lower() if type_name else None,
                last_name_segment=name.rsplit("/", 1)[-1] if name else None,
                after_seq=position,
                limit=batch,
            )
            for index, row in enumerate(rows):
                position = row.seq
                body = json.loads(row.raw)
                if not isinstance(body, dict) or body.get("location") in (None, ""):
                    continue  # a proxy resource: ARM lists tracked resources only
                item = _item(row, body)
                if not resource_filter.matches(item):
                    continue
                items.append(_render(row, body, item, expand, resource_filter.by_tag))
                if len(items) == size:
                    return items, position, index < len(rows) - 1 or len(rows) == batch
            scanned += len(rows)
            if len(rows) < batch:
                return items, position, False
            if scanned >= SCAN_BUDGET:
                return items, position, True


# The properties whose `eq` clause `_page`'s scan applies exactly (`name eq` narrows it only to the
# last name segment: `matches` still decides).
_EXACT_IN_THE_SCAN = ("resourceType", "resourceGroup")


def _answered_by_the_store(resource_filter: ResourceFilter) -> bool:
    """Whether `_page`'s scan narrows to exactly what the filter asks (no comparison left to `matches`)."""
    return not resource_filter.by_tag and all(
        c.operator == "eq" and c.property in _EXACT_IN_THE_SCAN for c in resource_filter.comparisons
    )


def _list(request: Request, runtime: Runtime, scope: _ListScope, api_version: str) -> Response:
    query = request.query_params
    filter_text, expand_text, top = query.get("$filter"), query.get("$expand"), query.get("$top")
    resource_filter = parse_filter(filter_text)
    expand = _expand(expand_text)
    size = page_size(top, runtime.settings.page_size)
    # A skip token is valid for the list, filter and expansion it came from only.
    list_name = f"{scope.key_prefix}|resources|{filter_text or ''}|{expand_text or ''}"
    after = decode_skip_token(list_name, query.get("$skipToken"))
    catch_up(runtime, scope.key_prefix)
    items, position, more = _page(runtime, scope, resource_filter, expand, after, size)
    text = '{"value":' + dump_json(items).decode()
    if more and position is not None:
        carried = {k: v for k, v in (("$filter", filter_text), ("$expand", expand_text)) if v is not None}
        link = next_link(
            base_url(request, runtime.settings.public_url),
            request.url.path,
            api_version,
            top,
            encode_skip_token(list_name, position),
            carried,
        )
        text += ',"nextLink":' + json.dumps(link)
    return raw_json_response(text + "}")


async def list_resources(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    api_version = require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    scope = _ListScope(subscription.key, None, f"/subscriptions/{subscription.key}/")
    return _list(request, runtime, scope, api_version)


async def list_resources_by_group(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    api_version = require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        group = require_resource_group(runtime, tx, params["subscriptionId"], params["resourceGroupName"])
    scope = _ListScope(group.subscription_key, group.key, group.key + "/")
    return _list(request, runtime, scope, api_version)


def register(router: APIRouter) -> None:
    routes = [
        ("GET", "/subscriptions/{subscriptionId}/resources", list_resources, "Resources_List"),
        (
            "GET",
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/resources",
            list_resources_by_group,
            "Resources_ListByResourceGroup",
        ),
    ]
    add_routes(router, routes, "Microsoft.Resources/resources")
