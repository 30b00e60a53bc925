"""The rest of Microsoft.HealthcareApis on the wire: FHIR services, IoT connectors and their FHIR
destinations, the legacy services (Azure API for FHIR), private endpoint connections and private link
resources of workspaces and services, checkNameAvailability and the operations list. Status codes, polling
headers, computed fields, and what each api-version shows."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from conftest import REPO_ROOT, SUBSCRIPTION, arm_path, unique

V = "2024-03-31"  # azure-mgmt-healthcareapis 2.1.0's default
PROVIDER_ROOT = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.HealthcareApis"
OPERATIONS_JSON = REPO_ROOT / "src" / "arm_emulator" / "providers" / "healthcareapis" / "operations.json"


def url(group: str, *pairs: str, version: str = V) -> str:
    return f"{arm_path(group, *pairs)}?api-version={version}"


def workspace(http: httpx.Client, group: str) -> str:
    name = unique("ws")
    assert http.put(url(group, "workspaces", name), json={"location": "eastus"}).status_code == 201
    return name


def finish(http: httpx.Client, response: httpx.Response) -> None:
    """Poll the operation a write started (fast mode: the first poll sees the end)."""
    status = http.get(response.headers["azure-asyncoperation"])
    assert status.status_code == 200
    assert status.json()["status"] == "Succeeded"


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    error: dict[str, str] = response.json()["error"]
    assert error["code"] == code, error
    return error


# -- FHIR services -------------------------------------------------------------------------------------


def test_fhir_service_create_is_201_creating_then_succeeded_with_the_computed_fields(
    http: httpx.Client, resource_group: str
) -> None:
    ws = workspace(http, resource_group)
    fhir = url(resource_group, "workspaces", ws, "fhirservices", "fhir1")
    created = http.put(fhir, json={"location": "eastus", "kind": "fhir-R4"})

    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Creating"
    assert "location" not in created.headers  # recorded: Azure-AsyncOperation only
    assert "/locations/eastus/operationresults/" in created.headers["azure-asyncoperation"]
    assert created.headers["etag"] == created.json()["etag"]
    finish(http, created)

    body = http.get(fhir).json()
    assert body["type"] == "Microsoft.HealthcareApis/workspaces/fhirservices"
    assert body["name"] == "fhir1"
    assert body["kind"] == "fhir-R4"
    properties = body["properties"]
    assert properties["provisioningState"] == "Succeeded"
    tenant = properties["authenticationConfiguration"]["authority"].rsplit("/", 1)[1]
    assert properties["authenticationConfiguration"] == {
        "authority": f"https://login.microsoftonline.com/{tenant}",
        "audience": f"https://{ws}-fhir1.fhir.azurehealthcareapis.com",
        "smartProxyEnabled": False,
    }
    assert properties["eventState"] == "Disabled"
    assert properties["resourceVersionPolicyConfiguration"] == {"default": "versioned"}
    assert properties["acrConfiguration"] == {"loginServers": []}
    assert properties["corsConfiguration"] == {"origins": [], "headers": [], "methods": [], "allowCredentials": False}
    assert properties["privateEndpointConnections"] == []
    assert properties["publicNetworkAccess"] == "Enabled"
    assert "accessPolicies" not in properties  # gone since 2023-09-06
    assert "systemData" in body


def test_fhir_service_keeps_what_the_client_sets_and_walks_updates_as_dicom_does(
    http: httpx.Client, resource_group: str
) -> None:
    ws = workspace(http, resource_group)
    fhir = url(resource_group, "workspaces", ws, "fhirservices", "fhir2")
    authentication = {
        "authority": "https://login.microsoftonline.com/abc",
        "audience": "https://a.example",
        "smartProxyEnabled": True,
    }
    sent = {"location": "eastus", "kind": "fhir-R4", "properties": {"authenticationConfiguration": authentication}}
    finish(http, http.put(fhir, json=sent))
    assert http.get(fhir).json()["properties"]["authenticationConfiguration"] == authentication

    identical = http.put(fhir, json=sent)
    assert identical.status_code == 200
    assert "azure-asyncoperation" not in identical.headers

    changed = http.put(
        fhir,
        json={**sent, "properties": {**sent["properties"], "exportConfiguration": {"storageAccountName": "exports"}}},
    )
    assert changed.status_code == 202
    assert changed.json()["properties"]["provisioningState"] == "Accepted"
    assert changed.headers["location"].startswith(changed.headers["azure-asyncoperation"].split("?")[0])
    finish(http, changed)

    tagged = http.patch(fhir, json={"tags": {"team": "fhir"}})
    assert tagged.status_code == 200
    assert tagged.json()["tags"] == {"team": "fhir"}
    assert "azure-asyncoperation" not in tagged.headers

    with_identity = http.patch(fhir, json={"identity": {"type": "SystemAssigned"}})
    assert with_identity.status_code == 202
    finish(http, with_identity)
    identity = http.get(fhir).json()["identity"]
    assert identity["type"] == "SystemAssigned" and identity["principalId"] and identity["tenantId"]

    listed = http.get(url(resource_group, "workspaces", ws, "fhirservices")).json()["value"]
    assert [item["name"] for item in listed] == ["fhir2"]

    deleting = http.delete(fhir)
    assert deleting.status_code == 202
    assert deleting.content == b""
    assert (
        deleting.headers["location"]
        == deleting.headers["azure-asyncoperation"] + "&operationResultResponseType=Location"
    )
    finish(http, deleting)
    assert http.get(fhir).status_code == 404
    assert http.delete(fhir).status_code == 204


def test_fhir_service_fields_each_version_knows(http: httpx.Client, resource_group: str) -> None:
    ws = workspace(http, resource_group)
    old = url(resource_group, "workspaces", ws, "fhirservices", "fhir3", version="2022-06-01")
    policies = [{"objectId": "c487e7d1-3210-41a3-8ccc-e9372b78da47"}]
    imports = {"enabled": False, "initialImportMode": False, "integrationDataStore": "store"}
    finish(
        http,
        http.put(
            old, json={"location": "eastus", "properties": {"accessPolicies": policies, "importConfiguration": imports}}
        ),
    )
    assert http.get(old).json()["properties"]["accessPolicies"] == policies

    def seen(version: str) -> dict[str, object]:
        response = http.get(url(resource_group, "workspaces", ws, "fhirservices", "fhir3", version=version))
        assert response.status_code == 200
        properties: dict[str, object] = response.json()["properties"]
        return properties

    assert "importConfiguration" not in seen("2022-05-15")  # the one version between without it
    assert seen("2022-06-01")["importConfiguration"] == imports
    assert seen("2023-02-28")["accessPolicies"] == policies
    assert "accessPolicies" not in seen("2023-09-06")

    # A PUT at a version without access policies keeps them for the versions that have them.
    newer = url(resource_group, "workspaces", ws, "fhirservices", "fhir3", version="2023-12-01")
    smart = [
        {
            "authority": "https://b2c.example/v2.0",
            "applications": [{"clientId": "app", "audience": "app", "allowedDataActions": ["Read"]}],
        }
    ]
    changed = http.put(
        newer,
        json={
            "location": "eastus",
            "properties": {
                "authenticationConfiguration": {"smartIdentityProviders": smart},
                "implementationGuidesConfiguration": {"usCoreMissingData": True},
                "encryption": {"customerManagedKeyEncryption": {"keyEncryptionKeyUrl": "https://kv.example/keys/k"}},
            },
        },
    )
    assert changed.status_code == 202
    finish(http, changed)
    assert seen("2023-02-28")["accessPolicies"] == policies
    assert seen("2023-12-01")["authenticationConfiguration"]["smartIdentityProviders"] == smart  # type: ignore[index]
    assert "smartIdentityProviders" not in seen("2023-11-01")["authenticationConfiguration"]  # type: ignore[operator]
    assert "encryption" in seen("2023-11-01") and "encryption" not in seen("2023-09-06")
    assert seen("2022-12-01")["implementationGuidesConfiguration"] == {"usCoreMissingData": True}
    assert "implementationGuidesConfiguration" not in seen("2022-06-01")
    # FHIR services are not served before workspaces existed.
    assert_error(
        http.get(url(resource_group, "workspaces", ws, "fhirservices", "fhir3", version="2021-01-11")),
        400,
        "NoRegisteredProviderFound",
    )


# -- IoT connectors and FHIR destinations --------------------------------------------------------------


def test_iot_connector_and_its_fhir_destination(http: httpx.Client, resource_group: str) -> None:
    ws = workspace(http, resource_group)
    iot = url(resource_group, "workspaces", ws, "iotconnectors", "iot1")
    ingestion = {
        "eventHubName": "hub",
        "consumerGroup": "cg",
        "fullyQualifiedEventHubNamespace": "ns.servicebus.windows.net",
    }
    mapping = {"content": {"templateType": "CollectionContent", "template": []}}
    created = http.put(
        iot,
        json={
            "location": "eastus",
            "identity": {"type": "SystemAssigned"},
            "properties": {"ingestionEndpointConfiguration": ingestion, "deviceMapping": mapping},
        },
    )
    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Creating"
    assert created.json()["identity"]["principalId"]
    finish(http, created)
    body = http.get(iot).json()
    assert body["properties"] == {
        "ingestionEndpointConfiguration": ingestion,
        "deviceMapping": mapping,
        "provisioningState": "Succeeded",
    }
    assert http.patch(iot, json={"tags": {"a": "b"}}).status_code == 200
    assert [c["name"] for c in http.get(url(resource_group, "workspaces", ws, "iotconnectors")).json()["value"]] == [
        "iot1"
    ]

    fhir_id = arm_path(resource_group, "workspaces", ws, "fhirservices", "fhir1")
    destination = url(resource_group, "workspaces", ws, "iotconnectors", "iot1", "fhirdestinations", "dest1")
    properties = {"resourceIdentityResolutionType": "Create", "fhirServiceResourceId": fhir_id, "fhirMapping": mapping}
    # No such FHIR service yet: refused, and nothing is stored.
    refused = http.put(destination, json={"location": "eastus", "properties": properties})
    error = assert_error(refused, 400, "BadRequest")
    assert error["message"] == "The fhirServiceResourceId provided is invalid."
    assert http.get(destination).status_code == 404
    # The id must name a FHIR service, not any resource.
    not_fhir = {**properties, "fhirServiceResourceId": arm_path(resource_group, "workspaces", ws)}
    assert_error(http.put(destination, json={"location": "eastus", "properties": not_fhir}), 400, "BadRequest")

    finish(
        http,
        http.put(
            url(resource_group, "workspaces", ws, "fhirservices", "fhir1"),
            json={"location": "eastus", "kind": "fhir-R4"},
        ),
    )
    made = http.put(
        destination, json={"location": "eastus", "properties": {**properties, "fhirServiceResourceId": fhir_id.upper()}}
    )
    assert made.status_code == 201
    assert made.json()["properties"]["provisioningState"] == "Creating"
    finish(http, made)
    assert http.get(destination).json()["properties"]["fhirMapping"] == mapping
    listed = http.get(url(resource_group, "workspaces", ws, "iotconnectors", "iot1", "fhirdestinations")).json()[
        "value"
    ]
    assert [d["name"] for d in listed] == ["dest1"]
    assert_error(http.patch(destination, json={"tags": {}}), 405, "MethodNotAllowed")
    # The required properties are the swagger's.
    assert_error(http.put(destination, json={"location": "eastus"}), 400, "InvalidRequestContent")

    deleting = http.delete(destination)
    assert deleting.status_code == 202
    finish(http, deleting)
    assert http.get(destination).status_code == 404


# -- legacy services --------------------------------------------------------------------------------


def test_service_lifecycle_with_its_own_codes(http: httpx.Client, resource_group: str) -> None:
    name = unique("svc")
    service = url(resource_group, "services", name)
    assert_error(http.put(service, json={"location": "eastus"}), 400, "InvalidRequestContent")  # kind is required
    created = http.put(service, json={"location": "eastus", "kind": "fhir-R4", "properties": {}})
    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Creating"
    assert "location" not in created.headers
    finish(http, created)

    body = http.get(service).json()
    assert body["type"] == "Microsoft.HealthcareApis/services"
    properties = body["properties"]
    assert properties["provisioningState"] == "Succeeded"
    assert properties["accessPolicies"] == []
    assert properties["cosmosDbConfiguration"] == {"offerThroughput": 1000}
    assert properties["authenticationConfiguration"]["audience"] == f"https://{name}.azurehealthcareapis.com"
    assert properties["authenticationConfiguration"]["smartProxyEnabled"] is False
    assert properties["authenticationConfiguration"]["authority"].startswith("https://login.microsoftonline.com/")
    assert properties["corsConfiguration"] == {"origins": [], "headers": [], "methods": [], "allowCredentials": False}
    assert properties["exportConfiguration"] == {}
    assert properties["acrConfiguration"] == {"loginServers": []}
    assert properties["privateEndpointConnections"] == []
    assert properties["publicNetworkAccess"] == "Enabled"

    identical = http.put(service, json={"location": "eastus", "kind": "fhir-R4", "properties": {}})
    assert identical.status_code == 200
    assert "azure-asyncoperation" not in identical.headers
    changed = http.put(
        service,
        json={
            "location": "eastus",
            "kind": "fhir-R4",
            "properties": {"cosmosDbConfiguration": {"offerThroughput": 400}},
        },
    )
    assert changed.status_code == 200  # the swagger has no 202 for a services PUT
    assert changed.json()["properties"]["provisioningState"] == "Updating"
    assert "location" not in changed.headers
    finish(http, changed)

    tagged = http.patch(service, json={"tags": {"t": "1"}})
    assert tagged.status_code == 200
    assert tagged.json()["properties"]["provisioningState"] == "Succeeded"
    assert "azure-asyncoperation" not in tagged.headers
    closed = http.patch(service, json={"properties": {"publicNetworkAccess": "Disabled"}})
    assert closed.status_code == 200
    assert closed.json()["properties"]["provisioningState"] == "Updating"
    finish(http, closed)
    assert http.get(service).json()["properties"]["publicNetworkAccess"] == "Disabled"
    assert http.get(service).json()["tags"] == {"t": "1"}

    assert name in [s["name"] for s in http.get(f"{PROVIDER_ROOT}/services?api-version={V}").json()["value"]]
    in_group = http.get(f"{arm_path(resource_group, 'services')}?api-version={V}").json()["value"]
    assert [s["name"] for s in in_group] == [name]

    deleting = http.delete(service)
    assert deleting.status_code == 202
    assert "location" in deleting.headers
    finish(http, deleting)
    assert http.delete(service).status_code == 204


def test_services_at_the_legacy_only_versions(http: httpx.Client, resource_group: str) -> None:
    name = unique("svc")
    oldest = url(resource_group, "services", name, version="2019-09-16")
    created = http.put(
        oldest,
        json={"location": "eastus", "kind": "fhir", "properties": {"cosmosDbConfiguration": {"offerThroughput": 400}}},
    )
    assert created.status_code == 201
    finish(http, created)
    body = http.get(oldest).json()
    # 2019-09-16 knew none of these.
    assert "systemData" not in body
    for missing in ("publicNetworkAccess", "privateEndpointConnections", "acrConfiguration"):
        assert missing not in body["properties"]
    assert (
        "publicNetworkAccess"
        in http.get(url(resource_group, "services", name, version="2020-03-30")).json()["properties"]
    )
    assert (
        "acrConfiguration"
        not in http.get(url(resource_group, "services", name, version="2020-03-30")).json()["properties"]
    )
    assert "systemData" in http.get(url(resource_group, "services", name, version="2021-01-11")).json()
    # Throughput above 10000 was refused up to 2020-03-30.
    too_much = {
        "location": "eastus",
        "kind": "fhir",
        "properties": {"cosmosDbConfiguration": {"offerThroughput": 20000}},
    }
    assert_error(http.put(oldest, json=too_much), 400, "InvalidRequestContent")
    # Private links arrived in 2020-03-30; workspaces were never at these versions.
    assert_error(
        http.get(url(resource_group, "services", name, "privateLinkResources", version="2020-03-15")),
        400,
        "NoRegisteredProviderFound",
    )
    assert (
        http.get(url(resource_group, "services", name, "privateLinkResources", version="2020-03-30")).status_code == 200
    )
    assert_error(
        http.get(url(resource_group, "workspaces", "ws1", version="2021-01-11")), 400, "NoRegisteredProviderFound"
    )
    cross = http.get(f"{PROVIDER_ROOT}/services?api-version=2023-02-28")
    assert cross.status_code == 200


# -- private endpoint connections and private link resources -----------------------------------------------


@pytest.mark.parametrize("parent", ["workspaces", "services"])
def test_private_endpoint_connections_are_approved_listed_in_the_parent_and_deleted(
    http: httpx.Client, resource_group: str, parent: str
) -> None:
    if parent == "workspaces":
        name = workspace(http, resource_group)
    else:
        name = unique("svc")
        finish(http, http.put(url(resource_group, "services", name), json={"location": "eastus", "kind": "fhir-R4"}))
    connection = url(resource_group, parent, name, "privateEndpointConnections", "pe1.1234")
    approved = {"status": "Approved", "description": "Auto-Approved"}
    made = http.put(connection, json={"properties": {"privateLinkServiceConnectionState": approved}})
    assert made.status_code == 200  # the SDKs accept 200 only
    body = made.json()
    assert body["type"] == f"Microsoft.HealthcareApis/{parent}/privateEndpointConnections"
    assert body["properties"]["provisioningState"] == "Succeeded"
    assert body["properties"]["privateLinkServiceConnectionState"] == {**approved, "actionsRequired": "None"}
    assert body["properties"]["privateEndpoint"]["id"].endswith("/providers/Microsoft.Network/privateEndpoints/pe1")
    assert "etag" not in body and made.headers["etag"]

    listed_in_parent = http.get(url(resource_group, parent, name)).json()["properties"]["privateEndpointConnections"]
    assert [(c["name"], c["properties"]["privateLinkServiceConnectionState"]["status"]) for c in listed_in_parent] == [
        ("pe1.1234", "Approved")
    ]
    # A write of the parent itself keeps the list.
    if parent == "workspaces":
        assert (
            http.put(url(resource_group, parent, name), json={"location": "eastus", "tags": {"x": "y"}}).status_code
            == 200
        )
    else:
        finish(
            http,
            http.put(
                url(resource_group, parent, name),
                json={
                    "location": "eastus",
                    "kind": "fhir-R4",
                    "properties": {"exportConfiguration": {"storageAccountName": "e"}},
                },
            ),
        )
    assert len(http.get(url(resource_group, parent, name)).json()["properties"]["privateEndpointConnections"]) == 1

    rejected = http.put(
        connection,
        json={"properties": {"privateLinkServiceConnectionState": {"status": "Rejected", "description": "no"}}},
    )
    assert rejected.status_code == 200
    assert rejected.json()["properties"]["privateEndpoint"] == body["properties"]["privateEndpoint"]
    assert [
        c["properties"]["privateLinkServiceConnectionState"]["status"]
        for c in http.get(url(resource_group, parent, name, "privateEndpointConnections")).json()["value"]
    ] == ["Rejected"]
    assert_error(http.patch(connection, json={}), 405, "MethodNotAllowed")

    deleting = http.delete(connection)
    assert deleting.status_code == 202
    assert "location" in deleting.headers
    assert "/locations/eastus/" in deleting.headers["azure-asyncoperation"]  # the parent's location
    finish(http, deleting)
    assert http.get(connection).status_code == 404
    assert http.delete(connection).status_code == 204
    assert http.get(url(resource_group, parent, name)).json()["properties"]["privateEndpointConnections"] == []


def test_a_workspace_with_a_connection_can_still_be_deleted(http: httpx.Client, resource_group: str) -> None:
    ws = workspace(http, resource_group)
    state = {"properties": {"privateLinkServiceConnectionState": {"status": "Pending"}}}
    assert (
        http.put(url(resource_group, "workspaces", ws, "privateEndpointConnections", "pe2"), json=state).status_code
        == 200
    )
    deleting = http.delete(url(resource_group, "workspaces", ws))
    assert deleting.status_code == 202
    finish(http, deleting)
    assert http.get(url(resource_group, "workspaces", ws, "privateEndpointConnections", "pe2")).status_code == 404


def test_private_link_resources_are_the_groups_of_the_reference(http: httpx.Client, resource_group: str) -> None:
    ws = workspace(http, resource_group)
    listed = http.get(url(resource_group, "workspaces", ws, "privateLinkResources"))
    assert listed.status_code == 200
    assert listed.json() == {
        "value": [
            {
                "id": arm_path(resource_group, "workspaces", ws, "privateLinkResources", "healthcareworkspace"),
                "name": "healthcareworkspace",
                "type": "Microsoft.HealthcareApis/workspaces/privateLinkResources",
                "properties": {
                    "groupId": "healthcareworkspace",
                    "requiredMembers": ["fhirservices", "dicomservices"],
                    "requiredZoneNames": [
                        "privatelink.fhir.azurehealthcareapis.com",
                        "privatelink.dicom.azurehealthcareapis.com",
                    ],
                },
            }
        ]
    }
    one = http.get(url(resource_group, "workspaces", ws, "privateLinkResources", "healthcareworkspace"))
    assert one.json() == listed.json()["value"][0]
    assert_error(
        http.get(url(resource_group, "workspaces", ws, "privateLinkResources", "fhir")), 404, "ResourceNotFound"
    )
    assert http.put(url(resource_group, "workspaces", ws, "privateLinkResources", "x"), json={}).status_code == 405
    assert http.get(url(resource_group, "workspaces", "nows", "privateLinkResources")).status_code == 404

    name = unique("svc")
    finish(http, http.put(url(resource_group, "services", name), json={"location": "eastus", "kind": "fhir-R4"}))
    group = http.get(url(resource_group, "services", name, "privateLinkResources", "fhir")).json()
    assert group["properties"] == {
        "groupId": "fhir",
        "requiredMembers": ["fhir"],
        "requiredZoneNames": ["privatelink.azurehealthcareapis.com"],
    }
    assert group["type"] == "Microsoft.HealthcareApis/services/privateLinkResources"


# -- provider-level: checkNameAvailability and the operations list --------------------------------------------


def check_name(http: httpx.Client, body: object, version: str = V, subscription: str = SUBSCRIPTION) -> httpx.Response:
    return http.post(
        f"/subscriptions/{subscription}/providers/Microsoft.HealthcareApis/checkNameAvailability?api-version={version}",
        json=body,
    )


def test_check_name_availability_sees_service_names_in_every_subscription(
    http: httpx.Client, resource_group: str
) -> None:
    name = unique("svc")
    services = "Microsoft.HealthcareApis/services"
    assert check_name(http, {"name": name, "type": services}).json() == {"nameAvailable": True}
    finish(http, http.put(url(resource_group, "services", name), json={"location": "eastus", "kind": "fhir-R4"}))

    taken = check_name(http, {"name": name, "type": services.lower()})
    assert taken.status_code == 200
    assert taken.json() == {
        "nameAvailable": False,
        "reason": "AlreadyExists",
        "message": "Service name is not available.",
    }
    other_subscription = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
    assert (
        check_name(http, {"name": name, "type": services}, subscription=other_subscription).json()["reason"]
        == "AlreadyExists"
    )

    invalid = check_name(http, {"name": "Not_Valid", "type": services}).json()
    assert invalid["nameAvailable"] is False and invalid["reason"] == "Invalid"
    assert_error(check_name(http, {"name": name}), 400, "InvalidRequestContent")  # type is required
    lower = http.post(
        f"{PROVIDER_ROOT}/checknameavailability?api-version=2019-09-16", json={"name": "free-one", "type": services}
    )
    assert lower.json() == {"nameAvailable": True}
    assert_error(
        check_name(http, {"name": "x", "type": services}, version="2018-01-01"), 400, "NoRegisteredProviderFound"
    )
    assert_error(http.post(f"{PROVIDER_ROOT}/checkNameAvailability", json={}), 400, "MissingApiVersionParameter")


def test_operations_list_is_the_real_providers(http: httpx.Client) -> None:
    listed = http.get(f"/providers/Microsoft.HealthcareApis/operations?api-version={V}")
    assert listed.status_code == 200
    expected = json.loads(Path(OPERATIONS_JSON).read_text())["value"]
    assert listed.json() == {"value": expected}
    names = [operation["name"] for operation in expected]
    assert "Microsoft.HealthcareApis/workspaces/fhirservices/write" in names
    assert "Microsoft.HealthcareApis/checkNameAvailability/post" in names
