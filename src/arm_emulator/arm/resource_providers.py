"""ARM's provider registry as clients read it: what is served (types, api-versions, locations),
registration (always `Registered`: nothing here needs it), and each namespace's operations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .api_versions import require_dated_api_version
from .endpoints import endpoint
from .regions import display_name
from .resource_type import Provider
from .responses import json_response
from .runtime import runtime_of
from .scopes import require_subscription

KNOWN_API_VERSIONS = ("2016-02-01", "2019-10-01", "2021-04-01", "2024-11-01", "2025-04-01")


def provider_body(subscription_id: str, provider: Provider) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{subscription_id}/providers/{provider.namespace}",
        "namespace": provider.namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [
            {
                "resourceType": "/".join(rt.type_segments),
                "locations": [display_name(location) for location in provider.locations],
                "apiVersions": sorted(rt.api_versions, reverse=True),
                "capabilities": "None",
            }
            for rt in provider.resource_types
        ],
    }


def operations_body(provider: Provider) -> dict[str, Any]:
    if provider.operations is not None:
        return {"value": list(provider.operations)}
    namespace = provider.namespace
    value = [
        {
            "name": f"{namespace}/register/action",
            "isDataAction": False,
            "display": {
                "provider": namespace,
                "resource": namespace,
                "operation": "Registers the Resource Provider",
                "description": f"Registers the subscription for the {namespace} resource provider.",
            },
            "origin": "user,system",
        }
    ]
    for rt in provider.resource_types:
        type_path = "/".join(rt.type_segments)
        for action, verb in (("read", "Read"), ("write", "Create or update"), ("delete", "Delete")):
            value.append(
                {
                    "name": f"{namespace}/{type_path}/{action}",
                    "isDataAction": False,
                    "display": {
                        "provider": namespace,
                        "resource": type_path,
                        "operation": f"{verb} {type_path}",
                        "description": f"{verb} {type_path} resources.",
                    },
                    "origin": "user,system",
                }
            )
    return {"value": value}


def _provider(request: Request, namespace: str) -> Provider:
    provider = runtime_of(request).registry.provider(namespace)
    if provider is None:
        raise errors.invalid_resource_namespace(namespace, status=404)
    return provider


async def list_providers(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    value = [provider_body(subscription.subscription_id, p) for p in runtime.registry.providers]
    return json_response({"value": value})


async def get_provider(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    return json_response(provider_body(subscription.subscription_id, _provider(request, params["namespace"])))


async def list_operations(request: Request, params: dict[str, str]) -> Response:
    require_dated_api_version(request, ("2015-01-01",))
    return json_response(operations_body(_provider(request, params["namespace"])))


def register(router: APIRouter) -> None:
    base = "/subscriptions/{subscriptionId}/providers"
    routes = [
        ("GET", base, list_providers, "Providers_List"),
        ("GET", base + "/{namespace}", get_provider, "Providers_Get"),
        ("POST", base + "/{namespace}/register", get_provider, "Providers_Register"),
        ("GET", "/providers/{namespace}/operations", list_operations, "Operations_List"),
    ]
    for method, path, handler, name in routes:
        router.add_api_route(
            path,
            endpoint(handler),
            methods=[method],
            operation_id=name,
            tags=["Microsoft.Resources/providers"],
            response_class=Response,
        )
