"""ARM's provider registry as clients read it: what is served (types, api-versions, locations), at
subscription and tenant scope; each subscription's registrations (register / unregister, kept in the
store); the check that refuses writes to a namespace not registered (a setting); each namespace's
operations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import RegistrationRecord
from . import errors
from .api_versions import require_dated_api_version
from .endpoints import add_routes
from .regions import display_name
from .resource_type import Provider
from .responses import json_response
from .runtime import Runtime, runtime_of
from .scopes import require_subscription

# Microsoft.Resources providers versions, from the oldest clients still send: azure-mgmt-core's
# auto-registration uses 2016-02-01, and tools that look up the api-version of a type ask for the
# provider document at 2015-01-01. Newer dated versions are accepted too (the document has not changed).
KNOWN_API_VERSIONS = (
    "2015-01-01",
    "2015-11-01",
    "2016-02-01",
    "2016-09-01",
    "2018-05-01",
    "2019-10-01",
    "2021-04-01",
    "2022-09-01",
    "2024-11-01",
    "2025-04-01",
)

REGISTERED = "Registered"
NOT_REGISTERED = "NotRegistered"
REGISTERING = "Registering"
UNREGISTERING = "Unregistering"
UNREGISTERED = "Unregistered"


def _resource_types(provider: Provider) -> list[dict[str, Any]]:
    return [
        {
            "resourceType": "/".join(rt.type_segments),
            "locations": [display_name(location) for location in provider.locations],
            "apiVersions": sorted(rt.api_versions, reverse=True),
            "capabilities": "None",
        }
        for rt in provider.resource_types
    ]


def provider_body(subscription_id: str, provider: Provider, registration_state: str = REGISTERED) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{subscription_id}/providers/{provider.namespace}",
        "namespace": provider.namespace,
        "registrationState": registration_state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": _resource_types(provider),
    }


def tenant_provider_body(provider: Provider) -> dict[str, Any]:
    """The tenant-level document: what the namespace serves, no registration (that is per subscription)."""
    return {
        "id": f"/providers/{provider.namespace}",
        "namespace": provider.namespace,
        "resourceTypes": _resource_types(provider),
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


# -- registration state ------------------------------------------------------------------------------


def _default_state(runtime: Runtime) -> str:
    """A namespace nobody has registered or unregistered in a subscription: Registered, unless the
    emulator requires registration as Azure does (then NotRegistered, as in a new subscription)."""
    return NOT_REGISTERED if runtime.settings.require_provider_registration else REGISTERED


def registration_state(runtime: Runtime, subscription_key: str, namespace: str) -> str:
    with runtime.store.transaction() as tx:
        record = tx.get_registration(subscription_key, namespace.lower())
    return record.state_at(runtime.clock.now()) if record is not None else _default_state(runtime)


def _change_registration(runtime: Runtime, subscription_key: str, provider: Provider, *, register: bool) -> str:
    """Start registering or unregistering; the state to answer now (Registering / Unregistering, or
    the current one when there is nothing to change). The transition takes one provisioning step
    (`--lro-step-seconds`; in fast mode the next read already sees it done)."""
    namespace_key = provider.namespace.lower()
    now = runtime.clock.now()
    with runtime.store.transaction() as tx:
        existing = tx.get_registration(subscription_key, namespace_key)
        current = existing.state_at(now) if existing is not None else _default_state(runtime)
        if register and current in (REGISTERED, REGISTERING):
            return current
        if not register and current in (NOT_REGISTERED, UNREGISTERED, UNREGISTERING):
            return current
        state, settled = (REGISTERING, REGISTERED) if register else (UNREGISTERING, UNREGISTERED)
        step = runtime.settings.lro_step_seconds if runtime.settings.lro_mode == "time" else 0.0
        tx.put_registration(RegistrationRecord(subscription_key, namespace_key, state, settled, now + step))
    return state


_WRITES = frozenset({"PUT", "PATCH", "DELETE", "POST"})


def check_registration(runtime: Runtime, method: str, path: str) -> None:
    """ARM's front door, with `--require-provider-registration`: a write to a served namespace the
    subscription has not registered is refused with 409 MissingSubscriptionRegistration. The namespace
    is the last `providers/{namespace}` of the path (an extension resource's); ARM's own provider
    endpoints (register, unregister) pass."""
    if method not in _WRITES or not runtime.settings.require_provider_registration:
        return
    segments = path.strip("/").split("/")
    if len(segments) < 4 or segments[0].lower() != "subscriptions":
        return
    index = max((i for i, s in enumerate(segments[:-1]) if s.lower() == "providers"), default=None)
    if index is None:
        return
    if index == 2 and len(segments) == 5 and segments[4].lower() in ("register", "unregister"):
        return
    provider = runtime.registry.provider(segments[index + 1])
    if provider is None:
        return
    if registration_state(runtime, segments[1].lower(), provider.namespace) != REGISTERED:
        raise errors.missing_subscription_registration(provider.namespace)


# -- handlers ----------------------------------------------------------------------------------------


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
    value = [
        provider_body(subscription.subscription_id, p, registration_state(runtime, subscription.key, p.namespace))
        for p in runtime.registry.providers
    ]
    return json_response({"value": value})


async def get_provider(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    provider = _provider(request, params["namespace"])
    state = registration_state(runtime, subscription.key, provider.namespace)
    return json_response(provider_body(subscription.subscription_id, provider, state))


async def _register_or_unregister(request: Request, params: dict[str, str], *, register: bool) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    provider = _provider(request, params["namespace"])
    state = _change_registration(runtime, subscription.key, provider, register=register)
    return json_response(provider_body(subscription.subscription_id, provider, state))


async def register_provider(request: Request, params: dict[str, str]) -> Response:
    return await _register_or_unregister(request, params, register=True)


async def unregister_provider(request: Request, params: dict[str, str]) -> Response:
    return await _register_or_unregister(request, params, register=False)


async def list_tenant_providers(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    return json_response({"value": [tenant_provider_body(p) for p in runtime.registry.providers]})


async def get_tenant_provider(request: Request, params: dict[str, str]) -> Response:
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    return json_response(tenant_provider_body(_provider(request, params["namespace"])))


async def list_operations(request: Request, params: dict[str, str]) -> Response:
    require_dated_api_version(request, ("2015-01-01",))
    return json_response(operations_body(_provider(request, params["namespace"])))


def register(router: APIRouter) -> None:
    base = "/subscriptions/{subscriptionId}/providers"
    routes = [
        ("GET", base, list_providers, "Providers_List"),
        ("GET", base + "/{namespace}", get_provider, "Providers_Get"),
        ("POST", base + "/{namespace}/register", register_provider, "Providers_Register"),
        ("POST", base + "/{namespace}/unregister", unregister_provider, "Providers_Unregister"),
        ("GET", "/providers", list_tenant_providers, "Providers_ListAtTenantScope"),
        ("GET", "/providers/{namespace}", get_tenant_provider, "Providers_GetAtTenantScope"),
        ("GET", "/providers/{namespace}/operations", list_operations, "Operations_List"),
    ]
    add_routes(router, routes, "Microsoft.Resources/providers")
