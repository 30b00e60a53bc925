"""ARM's subscription and tenant lists, which az login and tenant discovery read first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import SubscriptionRecord
from .api_versions import require_dated_api_version
from .endpoints import add_routes
from .responses import json_response
from .runtime import Runtime, runtime_of
from .scopes import require_subscription

# Microsoft.Resources subscriptions versions (also the locations list's), from the oldest clients still
# send (Azure Stack profiles: 2016-06-01; older tools: 2015-11-01); newer dated versions are accepted too.
KNOWN_API_VERSIONS = ("2015-11-01", "2016-06-01", "2019-11-01", "2020-01-01", "2021-01-01", "2022-12-01")


def subscription_body(record: SubscriptionRecord) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{record.subscription_id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": record.subscription_id,
        "tenantId": record.tenant_id,
        "displayName": record.display_name,
        "state": record.state,
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def register_known_subscriptions(runtime: Runtime) -> None:
    """The directory's subscriptions exist from the first start, so `az login` finds one."""
    with runtime.store.transaction() as tx:
        for tenant in runtime.directory.tenants:
            for subscription_id in tenant.subscriptions:
                if tx.get_subscription(subscription_id.lower()) is None:
                    tx.add_subscription(
                        SubscriptionRecord(subscription_id, tenant.tenant_id, "Emulator subscription", "Enabled"),
                        runtime.clock.now(),
                    )


async def list_subscriptions(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        records = tx.list_subscriptions()
    return json_response({"value": [subscription_body(r) for r in records]})


async def get_subscription(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        record = require_subscription(runtime, tx, params["subscriptionId"])
    return json_response(subscription_body(record))


async def list_tenants(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    value = [
        {
            "id": f"/tenants/{tenant.tenant_id}",
            "tenantId": tenant.tenant_id,
            "tenantCategory": "Home",
            "displayName": tenant.display_name,
            "defaultDomain": "emulator.onmicrosoft.com",
            "domains": ["emulator.onmicrosoft.com"],
            "tenantType": "AAD",
        }
        for tenant in runtime.directory.tenants
    ]
    return json_response({"value": value})


def register(router: APIRouter) -> None:
    routes = [
        ("/subscriptions", list_subscriptions, "Subscriptions_List"),
        ("/subscriptions/{subscriptionId}", get_subscription, "Subscriptions_Get"),
        ("/tenants", list_tenants, "Tenants_List"),
    ]
    add_routes(
        router, [("GET", path, handler, name) for path, handler, name in routes], "Microsoft.Resources/subscriptions"
    )
