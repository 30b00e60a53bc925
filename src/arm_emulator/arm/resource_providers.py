"""ARM's provider registry as clients read it: what is served (types, api-versions, locations), at
subscription and tenant scope; each subscription's registrations (register / unregister, kept in the
store); the check that refuses writes to a namespace not registered (a setting); each namespace's
operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import RegistrationRecord
from . import errors
from .api_versions import require_dated_api_version
from .endpoints import add_routes
from .generic_writes import is_generic_namespace
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


def _generic_resource_types(types: dict[str, tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """A generic namespace's types: those stored so far, with the api-versions they were written with
    (what a client that looks the version up, as `az resource` does, needs); any location."""
    return [
        {"resourceType": name.split("/", 1)[1], "locations": [], "apiVersions": versions, "capabilities": "None"}
        for name, versions in sorted(types.values())
    ]


@dataclass(frozen=True)
class NamespaceDocument:
    """What the providers API says of one namespace: a declared provider's types, or the types a
    generic namespace has stored."""

    namespace: str
    resource_types: list[dict[str, Any]]

    def body(self, subscription_id: str | None, registration_state: str = REGISTERED) -> dict[str, Any]:
        """The subscription's document, or (no subscription) the tenant's, which has no registration."""
        if subscription_id is None:
            return {
                "id": f"/providers/{self.namespace}",
                "namespace": self.namespace,
                "resourceTypes": self.resource_types,
            }
        return {
            "id": f"/subscriptions/{subscription_id}/providers/{self.namespace}",
            "namespace": self.namespace,
            "registrationState": registration_state,
            "registrationPolicy": "RegistrationRequired",
            "resourceTypes": self.resource_types,
        }


def namespace_documents(runtime: Runtime) -> list[NamespaceDocument]:
    """Every declared provider, then (when undeclared types are stored generically) each namespace
    that has stored some."""
    documents = [NamespaceDocument(p.namespace, _resource_types(p)) for p in runtime.registry.providers]
    if runtime.settings.generic_resources:
        with runtime.store.transaction() as tx:
            stored = tx.generic_types()
        by_namespace: dict[str, dict[str, tuple[str, list[str]]]] = {}
        for type_key, entry in stored.items():
            by_namespace.setdefault(type_key.split("/", 1)[0], {})[type_key] = entry
        for types in by_namespace.values():
            namespace = next(iter(types.values()))[0].split("/", 1)[0]
            documents.append(NamespaceDocument(namespace, _generic_resource_types(types)))
    return documents


def namespace_document(runtime: Runtime, namespace: str) -> NamespaceDocument:
    """One namespace's document; an undeclared one is known when undeclared types are stored
    generically (with the types stored so far), else 404 InvalidResourceNamespace."""
    provider = runtime.registry.provider(namespace)
    if provider is not None:
        return NamespaceDocument(provider.namespace, _resource_types(provider))
    if not runtime.settings.generic_resources or not is_generic_namespace(runtime, namespace):
        raise errors.invalid_resource_namespace(namespace, status=404)
    with runtime.store.transaction() as tx:
        types = tx.generic_types(namespace.lower())
    if types:
        namespace = next(iter(types.values()))[0].split("/", 1)[0]  # the casing first written
    return NamespaceDocument(namespace, _generic_resource_types(types))


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


def _change_registration(runtime: Runtime, subscription_key: str, namespace: str, *, register: bool) -> str:
    """Start registering or unregistering; the state to answer now (Registering / Unregistering, or
    the current one when there is nothing to change). The transition takes one provisioning step
    (`--lro-step-seconds`; in fast mode the next read already sees it done)."""
    namespace_key = namespace.lower()
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
        document.body(subscription.subscription_id, registration_state(runtime, subscription.key, document.namespace))
        for document in namespace_documents(runtime)
    ]
    return json_response({"value": value})


async def get_provider(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    document = namespace_document(runtime, params["namespace"])
    state = registration_state(runtime, subscription.key, document.namespace)
    return json_response(document.body(subscription.subscription_id, state))


async def _register_or_unregister(request: Request, params: dict[str, str], *, register: bool) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    document = namespace_document(runtime, params["namespace"])
    state = _change_registration(runtime, subscription.key, document.namespace, register=register)
    return json_response(document.body(subscription.subscription_id, state))


async def register_provider(request: Request, params: dict[str, str]) -> Response:
    return await _register_or_unregister(request, params, register=True)


async def unregister_provider(request: Request, params: dict[str, str]) -> Response:
    return await _register_or_unregister(request, params, register=False)


async def list_tenant_providers(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    return json_response({"value": [document.body(None) for document in namespace_documents(runtime)]})


async def get_tenant_provider(request: Request, params: dict[str, str]) -> Response:
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    return json_response(namespace_document(runtime_of(request), params["namespace"]).body(None))


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
