"""azure-mgmt-healthcareapis, at its own default api-version (2.1.0: 2024-03-31), drives workspaces and
DICOM services through real LROs. Nothing pins a version: the client is built as a user builds it."""

from __future__ import annotations

import re

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.healthcareapis.models import (
    DicomService,
    DicomServicePatchResource,
    ResourceTags,
    ServiceManagedIdentityIdentity,
    Workspace,
)
from conftest import arm_path, unique
from emulator_process import EmulatorProcess
from sdk_clients import Recorder, default_api_version, healthcare, resources

pytestmark = pytest.mark.clients


@pytest.fixture
def group(emulator: EmulatorProcess) -> str:
    name = unique("rg-")
    resources(emulator).resource_groups.create_or_update(name, {"location": "eastus"})
    return name


def test_workspace_lifecycle(emulator: EmulatorProcess, group: str) -> None:
    recorder = Recorder()
    client = healthcare(emulator, per_call_policies=[recorder])
    name = unique("ws")
    created = client.workspaces.begin_create_or_update(group, name, Workspace(location="eastus")).result()
    assert created.properties.provisioning_state == "Succeeded"
    assert created.properties.public_network_access == "Enabled"
    assert created.id == arm_path(group, "workspaces", name)
    assert created.type == "Microsoft.HealthcareApis/workspaces"

    tagged = client.workspaces.begin_update(group, name, ResourceTags(tags={"team": "imaging"})).result()
    assert tagged.tags == {"team": "imaging"}
    assert tagged.etag != created.etag
    assert [w.name for w in client.workspaces.list_by_resource_group(group)] == [name]
    assert name in [w.name for w in client.workspaces.list_by_subscription()]

    client.workspaces.begin_delete(group, name).result()
    with pytest.raises(ResourceNotFoundError):
        client.workspaces.get(group, name)
    # Every call, polls included, went out at the SDK's default version and was served at it.
    assert recorder.api_versions() == {default_api_version(client)}


def test_dicom_service_create_polls_the_async_operation_then_gets_the_resource(
    emulator: EmulatorProcess, group: str
) -> None:
    recorder = Recorder()
    client = healthcare(emulator, per_call_policies=[recorder])
    workspace = unique("ws")
    client.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
    recorder.calls.clear()

    poller = client.dicom_services.begin_create_or_update(group, workspace, "dicom1", DicomService(location="eastus"))
    dicom = poller.result()

    assert dicom.provisioning_state == "Succeeded"
    assert dicom.service_url == f"https://{workspace}-dicom1.dicom.azurehealthcareapis.com"
    assert dicom.authentication_configuration.audiences == [
        "https://azurehealthcareapis.com/",
        "https://azurehealthcareapis.com",
    ]
    assert dicom.public_network_access == "Enabled"
    assert dicom.private_endpoint_connections == []
    # A field 2021-11-01 did not have (tests/clients/test_legacy_sdk.py): newer versions answer it.
    assert dicom.cors_configuration.origins == []
    calls = recorder.methods_and_paths()
    resource_path = arm_path(group, "workspaces", workspace, "dicomservices", "dicom1")
    assert calls[0] == ("PUT", resource_path, 201)
    assert (
        calls[1][0] == "GET" and "/providers/Microsoft.HealthcareApis/locations/eastus/operationresults/" in calls[1][1]
    )
    # Azure-AsyncOperation mode ends with a GET of the resource itself.
    assert calls[-1] == ("GET", resource_path, 200)
    # The SDK sent its default version; the operation URL the emulator handed back carries the same one.
    assert recorder.api_versions() == {default_api_version(client)}


def test_dicom_service_update_list_identity_and_delete(emulator: EmulatorProcess, group: str) -> None:
    client = healthcare(emulator)
    workspace = unique("ws")
    client.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
    client.dicom_services.begin_create_or_update(group, workspace, "one", DicomService(location="eastus")).result()
    client.dicom_services.begin_create_or_update(group, workspace, "two", DicomService(location="eastus")).result()

    assert sorted(d.name for d in client.dicom_services.list_by_workspace(group, workspace)) == ["one", "two"]

    # The SDK's update takes (group, dicom service, workspace): keywords avoid the trap.
    tagged = client.dicom_services.begin_update(
        resource_group_name=group,
        workspace_name=workspace,
        dicom_service_name="one",
        dicomservice_patch_resource=DicomServicePatchResource(tags={"env": "test"}),
    ).result()
    assert tagged.tags == {"env": "test"}
    assert tagged.provisioning_state == "Succeeded"

    with_identity = client.dicom_services.begin_update(
        resource_group_name=group,
        workspace_name=workspace,
        dicom_service_name="one",
        dicomservice_patch_resource=DicomServicePatchResource(
            identity=ServiceManagedIdentityIdentity(type="SystemAssigned")
        ),
    ).result()
    assert with_identity.identity.type == "SystemAssigned"
    assert with_identity.identity.principal_id
    assert with_identity.identity.tenant_id
    assert with_identity.tags == {"env": "test"}

    client.dicom_services.begin_delete(
        resource_group_name=group, workspace_name=workspace, dicom_service_name="one"
    ).result()
    with pytest.raises(ResourceNotFoundError):
        client.dicom_services.get(group, workspace, "one")
    assert [d.name for d in client.dicom_services.list_by_workspace(group, workspace)] == ["two"]


def test_workspace_with_services_cannot_be_deleted(emulator: EmulatorProcess, group: str) -> None:
    client = healthcare(emulator)
    workspace = unique("ws")
    client.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
    client.dicom_services.begin_create_or_update(group, workspace, "dcm1", DicomService(location="eastus")).result()
    with pytest.raises(HttpResponseError) as raised:
        client.workspaces.begin_delete(group, workspace).result()
    assert raised.value.status_code == 409
    assert client.workspaces.get(group, workspace).properties.provisioning_state == "Succeeded"


def test_unsupported_api_version_is_refused_with_the_supported_list(emulator: EmulatorProcess, group: str) -> None:
    never_published = healthcare(emulator, api_version="2020-01-01")
    with pytest.raises(HttpResponseError) as raised:
        never_published.workspaces.get(group, "anything")
    assert raised.value.status_code == 400
    assert raised.value.error.code == "NoRegisteredProviderFound"
    message = raised.value.error.message
    assert "API version '2020-01-01' for type 'Microsoft.HealthcareApis/workspaces'" in message
    listed = re.search(r"The supported api-versions are '([^']*)'", message)
    assert listed, message
    supported = listed.group(1).split(", ")
    # What a client at its defaults sends is among them.
    assert default_api_version(healthcare(emulator)) in supported
    assert "2020-01-01" not in supported
