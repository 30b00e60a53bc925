"""Templates written in the style of Microsoft's quickstarts for our providers (DICOM, FHIR, Azure API for
FHIR, Device Update, IoT connectors; nested deployments, Bicep output, languageVersion 2.0, subscription scope)
planned and deployed through prepare/render/outputs against the fake host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from template_fakes import GROUP_ID, SUBSCRIPTION, TENANT, FakeHost, deploy, group_scope, subscription_scope

from arm_emulator.templates import TemplateError, prepare, unique_string

HERE = Path(__file__).parent / "quickstarts"
HCA = f"{GROUP_ID}/providers/Microsoft.HealthcareApis/workspaces"


def load(name: str) -> dict:
    return json.loads((HERE / name).read_text())


def values(**parameters: object) -> dict:
    return {name: {"value": value} for name, value in parameters.items()}


def run(name: str, parameters: dict, scope=None) -> tuple:
    scope = scope or group_scope()
    host = FakeHost()
    prepared = prepare(load(name), values(**parameters), scope)
    order = deploy(prepared, host, scope)
    return prepared, host, order, prepared.outputs(host)


def body(host: FakeHost, resource_id: str) -> dict:
    return host.resources[resource_id.lower()]


def test_a_dicom_with_data_lake_storage() -> None:
    prepared, host, order, outputs = run(
        "a_dicom_adls.json", {"workspaceName": "ws1", "dicomServiceName": "dicom1", "storageAccountName": "st1"}
    )
    storage = f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/st1"
    identity = f"{GROUP_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/dicom-uami"
    by_type = {r.type: r for r in prepared.resources}
    container = by_type["Microsoft.Storage/storageAccounts/blobServices/containers"]
    assert container.resource_id == f"{storage}/blobServices/default/containers/dicomdata"
    assignment = by_type["Microsoft.Authorization/roleAssignments"]
    assert assignment.resource_id.startswith(f"{storage}/providers/Microsoft.Authorization/roleAssignments/")
    dicom = by_type["Microsoft.HealthcareApis/workspaces/dicomservices"]
    assert dicom.depends_on == {f"{HCA}/ws1".lower(), assignment.key}
    assert order.index(dicom.key) > order.index(assignment.key) > order.index(identity.lower())
    principal = body(host, identity)["properties"]["principalId"]
    assert body(host, assignment.resource_id)["properties"]["principalId"] == principal
    assert body(host, dicom.resource_id)["identity"]["userAssignedIdentities"] == {identity: {}}
    assert outputs == {
        "dicomServiceUrl": {"type": "String", "value": "https://ws1-dicom1.dicom.azurehealthcareapis.com"},
        "identityPrincipalId": {"type": "String", "value": principal},
    }


@pytest.mark.parametrize("with_storage", [True, False])
def test_b_fhir_service_with_conditional_storage(with_storage: bool) -> None:
    prepared, host, _, outputs = run(
        "b_fhir_service.json",
        {
            "workspaceName": "ws1",
            "fhirServiceName": "fhir1",
            "storageAccountName": "st1",
            "storageAccountConfirm": with_storage,
        },
    )
    fhir = body(host, f"{HCA}/ws1/fhirservices/fhir1")
    assert fhir["kind"] == "fhir-R4"
    assert fhir["properties"]["authenticationConfiguration"] == {
        "authority": f"https://login.microsoftonline.com/{TENANT}",
        "audience": "https://ws1-fhir1.fhir.azurehealthcareapis.com",
        "smartProxyEnabled": False,
    }
    storage_id = f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/st1"
    if with_storage:
        assert fhir["identity"]["type"] == "SystemAssigned"
        storage = next(r for r in prepared.resources if r.resource_id == storage_id)
        assert storage.depends_on == {f"{HCA}/ws1/fhirservices/fhir1".lower()}  # dependsOn by bare name
    else:
        assert fhir["identity"] is None and fhir["properties"]["exportConfiguration"] == {"storageAccountName": None}
        assert storage_id.lower() not in host.resources
    assert outputs == {}


def test_c_azure_api_for_fhir() -> None:
    _, host, _, _ = run("c_api_for_fhir.json", {"serviceName": "apifhir", "location": "westeurope"})
    service = body(host, f"{GROUP_ID}/providers/Microsoft.HealthcareApis/services/apifhir")
    assert service["properties"]["authenticationConfiguration"] == {
        "audience": "https://apifhir.azurehealthcareapis.com",
        "authority": f"https://login.microsoftonline.com/{TENANT}",
    }
    with pytest.raises(TemplateError, match="is not part of the allowed value"):
        prepare(load("c_api_for_fhir.json"), values(serviceName="x", location="mars"), group_scope())


def test_d_device_update_with_iot_hub_keys() -> None:
    prepared, host, _, _ = run("d_deviceupdate_iothub.json", {"location": "westus2"})
    suffix = unique_string(GROUP_ID)
    hub_name = f"hub-{suffix}"
    instance = next(r for r in prepared.resources if r.type == "Microsoft.DeviceUpdate/accounts/instances")
    assert instance.name == f"adu-{suffix}/{prepared.parameters['instanceName']['value']}"
    rendered = body(host, instance.resource_id)["properties"]["iotHubs"][0]
    assert rendered["ioTHubConnectionString"] == (
        f"HostName={hub_name}.azure-devices.net;SharedAccessKeyName=deviceupdateservice;"
        "SharedAccessKey=key-deviceupdateservice"
    )
    assert rendered["eventHubConnectionString"].endswith(f";EntityPath={hub_name}")
    consumer = next(r for r in prepared.resources if r.type.endswith("ConsumerGroups"))
    assert consumer.resource_id.endswith(f"/IotHubs/{hub_name}/eventHubEndpoints/events/ConsumerGroups/adu")


def test_e_device_update_account_with_defaults() -> None:
    prepared, host, _, _ = run("e_deviceupdate_account.json", {})
    name = f"adu{unique_string(GROUP_ID)[:10]}"
    assert prepared.parameters == {
        "accountName": {"type": "String", "value": name},
        "location": {"type": "String", "value": "westus2"},
    }
    assert body(host, f"{GROUP_ID}/providers/Microsoft.DeviceUpdate/accounts/{name}")["location"] == "westus2"


@pytest.mark.parametrize("create_workspace", [True, False])
def test_f_nested_deployments_with_conditions(create_workspace: bool) -> None:
    parameters = {"prefix": "imp", "createWorkspace": create_workspace}
    if not create_workspace:
        parameters["workspaceName"] = "existingws"
    prepared, host, _order, outputs = run("f_fhir_import.json", parameters)
    workspace = f"impws{unique_string(GROUP_ID)[:6]}" if create_workspace else "existingws"
    keys = {r.name: r.key for r in prepared.resources}
    assert ("workspaceDeployment" in keys) is create_workspace
    storage = next(r for r in prepared.resources if r.name == "impimport")
    assert storage.depends_on == {keys[n] for n in keys if n.endswith("Deployment")}
    fhir_id = f"{HCA}/{workspace}/fhirservices/impfhir"
    fhir = body(host, fhir_id)
    assert fhir["properties"]["importConfiguration"] == {
        "enabled": True,
        "initialImportMode": True,
        "integrationDataStore": "impimport",
    }
    assert fhir["properties"]["authenticationConfiguration"]["audience"] == (
        f"https://{workspace}-impfhir.fhir.azurehealthcareapis.com"
    )
    assert outputs["fhirId"] == {"type": "String", "value": fhir_id}
    assert outputs["importEnabled"] == {"type": "Bool", "value": True}


def test_g_workspace_with_fhir_and_dicom_outputs() -> None:
    _prepared, host, order, outputs = run("g_workspace_children.json", {"basename": "demo"})
    assert order[0] == f"{HCA}/demows".lower()
    fhir_principal = body(host, f"{HCA}/demows/fhirservices/demofhir")["identity"]["principalId"]
    assert outputs == {
        "workspaceId": {"type": "String", "value": f"{HCA}/demows"},
        "fhirUrl": {"type": "String", "value": "https://demows-demofhir.fhir.azurehealthcareapis.com"},
        "fhirPrincipalId": {"type": "String", "value": fhir_principal},
        "dicomUrl": {"type": "String", "value": "https://demows-demodicom.dicom.azurehealthcareapis.com"},
        "location": {"type": "String", "value": "westeurope"},
    }


def test_h_iot_connector_with_iot_hub_and_role_assignments() -> None:
    prepared, host, order, _ = run("h_iotconnector_iothub.json", {"basename": "med-1"})
    assignments = [r for r in prepared.resources if r.type == "Microsoft.Authorization/roleAssignments"]
    assert len(assignments) == 4
    connector = f"{HCA}/med1ws/iotconnectors/med-1iot"
    scopes = sorted(a.resource_id.split("/providers/Microsoft.Authorization/")[0] for a in assignments)
    event_hub = f"{GROUP_ID}/providers/Microsoft.EventHub/namespaces/med-1-ns/eventhubs/devicedata"
    assert scopes == sorted([GROUP_ID, event_hub, event_hub, f"{HCA}/med1ws/fhirservices/med1fhir"])
    connector_principal = body(host, connector)["identity"]["principalId"]
    reader = [a for a in assignments if a.resource_id.startswith(f"{event_hub}/") and connector.lower() in a.depends_on]
    assert body(host, reader[0].resource_id)["properties"]["principalId"] == connector_principal
    hub = next(r for r in prepared.resources if r.type == "Microsoft.Devices/IotHubs")
    assert order.index(hub.key) > order.index(next(a.key for a in assignments if a.key in hub.depends_on))
    destination = body(host, f"{connector}/fhirdestinations/med-1dest")
    assert destination["properties"]["fhirServiceResourceId"] == f"{HCA}/med1ws/fhirservices/med1fhir"


def test_i_iot_connector_with_case_differing_variable_names() -> None:
    prepared, host, _, _ = run("i_iotconnector.json", {"workspaceName": "iotws"})
    assert len(prepared.resources) == 9
    destination = next(r for r in prepared.resources if r.type.endswith("fhirdestinations"))
    assert destination.resource_id == f"{HCA}/iotws/iotconnectors/iotconnector/fhirdestinations/fhirdestination"
    assert destination.depends_on == {
        f"{HCA}/iotws/iotconnectors/iotconnector".lower(),
        f"{HCA}/iotws/fhirservices/fhirservice".lower(),
    }
    hub = f"{GROUP_ID}/providers/Microsoft.EventHub/namespaces/ns-iotws/eventhubs/devicedata"
    rule = f"{hub}/authorizationRules/devicesender"
    assert body(host, rule)["properties"]["rights"] == ["Send"]


def test_j_language_version_2_with_symbolic_names_and_existing() -> None:
    host = FakeHost()
    host.put(
        f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/st1",
        {},
        "2023-01-01",
        "Microsoft.Storage/storageAccounts",
    )
    prepared = prepare(load("j_workspace_symbolic.json"), values(basename="sym", storageName="st1"), group_scope())
    keys = [r.key for r in prepared.resources]
    assert keys == ["storage", "workspace", "fhir", "dicoms[0]", "dicoms[1]"]
    deploy(prepared, host)
    assert body(host, f"{HCA}/symws")["tags"] == {"owner": "quickstart"}
    assert body(host, f"{HCA}/symws/dicomservices/dicom1")["properties"]["storageEndpoint"] == (
        "https://st1.blob.core.windows.net/"
    )
    outputs = prepared.outputs(host)
    assert (
        outputs["fhirPrincipal"]["value"] == body(host, f"{HCA}/symws/fhirservices/symfhir")["identity"]["principalId"]
    )
    assert outputs["dicomNames"] == {"type": "Array", "value": ["dicom0", "dicom1"]}
    assert prepared.parameters["tags"] == {"type": "Object", "value": None}


def test_k_subscription_scope_creates_a_group_and_deploys_into_it() -> None:
    _prepared, host, _order, outputs = run(
        "k_subscription_group.json", {"groupName": "newrg", "workspaceName": "subws"}, subscription_scope()
    )
    group_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/newrg"
    assert body(host, group_id)["tags"] == {"createdBy": "subdeploy"}
    assert body(host, group_id)["location"] == "eastus"
    workspace_id = f"{group_id}/providers/Microsoft.HealthcareApis/workspaces/subws"
    assert workspace_id.lower() in host.resources
    assert outputs == {"workspaceId": {"type": "String", "value": workspace_id}}
