"""What a few generically stored types' real services do beyond keeping the body, over raw HTTPS:
fields they compute (storage endpoints, an IoT hub's host name and events endpoint, an Event Hubs
namespace's endpoint), children they make with each resource (a storage account's services, an IoT
hub's `events` endpoint and its `$Default` consumer group, a namespace's RootManageSharedAccessKey)
and their listKeys actions; and the quickstarts that read them (a_dicom_adls, d_deviceupdate_iothub)
deployed with the values they read checked against what the emulator answers for those resources."""

from __future__ import annotations

import base64
import json

import httpx
from conftest import REPO_ROOT, SUBSCRIPTION, unique
from deployment_templates import wait_for_status
from test_deployments_http import API, deployment_path

SUB = f"/subscriptions/{SUBSCRIPTION}"
STORAGE_V = "api-version=2023-05-01"
HUB_V = "api-version=2023-06-30"
EH_V = "api-version=2024-01-01"
MARKER = b"arm-emulator-key:"


def _group_path(group: str, namespace: str) -> str:
    return f"{SUB}/resourceGroups/{group}/providers/{namespace}"


def _emulator_key(value: str, size: int) -> bool:
    """A base64 key of the service's size whose bytes say it is the emulator's."""
    decoded = base64.b64decode(value, validate=True)
    return len(decoded) == size and decoded.startswith(MARKER)


def test_storage_accounts_get_endpoints_services_and_keys(http: httpx.Client, resource_group: str) -> None:
    name = unique("st")
    account = f"{_group_path(resource_group, 'Microsoft.Storage')}/storageAccounts/{name}"
    body = {"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": {}}
    made = http.put(f"{account}?{STORAGE_V}", json=body)
    assert made.status_code == 201, made.text
    properties = made.json()["properties"]
    assert properties["primaryEndpoints"] == {
        "blob": f"https://{name}.blob.core.windows.net/",
        "dfs": f"https://{name}.dfs.core.windows.net/",
        "file": f"https://{name}.file.core.windows.net/",
        "queue": f"https://{name}.queue.core.windows.net/",
        "table": f"https://{name}.table.core.windows.net/",
        "web": f"https://{name}.z13.web.core.windows.net/",
    }
    assert properties["provisioningState"] == "Succeeded" and properties["primaryLocation"] == "eastus"
    assert properties["creationTime"] == made.json()["systemData"]["createdAt"]
    assert made.json()["sku"] == {"name": "Standard_LRS", "tier": "Standard"}

    # The services came with the account: readable, listed, and a container can go straight in.
    for service in ("blobServices", "fileServices", "queueServices", "tableServices"):
        read = http.get(f"{account}/{service}/default?{STORAGE_V}")
        assert read.status_code == 200, (service, read.text)
        assert read.json()["type"] == f"Microsoft.Storage/storageAccounts/{service}"
        assert read.json()["id"] == f"{account}/{service}/default"
    listed = http.get(f"{account}/blobServices?{STORAGE_V}").json()["value"]
    assert [item["name"] for item in listed] == ["default"]
    container = f"{account}/blobServices/default/containers/data"
    assert http.put(f"{container}?{STORAGE_V}", json={"properties": {}}).status_code == 201

    # A service's settings written by a client stay through a later write of the account.
    cors = {"properties": {"cors": {"corsRules": [{"allowedOrigins": ["*"]}]}}}
    assert http.put(f"{account}/blobServices/default?{STORAGE_V}", json=cors).status_code == 200
    assert http.put(f"{account}?{STORAGE_V}", json={**body, "tags": {"t": "1"}}).status_code == 200
    kept = http.get(f"{account}/blobServices/default?{STORAGE_V}").json()
    assert kept["properties"] == cors["properties"]
    assert http.get(f"{container}?{STORAGE_V}").status_code == 200

    keys = http.post(f"{account}/listKeys?{STORAGE_V}")
    assert keys.status_code == 200, keys.text
    assert [(k["keyName"], k["permissions"]) for k in keys.json()["keys"]] == [("key1", "FULL"), ("key2", "FULL")]
    values = [k["value"] for k in keys.json()["keys"]]
    assert all(_emulator_key(value, 64) for value in values) and values[0] != values[1]
    assert all(k["creationTime"] == made.json()["systemData"]["createdAt"] for k in keys.json()["keys"])
    assert http.post(f"{account}/LISTKEYS?{STORAGE_V}", json={}).json() == keys.json()  # stable, any case

    other = f"{_group_path(resource_group, 'Microsoft.Storage')}/storageAccounts/{unique('st')}"
    assert http.put(f"{other}?{STORAGE_V}", json=body).status_code == 201
    assert http.post(f"{other}/listKeys?{STORAGE_V}").json()["keys"][0]["value"] != values[0]

    # Deleting the account takes its services and what is in them.
    assert http.delete(f"{account}?{STORAGE_V}").status_code == 200
    for gone in (f"{account}/blobServices/default", container):
        assert http.get(f"{gone}?{STORAGE_V}").status_code == 404


