"""A fake in-memory RuntimeHost (a test double of the Deployments API's host, not of the engine) and scopes."""

from __future__ import annotations

import copy
from typing import Any

from arm_emulator.templates import ScopeInfo, TemplateError

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
GROUP = "my-rg"
GROUP_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}"

ENVIRONMENT = {
    "name": "AzureCloud",
    "gallery": "https://gallery.azure.com/",
    "graph": "https://graph.windows.net/",
    "portal": "https://portal.azure.com",
    "resourceManager": "https://management.azure.com/",
    "authentication": {
        "loginEndpoint": "https://login.microsoftonline.com/",
        "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
        "tenant": "common",
        "identityProvider": "AAD",
    },
    "suffixes": {"storage": "core.windows.net", "keyvaultDns": ".vault.azure.net"},
}


def group_scope(name: str = "deploy1", location: str = "westeurope") -> ScopeInfo:
    return ScopeInfo(
        tenant_id=TENANT,
        subscription_id=SUBSCRIPTION,
        subscription_display_name="Emulated subscription",
        resource_group={
            "id": GROUP_ID,
            "name": GROUP,
            "type": "Microsoft.Resources/resourceGroups",
            "location": location,
            "tags": {},
            "properties": {"provisioningState": "Succeeded"},
        },
        management_group=None,
        deployment_name=name,
        deployment_location=None,
        environment=ENVIRONMENT,
    )


def subscription_scope(name: str = "subdeploy", location: str = "eastus") -> ScopeInfo:
    return ScopeInfo(
        tenant_id=TENANT,
        subscription_id=SUBSCRIPTION,
        subscription_display_name="Emulated subscription",
        resource_group=None,
        management_group=None,
        deployment_name=name,
        deployment_location=location,
        environment=ENVIRONMENT,
    )


class FakeHost:
    """Resources by lower-cased id; reference() and list*() answer from them and record the calls."""

    def __init__(self) -> None:
        self.resources: dict[str, dict] = {}
        self.calls: list[tuple] = []
        self.list_results: dict[tuple[str, str], Any] = {}

    def put(self, resource_id: str, body: dict, api_version: str = "2024-03-31") -> dict:
        parts = resource_id.split("/")
        stored = copy.deepcopy(body)
        stored.setdefault("properties", {})
        stored["properties"].setdefault("provisioningState", "Succeeded")
        stored.update({"id": resource_id, "name": parts[-1], "apiVersion": api_version})
        self.resources[resource_id.lower()] = stored
        return stored

    def reference(self, resource_id: str, api_version: str | None, full: bool) -> Any:
        self.calls.append(("reference", resource_id, api_version, full))
        stored = self.resources.get(resource_id.lower())
        if stored is None:
            raise TemplateError("ResourceNotFound", f"The Resource '{resource_id}' was not found.")
        return copy.deepcopy(stored if full else stored.get("properties", {}))

    def invoke_list(self, resource_id: str, function_name: str, api_version: str, body: Any | None) -> Any:
        self.calls.append(("list", resource_id, function_name, api_version, body))
        key = (resource_id.lower(), function_name.lower())
        if key not in self.list_results:
            raise TemplateError("ResourceNotFound", f"The Resource '{resource_id}' was not found.")
        return copy.deepcopy(self.list_results[key])


def deploy(prepared: Any, host: FakeHost) -> list[str]:
    """Walk the plan in dependency order (as the Deployments API does), PUT each rendered body into the host;
    returns the keys in the order deployed."""
    done: set[str] = set()
    order: list[str] = []
    pending = list(prepared.resources)
    while pending:
        ready = [r for r in pending if r.depends_on <= done]
        assert ready, f"no resource is ready: {[r.key for r in pending]}"
        for resource in ready:
            if not resource.existing:
                host.put(resource.resource_id, prepared.render(resource, host), resource.api_version)
            done.add(resource.key)
            order.append(resource.key)
            pending.remove(resource)
    return order


def template(resources: Any = None, **sections: Any) -> dict:
    """A template with the sections given (resources defaults to none)."""
    body: dict[str, Any] = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources if resources is not None else [],
    }
    body.update(sections)
    return body


def evaluate(
    expression: Any,
    parameters: dict | None = None,
    variables: dict | None = None,
    scope: ScopeInfo | None = None,
    host: Any = None,
    values: dict | None = None,
) -> Any:
    """Evaluate one expression in a template declaring `parameters` (definitions) and `variables`."""
    from arm_emulator.templates import prepare

    prepared = prepare(
        template(parameters=parameters or {}, variables=variables or {}),
        {k: {"value": v} for k, v in (values or {}).items()},
        scope or group_scope(),
    )
    return prepared.evaluate(expression, host)
