"""The engine's RuntimeHost: reference() and list*() over the emulator's front door.

The engine is synchronous and runs in a worker thread (so a slow template never holds up the event
loop); each call here runs its request on the event loop and waits for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..resource_id import key_of
from ..runtime import Runtime
from .front_door import FrontDoorClient, error_of
from .scope import DEPLOYMENT_TYPE

# Microsoft.Resources versions ARM's own types answer at, when a template names none.
RESOURCES_API_VERSION = "2021-04-01"
DEPLOYMENTS_API_VERSION = "2025-04-01"
CALL_TIMEOUT_SECONDS = 60


def latest_api_version(runtime: Runtime, type_name: str) -> str:
    """The newest version the emulator serves for a type (the stored versions for generic types)."""
    type_key = type_name.lower()
    if type_key == DEPLOYMENT_TYPE.lower():
        return DEPLOYMENTS_API_VERSION
    found = runtime.registry.resource_type(type_key)
    if found is not None:
        return max(found[1].api_versions)
    namespace = type_key.split("/", 1)[0]
    with runtime.store.transaction() as tx:
        stored = tx.generic_types(namespace).get(type_key)
    if stored and stored[1]:
        return max(stored[1])
    return RESOURCES_API_VERSION


def type_of_id(resource_id: str) -> str:
    """`Namespace/type[/child]` of a resource id (resource groups and subscriptions included)."""
    segments = resource_id.strip("/").split("/")
    lowered = [s.lower() for s in segments]
    if "providers" not in lowered:
        return "Microsoft.Resources/resourceGroups" if len(segments) == 4 else "Microsoft.Resources/subscriptions"
    index = len(lowered) - 1 - lowered[::-1].index("providers")
    rest = segments[index + 1 :]
    return "/".join([rest[0], *rest[1::2]])


class FrontDoorHost:
    def __init__(self, runtime: Runtime, client: FrontDoorClient, loop: asyncio.AbstractEventLoop) -> None:
        self._runtime = runtime
        self._client = client
        self._loop = loop
        self.api_versions: dict[str, str] = {}  # resource key -> the version its template names

    def _call(self, method: str, url: str, body: Any = None) -> Any:
        future = asyncio.run_coroutine_threadsafe(self._client.request(method, url, body), self._loop)
        return future.result(timeout=CALL_TIMEOUT_SECONDS)

    def _version(self, resource_id: str, api_version: str | None) -> str:
        if api_version:
            return api_version
        known = self.api_versions.get(key_of(resource_id))
        if known:
            return known
        version = asyncio.run_coroutine_threadsafe(self._latest(resource_id), self._loop)
        return version.result(timeout=CALL_TIMEOUT_SECONDS)

    async def _latest(self, resource_id: str) -> str:
        return latest_api_version(self._runtime, type_of_id(resource_id))

    def reference(self, resource_id: str, api_version: str | None, full: bool) -> Any:
        from ...templates import TemplateError

        version = self._version(resource_id, api_version)
        response = self._call("GET", f"{resource_id}?api-version={version}")
        if response.status_code >= 400:
            error = error_of(response)
            raise TemplateError(error.get("code", "ResourceNotFound"), error.get("message", ""), resource_id)
        body = response.json()
        if not full:
            return body.get("properties", {})
        return {**body, "apiVersion": version}

    def invoke_list(self, resource_id: str, function_name: str, api_version: str, body: Any | None) -> Any:
        from ...templates import TemplateError

        version = self._version(resource_id, api_version)
        response = self._call("POST", f"{resource_id}/{function_name}?api-version={version}", body)
        if response.status_code >= 400:
            error = error_of(response)
            raise TemplateError(error.get("code", "InvalidTemplate"), error.get("message", ""), resource_id)
        return response.json() if response.content else None
