"""The rest of Microsoft.DeviceUpdate on the wire (raw HTTPS, 2023-07-01): instances, private endpoint
connections, private link resources, connection proxies and their actions, checknameavailability and the
operations list: each operation's status codes, polling headers and bodies."""

from __future__ import annotations

import json
from typing import Any

import httpx
from conftest import REPO_ROOT, SUBSCRIPTION, arm_path, unique

DU = "api-version=2023-07-01"
NS = "Microsoft.DeviceUpdate"
HUB = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/hubs-rg/providers/Microsoft.Devices/IotHubs/contoso-hub-0123456789"
STORAGE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/adu-rg/providers/Microsoft.Storage/storageAccounts/adulogs"
INSTANCE = {
    "location": "westus2",
    "properties": {
        "iotHubs": [{"resourceId": HUB}],
        "enableDiagnostics": True,
        "diagnosticStorageProperties": {
            "authenticationType": "KeyBased",
            "resourceId": STORAGE,
            "connectionString": "DefaultEndpointsProtocol=https;AccountName=adulogs;AccountKey=c2VjcmV0",
        },
    },
}
ENDPOINT = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/net-rg/providers/Microsoft.Network/privateEndpoints/pe1"
# The reference's PrivateEndpointConnectionProxy_CreateOrUpdate request (2023-07-01), with real ids.
PROXY = {
    "remotePrivateEndpoint": {
        "id": ENDPOINT,
        "location": "westus2",
        "immutableSubscriptionId": SUBSCRIPTION,
        "immutableResourceId": ENDPOINT,
        "manualPrivateLinkServiceConnections": [
            {
                "name": "pe1-conn",
                "groupIds": ["DeviceUpdate"],
                "requestMessage": "Please approve my connection, thanks.",
            }
        ],
        "privateLinkServiceProxies": [
            {"id": f"{ENDPOINT}/privateLinkServiceProxies/pe1-proxy", "groupConnectivityInformation": []}
        ],
    }
}
APPROVED = {"properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "Auto-Approved"}}}


def account_path(group: str, name: str, *rest: str) -> str:
    return arm_path(group, "accounts", name, *rest, namespace=NS)


def new_account(http: httpx.Client, group: str, name: str | None = None) -> str:
    name = name or unique("acct")
    created = http.put(f"{account_path(group, name)}?{DU}", json={"location": "westus2"})
    assert created.status_code == 201, created.text
    return name


def finished(http: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    """The terminal status of the operation a write started (the default server finishes at the first poll)."""
    status = http.get(response.headers["azure-asyncoperation"])
    assert status.status_code == 200, status.text
    body: dict[str, Any] = status.json()
    assert body["status"] == "Succeeded", body
    return body


def assert_status_url(response: httpx.Response) -> None:
    url = httpx.URL(response.headers["azure-asyncoperation"])
    # ProviderHub's: no subscription, the location upper-case (a proxy resource's is its account's).
    assert url.path.startswith(f"/providers/{NS}/locations/WESTUS2/operationStatuses/"), url
    assert url.params["api-version"] == "2023-07-01"


# -- instances -------------------------------------------------------------------------------------


def test_instance_lifecycle(http: httpx.Client, resource_group: str) -> None:
    account = new_account(http, resource_group, unique("Acct-"))
    # The URL may spell the account in any casing; accountName is the account's own.
    url = f"{account_path(resource_group, account.lower(), 'instances', 'inst1')}?{DU}"

    created = http.put(url, json=INSTANCE)
    assert created.status_code == 201, created.text
    assert_status_url(created)
    assert "location" not in created.headers
    body = created.json()
    assert body["properties"]["provisioningState"] == "Accepted"
    assert body["type"] == "Microsoft.DeviceUpdate/accounts/instances"
    assert body["id"].endswith("/instances/inst1")
    assert body["properties"]["accountName"] == account
    assert "etag" not in body and created.headers["etag"]
    # x-ms-secret: accepted, never answered.
    assert "connectionString" not in body["properties"]["diagnosticStorageProperties"]
    assert finished(http, created)["resourceId"] == body["id"]

    got = http.get(url)
    assert got.status_code == 200
    properties = got.json()["properties"]
    assert properties["provisioningState"] == "Succeeded"
    assert properties["iotHubs"] == [{"resourceId": HUB}]
    assert properties["enableDiagnostics"] is True
    assert properties["diagnosticStorageProperties"] == {"authenticationType": "KeyBased", "resourceId": STORAGE}
    head = http.head(url)
    assert (head.status_code, head.content) == (200, b"")
    assert http.head(url.replace("/inst1?", "/inst2?")).status_code == 404

    listed = http.get(f"{account_path(resource_group, account, 'instances')}?{DU}")
    assert listed.status_code == 200
    assert [i["name"] for i in listed.json()["value"]] == ["inst1"]

    # PATCH: tags only, 200 at once (Instances_Update is not a long-running operation).
    patched = http.patch(url, json={"tags": {"env": "test"}})
    assert patched.status_code == 200, patched.text
    assert "azure-asyncoperation" not in patched.headers
    assert patched.json()["tags"] == {"env": "test"}
    assert patched.json()["properties"]["provisioningState"] == "Succeeded"

    # Every PUT answers 201, a replace included (the Python SDK accepts nothing else).
    replaced = http.put(url, json={**INSTANCE, "properties": {"enableDiagnostics": False}})
    assert replaced.status_code == 201
    assert replaced.json()["properties"]["provisioningState"] == "Accepted"
    finished(http, replaced)

    deleted = http.delete(url)
    assert deleted.status_code == 202
    assert deleted.content == b""
    assert deleted.headers["location"] == deleted.headers["azure-asyncoperation"]
    final = http.get(deleted.headers["location"])
    assert (final.status_code, final.json()["status"]) == (200, "Succeeded")
    assert http.get(url).status_code == 404
    assert http.delete(url).status_code == 204


def test_instance_requests_are_checked(http: httpx.Client, resource_group: str) -> None:
    account = new_account(http, resource_group)
    base = account_path(resource_group, account, "instances")
    no_properties = http.put(f"{base}/inst1?{DU}", json={"location": "westus2"})
    assert no_properties.status_code == 400
    assert no_properties.json()["error"]["code"] == "InvalidRequestContent"
    short_hub = http.put(
        f"{base}/inst1?{DU}", json={"location": "westus2", "properties": {"iotHubs": [{"resourceId": "/short"}]}}
    )
    assert short_hub.status_code == 400
    bad_name = http.put(f"{base}/in_1?{DU}", json=INSTANCE)
    assert bad_name.status_code == 400
    assert bad_name.json()["error"]["code"] == "InvalidResourceName"
    orphan = http.put(f"{account_path(resource_group, 'nosuchacct', 'instances', 'inst1')}?{DU}", json=INSTANCE)
    assert orphan.status_code == 404
    assert http.get(f"{base}/inst1?{DU}").status_code == 404


def test_deleting_an_account_deletes_its_instances(http: httpx.Client, resource_group: str) -> None:
    account = new_account(http, resource_group)
    url = f"{account_path(resource_group, account, 'instances', 'inst1')}?{DU}"
    assert http.put(url, json=INSTANCE).status_code == 201
    deleted = http.delete(f"{account_path(resource_group, account)}?{DU}")
    assert deleted.status_code == 202
    finished(http, deleted)
    assert http.get(url).status_code == 404
    # A new account of the same name starts with no instances.
    new_account(http, resource_group, account)
    assert http.get(f"{account_path(resource_group, account, 'instances')}?{DU}").json()["value"] == []


# -- private endpoint connections -------------------------------------------------------------------


def test_private_endpoint_connection_lifecycle_and_the_accounts_list(http: httpx.Client, resource_group: str) -> None:
    account = new_account(http, resource_group)
    account_url = f"{account_path(resource_group, account)}?{DU}"
    url = f"{account_path(resource_group, account, 'privateEndpointConnections', 'pe1.conn')}?{DU}"

    created = http.put(url, json=APPROVED)
    assert created.status_code == 201, created.text
    assert_status_url(created)
    body = created.json()
    assert body["type"] == "Microsoft.DeviceUpdate/accounts/privateEndpointConnections"
    assert body["properties"]["provisioningState"] == "Creating"
    assert "location" not in body
    finished(http, created)

    connection = http.get(url).json()
    assert connection["properties"]["provisioningState"] == "Succeeded"
    assert connection["properties"]["privateLinkServiceConnectionState"] == {
        "status": "Approved",
        "description": "Auto-Approved",
        "actionsRequired": "None",
    }
    listed = http.get(f"{account_path(resource_group, account, 'privateEndpointConnections')}?{DU}").json()
    assert [c["name"] for c in listed["value"]] == ["pe1.conn"]
    # The account lists its connections.
    embedded = http.get(account_url).json()["properties"]["privateEndpointConnections"]
    assert embedded == [{k: connection[k] for k in ("id", "name", "type", "properties")}]

    rejected = http.put(url, json={"properties": {"privateLinkServiceConnectionState": {"status": "Rejected"}}})
    assert rejected.status_code == 201
    finished(http, rejected)
    state = http.get(account_url).json()["properties"]["privateEndpointConnections"][0]["properties"]
    assert state["privateLinkServiceConnectionState"]["status"] == "Rejected"

    assert http.patch(url, json={}).status_code == 405  # no PATCH in the swagger

    deleted = http.delete(url)
    assert deleted.status_code == 202
    assert deleted.headers["location"] == deleted.headers["azure-asyncoperation"]
    assert http.get(deleted.headers["location"]).json()["status"] == "Succeeded"
    assert http.get(url).status_code == 404
    assert http.delete(url).status_code == 204
    assert not http.get(account_url).json()["properties"].get("privateEndpointConnections")


def test_replacing_an_account_keeps_listing_its_connections(http: httpx.Client, resource_group: str) -> None:
    account = new_account(http, resource_group)
    url = f"{account_path(resource_group, account, 'privateEndpointConnections', 'pe1')}?{DU}"
    assert http.put(url, json=APPROVED).status_code == 201
    account_url = f"{account_path(resource_group, account)}?{DU}"
    replaced = http.put(account_url, json={"location": "westus2", "tags": {"a": "b"}})
    assert replaced.status_code == 201
    finished(http, replaced)
    embedded = http.get(account_url).json()["properties"]["privateEndpointConnections"]
    assert [c["name"] for c in embedded] == ["pe1"]
    # The list is the account's children: one sent in a PUT changes nothing.
    sent = http.put(account_url, json={"location": "westus2", "properties": {"privateEndpointConnections": []}})
    assert [c["name"] for c in sent.json()["properties"]["privateEndpointConnections"]] == ["pe1"]
    finished(http, sent)
    fresh = account_path(resource_group, unique("acct"))
    bogus = {**APPROVED, "id": f"{fresh}/privateEndpointConnections/x", "name": "x"}
    body = {"location": "westus2", "properties": {"privateEndpointConnections": [bogus]}}
    created = http.put(f"{fresh}?{DU}", json=body)
    assert created.status_code == 201
    assert "privateEndpointConnections" not in created.json()["properties"]


# -- private link resources ---------------------------------------------------------------------------


def test_private_link_resources_are_the_references(http: httpx.Client, resource_group: str) -> None:
    account = new_account(http, resource_group)
    base = account_path(resource_group, account, "privateLinkResources")
    expected = {
        "id": f"{account_path(resource_group, account)}/privateLinkResources/adu",
        "name": "adu",
        "type": "Microsoft.DeviceUpdate/accounts/privateLinkResources",
        "properties": {
            "groupId": "adu",
            "requiredMembers": ["adu"],
            "requiredZoneNames": ["privatelink.adu.microsoft.com"],
        },
    }
    listed = http.get(f"{base}?{DU}")
    assert listed.status_code == 200
    assert listed.json() == {"value": [expected]}
    got = http.get(f"{base}/ADU?{DU}")
    assert got.status_code == 200
    assert got.json() == expected
    assert http.get(f"{base}/other?{DU}").status_code == 404
    assert http.put(f"{base}/adu?{DU}", json={"properties": {}}).status_code == 405
    assert http.get(f"{account_path(resource_group, 'nosuchacct', 'privateLinkResources')}?{DU}").status_code == 404


# -- private endpoint connection proxies ---------------------------------------------------------------


def test_proxy_lifecycle(http: httpx.Client, resource_group: str) -> None:
    account = new_account(http, resource_group)
    url = f"{account_path(resource_group, account, 'privateEndpointConnectionProxies', 'pe1.proxy')}?{DU}"

    created = http.put(url, json=PROXY)
    assert created.status_code == 201, created.text
    assert_status_url(created)
    body = created.json()
    assert body["type"] == "Microsoft.DeviceUpdate/accounts/privateEndpointConnectionProxies"
    assert body["properties"] == {"provisioningState": "Creating"}
    finished(http, created)

    proxy = http.get(url).json()
    assert proxy["properties"]["provisioningState"] == "Succeeded"
    remote = proxy["remotePrivateEndpoint"]  # top-level, as in the reference
    assert remote["id"] == ENDPOINT
    sent = PROXY["remotePrivateEndpoint"]
    assert remote["manualPrivateLinkServiceConnections"] == sent["manualPrivateLinkServiceConnections"]
    assert remote["privateLinkServiceProxies"][0]["groupConnectivityInformation"] == [
        {"groupId": "DeviceUpdate", "memberName": "adu"}
    ]
    listed = http.get(f"{account_path(resource_group, account, 'privateEndpointConnectionProxies')}?{DU}").json()
    assert [p["name"] for p in listed["value"]] == ["pe1.proxy"]

    deleted = http.delete(url)
    assert deleted.status_code == 202
    assert deleted.headers["location"] == deleted.headers["azure-asyncoperation"]
    assert http.get(deleted.headers["location"]).json()["status"] == "Succeeded"
    assert http.get(url).status_code == 404
    assert http.delete(url).status_code == 204


def test_proxy_actions_answer_200_with_no_body(http: httpx.Client, resource_group: str) -> None:
    account = new_account(http, resource_group)
    base = account_path(resource_group, account, "privateEndpointConnectionProxies", "pe1.proxy")
    assert http.put(f"{base}?{DU}", json=PROXY).status_code == 201

    validated = http.post(f"{base}/validate?{DU}", json=PROXY)
    assert (validated.status_code, validated.content) == (200, b"")
    # The action name is matched in any casing, as ARM routes are.
    assert http.post(f"{base}/Validate?{DU}", json=PROXY).status_code == 200
    invalid = http.post(f"{base}/validate?{DU}", json={"remotePrivateEndpoint": "not an object"})
    assert invalid.status_code == 400
    assert invalid.json()["error"]["code"] == "InvalidRequestContent"
    assert http.post(f"{base}/validate?{DU}").status_code == 400  # the body is required

    update = {
        "id": ENDPOINT,
        "location": "westus2",
        "immutableSubscriptionId": SUBSCRIPTION,
        "vnetTrafficTag": "12345678",
    }
    etag = http.get(f"{base}?{DU}").headers["ETag"]
    updated = http.post(f"{base}/updatePrivateEndpointProperties?{DU}", json=update)
    assert (updated.status_code, updated.content) == (200, b"")
    after = http.get(f"{base}?{DU}")
    assert after.headers["ETag"] != etag
    remote = after.json()["remotePrivateEndpoint"]
    assert (remote["vnetTrafficTag"], remote["immutableSubscriptionId"]) == ("12345678", SUBSCRIPTION)
    assert http.post(f"{base}/updatePrivateEndpointProperties?{DU}", json={"id": 5}).status_code == 400

    unknown = http.post(f"{base}/nosuchaction?{DU}", json={})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "InvalidResourceType")  # as ARM
    missing = account_path(resource_group, account, "privateEndpointConnectionProxies", "nope")
    assert http.post(f"{missing}/updatePrivateEndpointProperties?{DU}", json=update).status_code == 404
    # The network RP validates a proxy before it creates it.
    assert http.post(f"{missing}/validate?{DU}", json=PROXY).status_code == 200
    assert http.get(f"{missing}?{DU}").status_code == 404


# -- checknameavailability and operations ------------------------------------------------------------------

CHECK = f"/subscriptions/{SUBSCRIPTION}/providers/{NS}/checknameavailability?{DU}"


def test_check_name_availability(http: httpx.Client, resource_group: str) -> None:
    name = unique("acct")
    kind = "Microsoft.DeviceUpdate/accounts"
    free = http.post(CHECK, json={"name": name, "type": kind})
    assert (free.status_code, free.json()) == (200, {"nameAvailable": True})

    new_account(http, resource_group, name)
    # Account names are DNS names: taken in any casing.
    taken = http.post(CHECK, json={"name": name.upper(), "type": kind})
    assert taken.status_code == 200
    assert taken.json() == {
        "nameAvailable": False,
        "reason": "AlreadyExists",
        "message": "Resource name already exists",
    }
    # The action's name in any casing; no type means an account's name.
    camel = http.post(CHECK.replace("checknameavailability", "checkNameAvailability"), json={"name": name})
    assert camel.json()["reason"] == "AlreadyExists"

    invalid = http.post(CHECK, json={"name": "a_b", "type": kind}).json()
    assert invalid["nameAvailable"] is False and invalid["reason"] == "Invalid"
    assert "3 to 24 characters" in invalid["message"]

    assert http.post(CHECK, json={"name": name, "type": "Microsoft.DeviceUpdate/accounts/instances"}).status_code == 400
    assert http.post(CHECK, json={"type": kind}).status_code == 400
    assert http.post(CHECK).status_code == 400
    assert http.post(CHECK.split("?")[0], json={"name": name}).status_code == 400  # no api-version
    unknown = http.post(f"/subscriptions/{SUBSCRIPTION}/providers/{NS}/nosuchaction?{DU}", json={})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "InvalidResourceType")


def test_the_operations_list_is_the_real_providers(http: httpx.Client) -> None:
    listed = http.get(f"/providers/{NS}/operations?{DU}")
    assert listed.status_code == 200
    value = listed.json()["value"]
    source = REPO_ROOT / "src" / "arm_emulator" / "providers" / "deviceupdate" / "operations.json"
    assert value == json.loads(source.read_text())["value"]
    names = {op["name"] for op in value}
    assert len(value) == len(names) == 31
    for name in (
        "checkNameAvailability/action",
        "register/action",
        "accounts/write",
        "accounts/instances/write",
        "accounts/privateEndpointConnectionProxies/validate/action",
        "accounts/privateLinkResources/read",
    ):
        assert f"{NS}/{name}" in names
    assert {op["isDataAction"] for op in value if "/management/" in op["name"]} == {True}
    # The swagger example's display of accounts/read.
    read = next(op for op in value if op["name"] == f"{NS}/accounts/read")
    assert read["display"] == {
        "provider": NS,
        "resource": "Device Update Account",
        "operation": "Get/List Accounts",
        "description": "Returns the list of Device Update Accounts",
    }
