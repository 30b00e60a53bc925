"""azure-mgmt-healthcareapis, at its own default api-version (2.1.0: 2024-03-31), drives every operation
group through real LROs: workspaces, DICOM and FHIR services, IoT connectors and their FHIR destinations,
legacy services, private endpoint connections and private link resources of both, the operations list and
checkNameAvailability. Nothing pins a version: the client is built as a user builds it."""

from __future__ import annotations

import re

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.healthcareapis.models import (
    CheckNameAvailabilityParameters,
    DicomService,
    DicomServicePatchResource,
    FhirService,
    FhirServiceAuthenticationConfiguration,
    FhirServicePatchResource,
    IotConnector,
    IotConnectorPatchResource,
    IotEventHubIngestionEndpointConfiguration,
    IotFhirDestination,
    IotMappingProperties,
    PrivateEndpointConnection,
    PrivateEndpointConnectionDescription,
    PrivateLinkServiceConnectionState,
    ResourceTags,
    ServiceManagedIdentityIdentity,
    ServicesDescription,
    ServicesPatchDescription,
    ServicesProperties,
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


MAPPING = IotMappingProperties(content={"templateType": "CollectionContent", "template": []})


def test_fhir_service_lifecycle(emulator: EmulatorProcess, group: str) -> None:
    recorder = Recorder()
    client = healthcare(emulator, per_call_policies=[recorder])
    workspace = unique("ws")
    client.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()

    fhir = client.fhir_services.begin_create_or_update(
        group, workspace, "fhir1", FhirService(location="eastus", kind="fhir-R4")
    ).result()
    assert fhir.provisioning_state == "Succeeded"
    assert fhir.kind == "fhir-R4"
    assert fhir.authentication_configuration.audience == f"https://{workspace}-fhir1.fhir.azurehealthcareapis.com"
    assert fhir.authentication_configuration.authority.startswith("https://login.microsoftonline.com/")
    assert fhir.event_state == "Disabled"
    assert fhir.resource_version_policy_configuration.default == "versioned"

    changed = client.fhir_services.begin_create_or_update(
        group,
        workspace,
        "fhir1",
        FhirService(
            location="eastus",
            kind="fhir-R4",
            authentication_configuration=FhirServiceAuthenticationConfiguration(smart_proxy_enabled=True),
        ),
    ).result()
    assert changed.authentication_configuration.smart_proxy_enabled is True
    tagged = client.fhir_services.begin_update(
        resource_group_name=group,
        workspace_name=workspace,
        fhir_service_name="fhir1",
        fhirservice_patch_resource=FhirServicePatchResource(
            tags={"team": "fhir"}, identity=ServiceManagedIdentityIdentity(type="SystemAssigned")
        ),
    ).result()
    assert tagged.tags == {"team": "fhir"}
    assert tagged.identity.principal_id
    assert [f.name for f in client.fhir_services.list_by_workspace(group, workspace)] == ["fhir1"]
    assert client.fhir_services.get(group, workspace, "fhir1").etag == tagged.etag

    client.fhir_services.begin_delete(
        resource_group_name=group, workspace_name=workspace, fhir_service_name="fhir1"
    ).result()
    with pytest.raises(ResourceNotFoundError):
        client.fhir_services.get(group, workspace, "fhir1")
    assert recorder.api_versions() == {default_api_version(client)}


def test_iot_connector_and_fhir_destination_lifecycle(emulator: EmulatorProcess, group: str) -> None:
    client = healthcare(emulator)
    workspace = unique("ws")
    client.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
    fhir = client.fhir_services.begin_create_or_update(
        group, workspace, "fhir1", FhirService(location="eastus", kind="fhir-R4")
    ).result()

    connector = client.iot_connectors.begin_create_or_update(
        group,
        workspace,
        "iot1",
        IotConnector(
            location="eastus",
            identity=ServiceManagedIdentityIdentity(type="SystemAssigned"),
            ingestion_endpoint_configuration=IotEventHubIngestionEndpointConfiguration(
                event_hub_name="hub",
                consumer_group="cg",
                fully_qualified_event_hub_namespace="ns.servicebus.windows.net",
            ),
            device_mapping=MAPPING,
        ),
    ).result()
    assert connector.provisioning_state == "Succeeded"
    assert connector.ingestion_endpoint_configuration.event_hub_name == "hub"
    assert connector.identity.principal_id
    tagged = client.iot_connectors.begin_update(
        resource_group_name=group,
        workspace_name=workspace,
        iot_connector_name="iot1",
        iot_connector_patch_resource=IotConnectorPatchResource(tags={"a": "b"}),
    ).result()
    assert tagged.tags == {"a": "b"}
    assert [c.name for c in client.iot_connectors.list_by_workspace(group, workspace)] == ["iot1"]

    missing = IotFhirDestination(
        location="eastus",
        resource_identity_resolution_type="Create",
        fhir_service_resource_id=fhir.id + "x",
        fhir_mapping=MAPPING,
    )
    with pytest.raises(HttpResponseError) as raised:
        client.iot_connector_fhir_destination.begin_create_or_update(
            group, workspace, "iot1", "dest1", missing
        ).result()
    assert raised.value.status_code == 400
    assert raised.value.error.message == "The fhirServiceResourceId provided is invalid."

    destination = client.iot_connector_fhir_destination.begin_create_or_update(
        group,
        workspace,
        "iot1",
        "dest1",
        IotFhirDestination(
            location="eastus",
            resource_identity_resolution_type="Lookup",
            fhir_service_resource_id=fhir.id,
            fhir_mapping=MAPPING,
        ),
    ).result()
    assert destination.provisioning_state == "Succeeded"
    assert destination.fhir_service_resource_id == fhir.id
    assert (
        client.iot_connector_fhir_destination.get(group, workspace, "iot1", "dest1").resource_identity_resolution_type
        == "Lookup"
    )
    assert [d.name for d in client.fhir_destinations.list_by_iot_connector(group, workspace, "iot1")] == ["dest1"]
    client.iot_connector_fhir_destination.begin_delete(group, workspace, "iot1", "dest1").result()
    assert list(client.fhir_destinations.list_by_iot_connector(group, workspace, "iot1")) == []
    client.iot_connectors.begin_delete(
        resource_group_name=group, workspace_name=workspace, iot_connector_name="iot1"
    ).result()
    with pytest.raises(ResourceNotFoundError):
        client.iot_connectors.get(group, workspace, "iot1")


def test_legacy_service_lifecycle_and_name_availability(emulator: EmulatorProcess, group: str) -> None:
    recorder = Recorder()
    client = healthcare(emulator, per_call_policies=[recorder])
    name = unique("svc")
    services = "Microsoft.HealthcareApis/services"
    available = client.services.check_name_availability(CheckNameAvailabilityParameters(name=name, type=services))
    assert available.name_available is True

    service = client.services.begin_create_or_update(
        group, name, ServicesDescription(location="eastus", kind="fhir-R4", properties=ServicesProperties())
    ).result()
    assert service.properties.provisioning_state == "Succeeded"
    assert service.properties.cosmos_db_configuration.offer_throughput == 1000
    assert service.properties.authentication_configuration.audience == f"https://{name}.azurehealthcareapis.com"

    taken = client.services.check_name_availability(CheckNameAvailabilityParameters(name=name, type=services))
    assert (taken.name_available, taken.reason, taken.message) == (
        False,
        "AlreadyExists",
        "Service name is not available.",
    )

    tagged = client.services.begin_update(group, name, ServicesPatchDescription(tags={"t": "1"})).result()
    assert tagged.tags == {"t": "1"}
    closed = client.services.begin_update(
        group, name, ServicesPatchDescription(public_network_access="Disabled")
    ).result()
    assert closed.properties.public_network_access == "Disabled"
    assert closed.properties.provisioning_state == "Succeeded"
    replaced = client.services.begin_create_or_update(
        group,
        name,
        ServicesDescription(location="eastus", kind="fhir-R4", tags={"t": "1"}, properties=ServicesProperties()),
    ).result()
    assert replaced.properties.provisioning_state == "Succeeded"
    assert name in [s.name for s in client.services.list()]
    assert [s.name for s in client.services.list_by_resource_group(group)] == [name]
    assert client.services.get(group, name).kind == "fhir-R4"

    client.services.begin_delete(group, name).result()
    with pytest.raises(ResourceNotFoundError):
        client.services.get(group, name)
    assert recorder.api_versions() == {default_api_version(client)}


def test_private_links_of_workspaces_and_services(emulator: EmulatorProcess, group: str) -> None:
    client = healthcare(emulator)
    workspace = unique("ws")
    client.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
    service = unique("svc")
    client.services.begin_create_or_update(
        group, service, ServicesDescription(location="eastus", kind="fhir-R4")
    ).result()
    approved = PrivateLinkServiceConnectionState(status="Approved", description="Auto-Approved")

    connection = client.workspace_private_endpoint_connections.begin_create_or_update(
        group, workspace, "pe1", PrivateEndpointConnectionDescription(private_link_service_connection_state=approved)
    ).result()
    assert connection.provisioning_state == "Succeeded"
    assert connection.private_link_service_connection_state.status == "Approved"
    assert [c.name for c in client.workspace_private_endpoint_connections.list_by_workspace(group, workspace)] == [
        "pe1"
    ]
    assert client.workspace_private_endpoint_connections.get(group, workspace, "pe1").private_endpoint.id
    assert [c.name for c in client.workspaces.get(group, workspace).properties.private_endpoint_connections] == ["pe1"]
    client.workspace_private_endpoint_connections.begin_delete(group, workspace, "pe1").result()
    assert list(client.workspace_private_endpoint_connections.list_by_workspace(group, workspace)) == []

    groups = list(client.workspace_private_link_resources.list_by_workspace(group, workspace))
    assert [(g.name, g.group_id, g.required_members) for g in groups] == [
        ("healthcareworkspace", "healthcareworkspace", ["fhirservices", "dicomservices"])
    ]
    assert client.workspace_private_link_resources.get(group, workspace, "healthcareworkspace").required_zone_names == [
        "privatelink.fhir.azurehealthcareapis.com",
        "privatelink.dicom.azurehealthcareapis.com",
    ]

    rejected = PrivateLinkServiceConnectionState(status="Rejected", description="no")
    service_connection = client.private_endpoint_connections.begin_create_or_update(
        group, service, "pe2", PrivateEndpointConnection(private_link_service_connection_state=rejected)
    ).result()
    assert service_connection.private_link_service_connection_state.status == "Rejected"
    assert [c.name for c in client.private_endpoint_connections.list_by_service(group, service)] == ["pe2"]
    assert client.private_endpoint_connections.get(group, service, "pe2").name == "pe2"
    assert [c.name for c in client.services.get(group, service).properties.private_endpoint_connections] == ["pe2"]
    client.private_endpoint_connections.begin_delete(group, service, "pe2").result()
    with pytest.raises(ResourceNotFoundError):
        client.private_endpoint_connections.get(group, service, "pe2")

    links = client.private_link_resources.list_by_service(group, service)
    assert [(g.name, g.group_id) for g in links.value] == [("fhir", "fhir")]
    assert client.private_link_resources.get(group, service, "fhir").required_zone_names == [
        "privatelink.azurehealthcareapis.com"
    ]


def test_operations_list_and_operation_results(emulator: EmulatorProcess, group: str) -> None:
    recorder = Recorder()
    client = healthcare(emulator, per_call_policies=[recorder])
    names = [operation.name for operation in client.operations.list()]
    assert "Microsoft.HealthcareApis/workspaces/fhirservices/read" in names
    assert "Microsoft.HealthcareApis/checkNameAvailability/post" in names

    workspace = unique("ws")
    client.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
    client.fhir_services.begin_create_or_update(group, workspace, "fhir1", FhirService(location="eastus")).result()
    # The operation the create's poller followed, read again through the operation-results group.
    polled = [path for method, path, _ in recorder.methods_and_paths() if "/operationresults/" in path]
    assert polled
    result = client.operation_results.get("eastus", polled[-1].rsplit("/", 1)[1])
    assert result.status == "Succeeded"