def test_generic_actions_answer_arm_errors(http: httpx.Client, resource_group: str) -> None:
    missing = f"{_group_path(resource_group, 'Microsoft.Storage')}/storageAccounts/{unique('st')}"
    absent = http.post(f"{missing}/listKeys?{STORAGE_V}")
    assert (absent.status_code, absent.json()["error"]["code"]) == (404, "ResourceNotFound")
    no_group = f"{_group_path(unique('rg-none-'), 'Microsoft.Storage')}/storageAccounts/x/listKeys?{STORAGE_V}"
    assert http.post(no_group).json()["error"]["code"] == "ResourceGroupNotFound"

    account = f"{_group_path(resource_group, 'Microsoft.Storage')}/storageAccounts/{unique('st')}"
    assert http.put(f"{account}?{STORAGE_V}", json={"location": "eastus"}).status_code == 201
    unversioned = http.post(f"{account}/listKeys")
    assert (unversioned.status_code, unversioned.json()["error"]["code"]) == (400, "MissingApiVersionParameter")
    undeclared = http.post(f"{account}/regenerateKey?{STORAGE_V}", json={"keyName": "key1"})
    assert (undeclared.status_code, undeclared.json()["error"]["code"]) == (404, "NotFound")
    not_json = http.post(f"{account}/listKeys?{STORAGE_V}", content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 400

    # A ReadOnly lock refuses listKeys, as ARM does every POST under it.
    lock = f"{account}/providers/Microsoft.Authorization/locks/ro?api-version=2020-05-01"
    assert http.put(lock, json={"properties": {"level": "ReadOnly"}}).status_code == 201
    locked = http.post(f"{account}/listKeys?{STORAGE_V}")
    assert (locked.status_code, locked.json()["error"]["code"]) == (409, "ScopeLocked")
    assert http.delete(lock).status_code == 200
    assert http.post(f"{account}/listKeys?{STORAGE_V}").status_code == 200


def test_iot_hubs_get_their_endpoints_consumer_groups_and_keys(http: httpx.Client, resource_group: str) -> None:
    name = unique("hub")
    hub = f"{_group_path(resource_group, 'Microsoft.Devices')}/IotHubs/{name}"
    body = {
        "location": "eastus",
        "sku": {"name": "S1", "capacity": 1},
        "properties": {"eventHubEndpoints": {"events": {"retentionTimeInDays": 2, "partitionCount": 2}}},
    }
    made = http.put(f"{hub}?{HUB_V}", json=body)
    assert made.status_code == 201, made.text
    properties = made.json()["properties"]
    assert properties["hostName"] == f"{name}.azure-devices.net"
    assert properties["state"] == "Active" and made.json()["sku"]["tier"] == "Standard"
    events = properties["eventHubEndpoints"]["events"]
    assert (events["retentionTimeInDays"], events["partitionCount"], events["partitionIds"]) == (2, 2, ["0", "1"])
    assert events["path"] == name
    assert events["endpoint"].startswith(f"sb://iothub-ns-{name[:10]}-")
    assert events["endpoint"].endswith(".servicebus.windows.net/")
    assert http.get(f"{hub}?{HUB_V}").json()["properties"] == properties  # computed once, read back the same

    groups = f"{hub}/eventHubEndpoints/events/ConsumerGroups"
    assert [g["name"] for g in http.get(f"{groups}?{HUB_V}").json()["value"]] == ["$Default"]
    added = http.put(f"{groups}/adu?{HUB_V}", json={"properties": {"name": "adu"}})
    assert added.status_code == 201, added.text
    assert sorted(g["name"] for g in http.get(f"{groups}?{HUB_V}").json()["value"]) == ["$Default", "adu"]

    keys = http.post(f"{hub}/listKeys?{HUB_V}")
    assert keys.status_code == 200, keys.text
    policies = keys.json()["value"]
    assert [(p["keyName"], p["rights"]) for p in policies] == [
        ("iothubowner", "RegistryWrite, ServiceConnect, DeviceConnect"),
        ("service", "ServiceConnect"),
        ("device", "DeviceConnect"),
        ("registryRead", "RegistryRead"),
        ("registryReadWrite", "RegistryWrite"),
    ]
    all_keys = [p[slot] for p in policies for slot in ("primaryKey", "secondaryKey")]
    assert all(_emulator_key(key, 32) for key in all_keys) and len(set(all_keys)) == len(all_keys)
    assert http.post(f"{hub}/listKeys?{HUB_V}").json() == keys.json()

    # A hub whose body names its policies has those (the keys made for them).
    custom = f"{_group_path(resource_group, 'Microsoft.Devices')}/IotHubs/{unique('hub')}"
    declared = [{"keyName": "iothubowner", "rights": "RegistryWrite"}, {"keyName": "mine", "rights": "ServiceConnect"}]
    assert http.put(f"{custom}?{HUB_V}", json={**body, "properties": {"authorizationPolicies": declared}}).is_success
    custom_keys = http.post(f"{custom}/listKeys?{HUB_V}").json()["value"]
    assert [(p["keyName"], p["rights"]) for p in custom_keys] == [(d["keyName"], d["rights"]) for d in declared]
    assert custom_keys[0]["primaryKey"] != policies[0]["primaryKey"]

    assert http.delete(f"{hub}?{HUB_V}").status_code == 200
    assert http.get(f"{groups}/adu?{HUB_V}").status_code == 404


def test_event_hub_namespaces_get_their_endpoint_root_rule_and_keys(http: httpx.Client, resource_group: str) -> None:
    name = unique("ehns")
    namespace = f"{_group_path(resource_group, 'Microsoft.EventHub')}/namespaces/{name}"
    made = http.put(f"{namespace}?{EH_V}", json={"location": "eastus", "sku": {"name": "Standard"}})
    assert made.status_code == 201, made.text
    properties = made.json()["properties"]
    assert properties["serviceBusEndpoint"] == f"https://{name}.servicebus.windows.net:443/"
    assert properties["status"] == "Active" and properties["createdAt"] == made.json()["systemData"]["createdAt"]

    root = http.get(f"{namespace}/authorizationRules/RootManageSharedAccessKey?{EH_V}")
    assert root.status_code == 200 and root.json()["properties"]["rights"] == ["Listen", "Manage", "Send"]
    root_keys = http.post(f"{namespace}/authorizationRules/RootManageSharedAccessKey/listKeys?{EH_V}")
    assert root_keys.status_code == 200, root_keys.text
    answer = root_keys.json()
    assert answer["keyName"] == "RootManageSharedAccessKey" and _emulator_key(answer["primaryKey"], 32)
    assert answer["primaryConnectionString"] == (
        f"Endpoint=sb://{name}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
        f"SharedAccessKey={answer['primaryKey']}"
    )
    assert answer["secondaryConnectionString"].endswith(f"SharedAccessKey={answer['secondaryKey']}")

    hub = f"{namespace}/eventhubs/telemetry"
    assert http.put(f"{hub}?{EH_V}", json={"properties": {"partitionCount": 2}}).status_code == 201
    rule = f"{hub}/authorizationRules/send"
    assert http.put(f"{rule}?{EH_V}", json={"properties": {"rights": ["Send"]}}).status_code == 201
    hub_keys = http.post(f"{rule}/listKeys?{EH_V}").json()
    assert hub_keys["keyName"] == "send"
    assert hub_keys["primaryConnectionString"] == (
        f"Endpoint=sb://{name}.servicebus.windows.net/;SharedAccessKeyName=send;"
        f"SharedAccessKey={hub_keys['primaryKey']};EntityPath=telemetry"
    )
    assert hub_keys["primaryKey"] != answer["primaryKey"]


def _deploy(
    http: httpx.Client, group: str, template: dict[str, object], parameters: dict[str, object]
) -> dict[str, object]:
    body = {
        "properties": {
            "mode": "Incremental",
            "template": template,
            "parameters": {k: {"value": v} for k, v in parameters.items()},
        }
    }
    name = unique("qs")
    created = http.put(f"{deployment_path(group, name)}?{API}", json=body)
    assert created.status_code == 201, created.text
    status = wait_for_status(http, created.headers["azure-asyncoperation"])
    assert status["status"] == "Succeeded", json.dumps(status)[:2000]
    return http.get(f"{deployment_path(group, name)}?{API}").json()["properties"]


def _quickstart(name: str) -> dict[str, object]:
    return json.loads((REPO_ROOT / "tests" / "templates" / "quickstarts" / name).read_text())


def test_dicom_with_data_lake_quickstart_reads_the_identity_and_makes_the_container(
    http: httpx.Client, resource_group: str
) -> None:
    ws, storage = unique("ws"), unique("st")
    deployed = _deploy(
        http,
        resource_group,
        _quickstart("a_dicom_adls.json"),
        {"workspaceName": ws, "dicomServiceName": "dicom1", "storageAccountName": storage},
    )
    group = f"{SUB}/resourceGroups/{resource_group}"
    identity = http.get(
        f"{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/dicom-uami?api-version=2023-01-31"
    ).json()
    dicom = http.get(
        f"{group}/providers/Microsoft.HealthcareApis/workspaces/{ws}/dicomservices/dicom1?api-version=2023-11-01"
    ).json()
    assert deployed["outputs"] == {
        "dicomServiceUrl": {"type": "String", "value": dicom["properties"]["serviceUrl"]},
        "identityPrincipalId": {"type": "String", "value": identity["properties"]["principalId"]},
    }
    account = f"{group}/providers/Microsoft.Storage/storageAccounts/{storage}"
    assert http.get(f"{account}/blobServices/default/containers/dicomdata?{STORAGE_V}").status_code == 200
    assignments = http.get(f"{account}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01")
    [assignment] = assignments.json()["value"]
    assert assignment["properties"]["principalId"] == identity["properties"]["principalId"]


def test_device_update_quickstart_connects_the_instance_to_the_hub_with_its_keys(
    http: httpx.Client, resource_group: str
) -> None:
    hub_name = unique("hub")
    quickstart = _quickstart("d_deviceupdate_iothub.json")
    _deploy(http, resource_group, quickstart, {"location": "westus2", "iotHubName": hub_name})
    group = f"{SUB}/resourceGroups/{resource_group}"
    hub = f"{group}/providers/Microsoft.Devices/IotHubs/{hub_name}"
    properties = http.get(f"{hub}?api-version=2021-07-01").json()["properties"]
    [_, policy] = http.post(f"{hub}/listKeys?api-version=2021-07-01").json()["value"]
    assert policy["keyName"] == "deviceupdateservice"
    [account] = http.get(f"{group}/providers/Microsoft.DeviceUpdate/accounts?api-version=2023-07-01").json()["value"]
    [instance] = http.get(f"{account['id']}/instances?api-version=2023-07-01").json()["value"]
    assert [hub_link["resourceId"].lower() for hub_link in instance["properties"]["iotHubs"]] == [hub.lower()]
    groups = http.get(f"{hub}/eventHubEndpoints/events/ConsumerGroups?api-version=2021-07-01").json()["value"]
    assert sorted(g["name"] for g in groups) == ["$Default", "adu"]

    # The instance's connection strings (its 2023-07-01 body keeps only the hub's id): the same
    # expressions, as outputs of a template deployed next to the hub, read the values shown above.
    [instance_declaration] = [r for r in quickstart["resources"] if r["type"].endswith("/instances")]  # type: ignore[index]
    [expressions] = instance_declaration["properties"]["iotHubs"]
    outputs_only = {
        "$schema": quickstart["$schema"],
        "contentVersion": "1.0.0.0",
        "parameters": {"iotHubName": {"type": "string"}},
        "variables": quickstart["variables"],
        "resources": [],
        "outputs": {
            key: {"type": "string", "value": expressions[key]}
            for key in ("ioTHubConnectionString", "eventHubConnectionString")
        },
    }
    deployed = _deploy(http, resource_group, outputs_only, {"iotHubName": hub_name})
    events = properties["eventHubEndpoints"]["events"]
    assert {key: output["value"] for key, output in deployed["outputs"].items()} == {
        "ioTHubConnectionString": (
            f"HostName={hub_name}.azure-devices.net;SharedAccessKeyName=deviceupdateservice;"
            f"SharedAccessKey={policy['primaryKey']}"
        ),
        "eventHubConnectionString": (
            f"Endpoint={events['endpoint']};SharedAccessKeyName=deviceupdateservice;"
            f"SharedAccessKey={policy['primaryKey']};EntityPath={events['path']}"
        ),
    }
