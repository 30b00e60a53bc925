"""Types stored generically (no provider declared here) whose real service does a little more than
keep the body, in ways templates and clients rely on: the fields it computes on every write, the
children it makes with each resource (a storage account's blobServices/default, an IoT hub's
built-in `events` endpoint) and its POST actions (listKeys), declared as data on the generic store
(`GenericType`), keyed by type. Shapes follow the services' REST references and swagger examples.

Keys are derived from the resource id (stable across reads, updates and restarts, like the identity
ids) and decode to bytes that start with `arm-emulator-key:`, so no one mistakes them for secrets.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ..arm.identity import user_assigned_identity_ids
from ..arm.registry import GenericType

_KEY_MARKER = b"arm-emulator-key:"


def emulator_key(resource_id: str, key_name: str, slot: str, size: int = 32) -> str:
    """A base64 key of `size` bytes (as the service's own, so SAS signing code accepts it), the
    same for the same resource, key name and slot."""
    digest = hashlib.sha512(f"{resource_id.lower()}|{key_name.lower()}|{slot}".encode()).digest()
    return base64.b64encode((_KEY_MARKER + digest)[:size]).decode()


def _properties(body: dict[str, Any]) -> dict[str, Any]:
    properties = body.get("properties")
    return properties if isinstance(properties, dict) else {}


def _name_after(resource_id: str, type_segment: str) -> str:
    """The name that follows a type segment in an id (`namespaces` -> the namespace's name)."""
    segments = resource_id.split("/")
    lowered = [segment.lower() for segment in segments]
    return segments[lowered.index(type_segment.lower()) + 1]


def _created_at(body: dict[str, Any]) -> Any:
    return (body.get("systemData") or {}).get("createdAt")


def _with_sku_tier(body: dict[str, Any], tiers: dict[str, str]) -> None:
    """The service reports the tier of the sku it was given (`Standard_LRS` -> `Standard`)."""
    sku = body.get("sku")
    if isinstance(sku, dict) and isinstance(sku.get("name"), str) and "tier" not in sku:
        for prefix, tier in tiers.items():
            if sku["name"].lower().startswith(prefix):
                body["sku"] = {**sku, "tier": tier}
                break


# Microsoft.ManagedIdentity and Microsoft.Authorization


def user_assigned_identity(resource_id: str, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Microsoft.ManagedIdentity/userAssignedIdentities: its tenant, principal and client ids (the same
    ids a resource that is assigned this identity shows for it)."""
    body["properties"] = {**_properties(body), "tenantId": tenant_id, **user_assigned_identity_ids(resource_id)}
    return body


def role_assignment(resource_id: str, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Microsoft.Authorization/roleAssignments: the scope it is on, and when it was made and changed."""
    scope = resource_id[: resource_id.lower().rindex("/providers/microsoft.authorization/roleassignments/")]
    system_data = body.get("systemData") or {}
    body["properties"] = {
        **_properties(body),
        "scope": scope or "/",
        "createdOn": system_data.get("createdAt"),
        "updatedOn": system_data.get("lastModifiedAt"),
    }
    return body


# Microsoft.Storage

_STORAGE_ENDPOINTS = ("blob", "dfs", "file", "queue", "table")


def storage_account(resource_id: str, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Microsoft.Storage/storageAccounts: its endpoints (built from its name), where and since when
    it is, and its sku's tier."""
    name = body["name"]
    endpoints = {service: f"https://{name}.{service}.core.windows.net/" for service in _STORAGE_ENDPOINTS}
    body["properties"] = {
        **_properties(body),
        "primaryEndpoints": {**endpoints, "web": f"https://{name}.z13.web.core.windows.net/"},
        "primaryLocation": body.get("location"),
        "statusOfPrimary": "available",
        "creationTime": _created_at(body),
    }
    _with_sku_tier(body, {"standard": "Standard", "premium": "Premium"})
    return body


def storage_account_keys(resource_id: str, body: dict[str, Any], request: Any) -> dict[str, Any]:
    """POST storageAccounts/{name}/listKeys: key1 and key2, 64 bytes each, as the service's."""
    return {
        "keys": [
            {
                "creationTime": _created_at(body),
                "keyName": key_name,
                "value": emulator_key(resource_id, key_name, "value", 64),
                "permissions": "FULL",
            }
            for key_name in ("key1", "key2")
        ]
    }


_SERVICE_DEFAULTS = {"cors": {"corsRules": []}}

STORAGE_ACCOUNT = GenericType(
    computed=storage_account,
    implicit_children=(
        (
            "blobServices/default",
            {
                "properties": {
                    **_SERVICE_DEFAULTS,
                    "deleteRetentionPolicy": {"allowPermanentDelete": False, "enabled": False},
                }
            },
        ),
        (
            "fileServices/default",
            {"properties": {**_SERVICE_DEFAULTS, "shareDeleteRetentionPolicy": {"enabled": True, "days": 7}}},
        ),
        ("queueServices/default", {"properties": _SERVICE_DEFAULTS}),
        ("tableServices/default", {"properties": _SERVICE_DEFAULTS}),
    ),
    actions={"listKeys": storage_account_keys},
)


# Microsoft.Devices

# The shared access policies a new hub has when its body names none (IotHubResource_ListKeys example).
IOT_HUB_DEFAULT_POLICIES = (
    ("iothubowner", "RegistryWrite, ServiceConnect, DeviceConnect"),
    ("service", "ServiceConnect"),
    ("device", "DeviceConnect"),
    ("registryRead", "RegistryRead"),
    ("registryReadWrite", "RegistryWrite"),
)


def iot_hub(resource_id: str, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Microsoft.Devices/IotHubs: its host name, its built-in Event Hub-compatible endpoint (the
    partitions asked for, the path and the namespace it lives in), its state and sku tier."""
    name = body["name"]
    properties = _properties(body)
    endpoints = properties.get("eventHubEndpoints") if isinstance(properties.get("eventHubEndpoints"), dict) else {}
    events = endpoints.get("events") if isinstance(endpoints.get("events"), dict) else {}
    partitions = events.get("partitionCount") if isinstance(events.get("partitionCount"), int) else 4
    digest = hashlib.sha256(resource_id.lower().encode()).hexdigest()
    namespace = f"iothub-ns-{name[:10].lower()}-{int(digest[:8], 16) % 1000000}-{digest[8:18]}"
    body["properties"] = {
        **properties,
        "state": "Active",
        "hostName": f"{name}.azure-devices.net",
        "eventHubEndpoints": {
            **endpoints,
            "events": {
                "retentionTimeInDays": 1,
                **events,
                "partitionCount": partitions,
                "partitionIds": [str(index) for index in range(max(partitions, 0))],
                "path": name.lower(),
                "endpoint": f"sb://{namespace}.servicebus.windows.net/",
            },
        },
    }
    _with_sku_tier(body, {"f": "Free", "b": "Basic", "s": "Standard"})
    return body


def iot_hub_keys(resource_id: str, body: dict[str, Any], request: Any) -> dict[str, Any]:
    """POST IotHubs/{name}/listKeys: the hub's shared access policies with their keys: those its
    body declared (`properties.authorizationPolicies`), else the five every new hub has."""
    declared = _properties(body).get("authorizationPolicies")
    policies = (
        [p for p in declared if isinstance(p, dict) and isinstance(p.get("keyName"), str)]
        if isinstance(declared, list) and declared
        else [{"keyName": name, "rights": rights} for name, rights in IOT_HUB_DEFAULT_POLICIES]
    )
    return {
        "value": [
            {
                "keyName": policy["keyName"],
                "primaryKey": policy.get("primaryKey") or emulator_key(resource_id, policy["keyName"], "primary"),
                "secondaryKey": policy.get("secondaryKey") or emulator_key(resource_id, policy["keyName"], "secondary"),
                "rights": policy.get("rights"),
            }
            for policy in policies
        ]
    }


IOT_HUB = GenericType(
    computed=iot_hub,
    implicit_children=(
        # Not readable in Azure itself, but where the hub's consumer groups live.
        ("eventHubEndpoints/events", {}),
        ("eventHubEndpoints/events/ConsumerGroups/$Default", {"properties": {"name": "$Default"}}),
    ),
    actions={"listKeys": iot_hub_keys},
)


# Microsoft.EventHub


def event_hub_namespace(resource_id: str, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Microsoft.EventHub/namespaces: its endpoint, status, metric id and times."""
    name = body["name"]
    system_data = body.get("systemData") or {}
    body["properties"] = {
        **_properties(body),
        "serviceBusEndpoint": f"https://{name}.servicebus.windows.net:443/",
        "status": "Active",
        "metricId": f"{resource_id.split('/')[2]}:{name.lower()}",
        "createdAt": system_data.get("createdAt"),
        "updatedAt": system_data.get("lastModifiedAt"),
    }
    _with_sku_tier(body, {"basic": "Basic", "standard": "Standard", "premium": "Premium"})
    return body


def event_hub_rule_keys(resource_id: str, body: dict[str, Any], request: Any) -> dict[str, Any]:
    """POST …/authorizationRules/{rule}/listKeys, on a namespace or on one event hub: the rule's
    keys and connection strings (an event hub's name the EntityPath)."""
    rule = body.get("name") or resource_id.rsplit("/", 1)[1]
    namespace = _name_after(resource_id, "namespaces")
    entity = f";EntityPath={_name_after(resource_id, 'eventhubs')}" if "/eventhubs/" in resource_id.lower() else ""
    keys = {slot: emulator_key(resource_id, rule, slot) for slot in ("primary", "secondary")}

    def connection_string(key: str) -> str:
        return f"Endpoint=sb://{namespace}.servicebus.windows.net/;SharedAccessKeyName={rule};SharedAccessKey={key}{entity}"

    return {
        "primaryConnectionString": connection_string(keys["primary"]),
        "secondaryConnectionString": connection_string(keys["secondary"]),
        "primaryKey": keys["primary"],
        "secondaryKey": keys["secondary"],
        "keyName": rule,
    }


EVENT_HUB_NAMESPACE = GenericType(
    computed=event_hub_namespace,
    implicit_children=(
        ("authorizationRules/RootManageSharedAccessKey", {"properties": {"rights": ["Listen", "Manage", "Send"]}}),
    ),
)
EVENT_HUB_RULE = GenericType(actions={"listKeys": event_hub_rule_keys})


GENERIC_TYPES = {
    "Microsoft.ManagedIdentity/userAssignedIdentities": GenericType(computed=user_assigned_identity),
    "Microsoft.Authorization/roleAssignments": GenericType(computed=role_assignment),
    "Microsoft.Storage/storageAccounts": STORAGE_ACCOUNT,
    "Microsoft.Devices/IotHubs": IOT_HUB,
    "Microsoft.EventHub/namespaces": EVENT_HUB_NAMESPACE,
    "Microsoft.EventHub/namespaces/authorizationRules": EVENT_HUB_RULE,
    "Microsoft.EventHub/namespaces/eventhubs/authorizationRules": EVENT_HUB_RULE,
}
