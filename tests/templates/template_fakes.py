"""A fake in-memory RuntimeHost (a test double of the Deployments API's host, not of the engine) and scopes."""

from __future__ import annotations

import copy
import dataclasses
import uuid
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

    def put(self, resource_id: str, body: dict, api_version: str = "2024-03-31", resource_type: str = "") -> dict:
        """Store a body as the RP would, with the computed fields templates read back through reference()."""
        parts = resource_id.split("/")
        stored = copy.deepcopy(body)
        properties = stored.setdefault("properties", {}) or {}
        stored["properties"] = properties
        properties.setdefault("provisioningState", "Succeeded")
        stored.update({"id": resource_id, "name": parts[-1], "type": resource_type, "apiVersion": api_version})
        fake_id = str(uuid.uuid5(uuid.NAMESPACE_URL, resource_id.lower()))
        identity = stored.get("identity")
        if isinstance(identity, dict) and "SystemAssigned" in str(identity.get("type")):
            identity.update({"principalId": fake_id, "tenantId": TENANT})
        kind = resource_type.lower()
        if kind == "microsoft.managedidentity/userassignedidentities":
            properties.update({"principalId": fake_id, "clientId": fake_id, "tenantId": TENANT})
        elif kind == "microsoft.devices/iothubs":
            properties["hostName"] = f"{parts[-1]}.azure-devices.net"
            properties.setdefault("eventHubEndpoints", {}).setdefault("events", {}).update(
                {"endpoint": f"sb://ihsu-{parts[-1]}.servicebus.windows.net/", "path": parts[-1]}
            )
            policies = properties.get("authorizationPolicies", [])
            self.list_results[(resource_id.lower(), "listkeys")] = {
                "value": [dict(p, primaryKey=f"key-{p['keyName']}", secondaryKey="k2") for p in policies]
            }
        elif kind == "microsoft.healthcareapis/workspaces/dicomservices":
            properties["serviceUrl"] = f"https://{parts[-3]}-{parts[-1]}.dicom.azurehealthcareapis.com"
        elif kind == "microsoft.storage/storageaccounts":
            properties["primaryEndpoints"] = {"blob": f"https://{parts[-1]}.blob.core.windows.net/"}
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


def nested_scope(parent: ScopeInfo, nested: Any) -> ScopeInfo:
    """The scope a nested deployment runs in: its target group, or the parent's."""
    group_name = nested.resource_group or (parent.resource_group or {}).get("name")
    subscription = nested.subscription_id or parent.subscription_id
    group = None
    if group_name:
        group = {
            "id": f"/subscriptions/{subscription}/resourceGroups/{group_name}",
            "name": group_name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": (parent.resource_group or {}).get("location", parent.deployment_location or "eastus"),
            "tags": {},
            "properties": {"provisioningState": "Succeeded"},
        }
    return dataclasses.replace(parent, subscription_id=subscription, resource_group=group, deployment_name=nested.name)


def deploy(prepared: Any, host: FakeHost, scope: ScopeInfo | None = None) -> list[str]:
    """Walk the plan in dependency order (as the Deployments API does), PUT each rendered body into the host,
    run nested deployments with their own plan; returns the keys in the order deployed."""
    from arm_emulator.templates import prepare

    scope = scope or group_scope()
    done: set[str] = set()
    order: list[str] = []
    pending = list(prepared.resources)
    while pending:
        ready = [r for r in pending if r.depends_on <= done]
        assert ready, f"no resource is ready: {[r.key for r in pending]}"
        for resource in ready:
            if resource.nested is not None:
                properties = prepared.render(resource, host)["properties"]
                inner_scope = nested_scope(scope, resource.nested)
                inner = prepare(properties["template"], properties.get("parameters", {}), inner_scope)
                deploy(inner, host, inner_scope)
                record = {"properties": {"outputs": inner.outputs(host), "mode": properties.get("mode")}}
                host.put(resource.resource_id, record, resource.api_version, resource.type)
            elif not resource.existing:
                host.put(resource.resource_id, prepared.render(resource, host), resource.api_version, resource.type)
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
