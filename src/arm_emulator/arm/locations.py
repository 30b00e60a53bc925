"""ARM's list of regions (`az account list-locations`, SubscriptionClient.subscriptions.list_locations),
at subscription scope and at tenant scope, from the one region table (arm.regions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from .api_versions import require_dated_api_version
from .endpoints import add_routes
from .regions import REGION_BY_NAME, REGIONS, Region, paired_region
from .responses import json_response
from .runtime import runtime_of
from .scopes import require_subscription
from .subscriptions import KNOWN_API_VERSIONS

# The versions whose Location has `regionalDisplayName` and `metadata` (before it: latitude and
# longitude at the top), `type` (Region or EdgeZone) and `metadata.geography`.
_METADATA_SINCE = "2019-11-01"
_TYPE_SINCE = "2021-01-01"
_GEOGRAPHY_SINCE = "2022-12-01"


def location_body(region: Region, scope: str, api_version: str) -> dict[str, Any]:
    """One region as ARM lists it at `api-version`; `scope` is `/subscriptions/{id}` or empty (tenant)."""
    version = api_version[:10]
    body: dict[str, Any] = {"id": f"{scope}/locations/{region.name}", "name": region.name}
    if version < _METADATA_SINCE:
        if scope:
            body["subscriptionId"] = scope.rsplit("/", 1)[1]
        body.update(displayName=region.display_name, latitude=region.latitude, longitude=region.longitude)
        return body
    if version >= _TYPE_SINCE:
        body["type"] = "Region"
    body["displayName"] = region.display_name
    body["regionalDisplayName"] = region.regional_display_name
    metadata: dict[str, Any] = {"regionType": "Physical", "regionCategory": region.category}
    if version >= _GEOGRAPHY_SINCE:
        metadata["geography"] = region.geography
    metadata.update(
        geographyGroup=region.geography_group,
        longitude=region.longitude,
        latitude=region.latitude,
        physicalLocation=region.physical_location,
    )
    pair = paired_region(region.name)
    metadata["pairedRegion"] = (
        [{"name": pair, "id": f"{scope}/locations/{pair}"}] if pair is not None and pair in REGION_BY_NAME else []
    )
    body["metadata"] = metadata
    return body


async def list_locations(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    api_version = require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    scope = f"/subscriptions/{subscription.subscription_id}"
    return json_response({"value": [location_body(region, scope, api_version) for region in REGIONS]})


async def list_tenant_locations(request: Request, params: dict[str, str]) -> Response:
    api_version = require_dated_api_version(request, KNOWN_API_VERSIONS)
    return json_response({"value": [location_body(region, "", api_version) for region in REGIONS]})


def register(router: APIRouter) -> None:
    routes = [
        ("/subscriptions/{subscriptionId}/locations", list_locations, "Subscriptions_ListLocations"),
        ("/locations", list_tenant_locations, "Locations_ListAtTenantScope"),
    ]
    add_routes(
        router, [("GET", path, handler, name) for path, handler, name in routes], "Microsoft.Resources/subscriptions"
    )
