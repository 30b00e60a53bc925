"""Every served api-version over real HTTPS: one stored resource, each version's own shape, ARM's
checks of versions and locations, and the provider documents that advertise them."""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION, arm_path, unique

from arm_emulator.providers import PROVIDERS
from arm_emulator.providers.deviceupdate import PROVIDER as DEVICE_UPDATE
from arm_emulator.providers.deviceupdate.accounts import ACCOUNTS
from arm_emulator.providers.healthcareapis import PROVIDER as HEALTHCARE
from arm_emulator.providers.healthcareapis.dicomservices import DICOM_SERVICES
from arm_emulator.providers.healthcareapis.workspaces import WORKSPACES

DU_NAMESPACE = "Microsoft.DeviceUpdate"
KEY_URL = "https://vault1.vault.azure.net/keys/key1"


def versions(resource_type: Any) -> list[str]:
    return sorted(resource_type.api_versions)


def response_schema(resource_type: Any, api_version: str) -> dict[str, Any]:
    """The JSON schema of that version's generated response model (read from the module, not the engine)."""
    models = resource_type.api_versions[api_version]
    module = importlib.import_module(models.module)
    return getattr(module, models.names.response).model_json_schema(by_alias=True)  # type: ignore[no-any-return]


def unknown_fields(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "") -> list[str]:
    """Paths in `value` that `schema` does not declare."""
    while True:
        if "$ref" in schema:
            schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema or "allOf" in schema:
            options = [s for s in schema.get("anyOf", schema.get("allOf", [])) if s.get("type") != "null"]
            schema = options[0] if options else {}
        else:
            break
    if isinstance(value, dict) and "properties" in schema:
        found = []
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{path}{key}")
            else:
                found += unknown_fields(item, schema["properties"][key], root, f"{path}{key}.")
        return found
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        return [
            p for k, v in value.items() for p in unknown_fields(v, schema["additionalProperties"], root, f"{path}{k}.")
        ]
    if isinstance(value, list) and "items" in schema:
        return [p for v in value for p in unknown_fields(v, schema["items"], root, f"{path}[].")]
    return []


def put(http: httpx.Client, path: str, version: str, body: dict[str, Any]) -> httpx.Response:
    return http.put(f"{path}?api-version={version}", json=body)


def get(http: httpx.Client, path: str, version: str) -> dict[str, Any]:
    response = http.get(f"{path}?api-version={version}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def new_workspace(http: httpx.Client, group: str, version: str = "2022-06-01") -> str:
    name = unique("ws")
    assert put(http, arm_path(group, "workspaces", name), version, {"location": "eastus"}).status_code == 201
    return name


# -- the sweep: every version of every type -----------------------------------------------------------


def test_every_declared_type_has_models_at_every_version() -> None:
    for provider in PROVIDERS:
        for resource_type in provider.resource_types:
            for version, models in resource_type.api_versions.items():
                assert models.request and models.response, (provider.namespace, version)


@pytest.mark.parametrize("version", versions(WORKSPACES))
def test_healthcare_sweep_put_succeeds_and_reads_back_in_the_versions_shape(
    http: httpx.Client, resource_group: str, version: str
) -> None:
    workspace = unique("ws")
    path = arm_path(resource_group, "workspaces", workspace)
    created = put(http, path, version, {"location": "eastus"})
    assert created.status_code == 201, created.text
    dicom_path = f"{path}/dicomservices/dicom1"
    started = put(http, dicom_path, version, {"location": "eastus"})
    assert started.status_code == 201, started.text
    status = http.get(started.headers["Azure-AsyncOperation"])
    assert status.status_code == 200 and status.json()["status"] == "Succeeded"
    assert f"api-version={version}" in started.headers["Azure-AsyncOperation"]

    for resource_type, resource_path in ((WORKSPACES, path), (DICOM_SERVICES, dicom_path)):
        body = get(http, resource_path, version)
        assert body["properties"]["provisioningState"] == "Succeeded"
        schema = response_schema(resource_type, version)
        assert unknown_fields(body, schema, schema) == [], (version, resource_type.type_segments)
    listed = http.get(f"{path}/dicomservices?api-version={version}").json()["value"]
    schema = response_schema(DICOM_SERVICES, version)
    assert [unknown_fields(item, schema, schema) for item in listed] == [[]]


@pytest.mark.parametrize("version", versions(ACCOUNTS))
def test_device_update_sweep_put_succeeds_and_reads_back_in_the_versions_shape(
    http: httpx.Client, resource_group: str, version: str
) -> None:
    path = arm_path(resource_group, "accounts", unique("acct"), namespace=DU_NAMESPACE)
    started = put(http, path, version, {"location": "westus2"})
    assert started.status_code == 201, started.text
    assert http.get(started.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"
    body = get(http, path, version)
    assert body["properties"]["provisioningState"] == "Succeeded"
    schema = response_schema(ACCOUNTS, version)
    assert unknown_fields(body, schema, schema) == []


# -- one stored resource, each version's view --------------------------------------------------------

# When each DICOM field arrived (the issue and the api-versions reference; the services fill them).
DICOM_FIELD_SINCE = {
    "corsConfiguration": "2022-05-15",
    "eventState": "2022-12-01",
    "storageConfiguration": "2024-03-01",
    "enableDataPartitions": "2024-03-31",
}


def test_a_dicom_service_written_at_the_newest_version_reads_in_each_versions_shape(
    http: httpx.Client, resource_group: str
) -> None:
    workspace = new_workspace(http, resource_group)
    path = arm_path(resource_group, "workspaces", workspace, "dicomservices", "dicom1")
    created = put(
        http,
        path,
        "2024-03-31",
        {
            "location": "eastus",
            "properties": {
                "enableDataPartitions": True,
                "encryption": {"customerManagedKeyEncryption": {"keyEncryptionKeyUrl": KEY_URL}},
            },
        },
    )
    assert created.status_code == 201, created.text
    for version in versions(DICOM_SERVICES):
        properties = get(http, path, version)["properties"]
        for field, since in DICOM_FIELD_SINCE.items():
            assert (field in properties) == (version >= since), (field, version)
        assert ("encryption" in properties) == (version >= "2023-11-01"), version
        if version >= "2024-03-31":
            assert properties["enableDataPartitions"] is True
        if version >= "2022-12-01":
            assert properties["eventState"] == "Disabled"
        assert properties["serviceUrl"].endswith(".dicom.azurehealthcareapis.com")


def test_a_write_at_an_older_version_keeps_what_it_cannot_see(http: httpx.Client, resource_group: str) -> None:
    workspace = new_workspace(http, resource_group)
    path = arm_path(resource_group, "workspaces", workspace, "dicomservices", "dicom1")
    assert (
        put(http, path, "2024-03-31", {"location": "eastus", "properties": {"enableDataPartitions": True}}).status_code
        == 201
    )
    replaced = put(
        http, path, "2022-06-01", {"location": "eastus", "properties": {"corsConfiguration": {"origins": ["*"]}}}
    )
    assert replaced.status_code in (200, 202), replaced.text
    assert "enableDataPartitions" not in replaced.json()["properties"]
    properties = get(http, path, "2024-03-31")["properties"]
    assert properties["enableDataPartitions"] is True
    assert properties["corsConfiguration"]["origins"] == ["*"]
    patched = http.patch(f"{path}?api-version=2021-11-01", json={"tags": {"team": "imaging"}})
    assert patched.status_code == 200, patched.text
    assert "corsConfiguration" not in patched.json()["properties"]
    after = get(http, path, "2025-04-01-preview")
    assert after["tags"] == {"team": "imaging"}
    assert after["properties"]["enableDataPartitions"] is True
    assert after["properties"]["corsConfiguration"]["origins"] == ["*"]


def test_each_version_validates_with_its_own_model(http: httpx.Client, resource_group: str) -> None:
    workspace = new_workspace(http, resource_group)
    body = {"location": "eastus", "properties": {"enableDataPartitions": "not a boolean"}}
    path = arm_path(resource_group, "workspaces", workspace, "dicomservices", "dicom1")
    refused = put(http, path, "2024-03-31", body)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "InvalidRequestContent"
    assert "enableDataPartitions" in refused.json()["error"]["message"]
    # A version without the field ignores it, as the service ignores properties its version lacks.
    accepted = put(http, path, "2024-03-01", body)
    assert accepted.status_code == 201, accepted.text
    assert get(http, path, "2024-03-31")["properties"]["enableDataPartitions"] is False


def test_device_update_encryption_shows_from_2022_12_01_preview(http: httpx.Client, resource_group: str) -> None:
    path = arm_path(resource_group, "accounts", unique("acct"), namespace=DU_NAMESPACE)
    encryption = {"keyVaultKeyUri": KEY_URL, "userAssignedIdentity": "/subscriptions/x/identity"}
    created = put(http, path, "2023-07-01", {"location": "westus2", "properties": {"encryption": encryption}})
    assert created.status_code == 201, created.text
    for version in versions(ACCOUNTS):
        properties = get(http, path, version)["properties"]
        assert ("encryption" in properties) == (version >= "2022-12-01-preview"), version
        assert properties["hostName"].endswith(".api.adu.microsoft.com")
    replaced = put(http, path, "2022-10-01", {"location": "westus2", "tags": {"env": "test"}})
    assert replaced.status_code == 201, replaced.text
    assert http.get(replaced.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"
    after = get(http, path, "2023-07-01")
    assert after["tags"] == {"env": "test"}
    assert after["properties"]["encryption"] == encryption


# -- ARM's checks --------------------------------------------------------------------------------------


def test_an_unknown_api_version_names_the_supported_ones_and_the_location(
    http: httpx.Client, resource_group: str
) -> None:
    path = arm_path(resource_group, "workspaces", unique("ws"))
    refused = put(http, path, "2020-01-01", {"location": "West US 2"})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "NoRegisteredProviderFound"
    assert "location 'westus2'" in error["message"]
    assert f"The supported api-versions are '{', '.join(versions(WORKSPACES))}'" in error["message"]
    assert refused.headers["x-ms-failure-cause"] == "gateway"
    # A read names the location of the resource it asked for.
    assert put(http, path, "2024-03-31", {"location": "westus2"}).status_code == 201
    read = http.get(f"{path}?api-version=2099-01-01")
    assert read.status_code == 400
    assert "location 'westus2'" in read.json()["error"]["message"]


@pytest.mark.parametrize("location", ["mars", "brazilsouth"])
def test_a_location_the_type_is_not_offered_in_is_refused(
    http: httpx.Client, resource_group: str, location: str
) -> None:
    assert location not in HEALTHCARE.locations
    path = arm_path(resource_group, "workspaces", unique("ws"))
    refused = put(http, path, "2024-03-31", {"location": location})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "LocationNotAvailableForResourceType"
    assert f"'{location}'" in error["message"]
    assert "'Microsoft.HealthcareApis/workspaces'" in error["message"]
    assert ",".join(HEALTHCARE.locations) in error["message"]
    assert http.get(f"{path}?api-version=2024-03-31").status_code == 404


def test_display_names_are_accepted_and_normalized(http: httpx.Client, resource_group: str) -> None:
    path = arm_path(resource_group, "accounts", unique("acct"), namespace=DU_NAMESPACE)
    created = put(http, path, "2022-10-01", {"location": "West US 2"})
    assert created.status_code == 201, created.text
    assert get(http, path, "2022-10-01")["location"] == "westus2"


# -- what the provider documents and operations say ----------------------------------------------------


@pytest.mark.parametrize("provider", [HEALTHCARE, DEVICE_UPDATE], ids=lambda p: p.namespace)
def test_the_provider_document_lists_every_version_newest_first(http: httpx.Client, provider: Any) -> None:
    document = http.get(f"/subscriptions/{SUBSCRIPTION}/providers/{provider.namespace}?api-version=2021-04-01")
    assert document.status_code == 200
    by_type = {t["resourceType"]: t for t in document.json()["resourceTypes"]}
    for resource_type in provider.resource_types:
        listed = by_type["/".join(resource_type.type_segments)]
        assert listed["apiVersions"] == sorted(resource_type.api_versions, reverse=True)
        assert len(listed["locations"]) == len(provider.locations)
        assert all(" " in name or name[0].isupper() for name in listed["locations"])  # display names


@pytest.mark.parametrize("version", sorted({v for rt in HEALTHCARE.resource_types for v in rt.api_versions}))
def test_operations_list_answers_at_every_version(http: httpx.Client, version: str) -> None:
    listed = http.get(f"/providers/Microsoft.HealthcareApis/operations?api-version={version}")
    assert listed.status_code == 200
    assert any(op["name"].endswith("dicomservices/write") for op in listed.json()["value"])
