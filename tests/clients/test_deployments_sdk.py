"""azure-mgmt-resource-deployments' DeploymentsMgmtClient at its default api-version over HTTPS:
templates in the style of the public quickstarts for the emulated providers, created, validated,
what-if'd, listed, their operations read, cancelled, deleted, and Complete mode."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sdk_clients
from azure.core.exceptions import HttpResponseError, ResourceExistsError
from conftest import SUBSCRIPTION, unique
from deployment_templates import (
    DEVICE_UPDATE,
    IOT_CONNECTOR,
    SUBSCRIPTION_GROUP_AND_WORKSPACE,
    WORKSPACE_FHIR_DICOM,
    nested,
    plain,
    slow_account,
    values,
    workspace,
)
from emulator_process import EmulatorProcess
from sdk_clients import Recorder


def _group(emulator: EmulatorProcess, location: str = "eastus") -> str:
    name = unique("rg-")
    sdk_clients.resources(emulator).resource_groups.create_or_update(name, {"location": location})
    return name


def _deployment(template: dict[str, Any], mode: str = "Incremental", **parameters: Any) -> dict[str, Any]:
    return {"properties": {"mode": mode, "template": template, "parameters": values(**parameters)}}


def test_workspace_fhir_dicom_created_listed_and_deleted(emulator: EmulatorProcess) -> None:
    recorder = Recorder()
    client = sdk_clients.deployments(emulator, per_call_policies=[recorder])
    group, ws = _group(emulator), unique("ws")
    result = client.deployments.begin_create_or_update(
        group, "hds", _deployment(WORKSPACE_FHIR_DICOM, workspaceName=ws)
    ).result()
    assert result.properties.provisioning_state == "Succeeded"
    assert result.properties.mode == "Incremental"
    outputs = result.properties.outputs
    assert outputs["fhirAudience"] == {"type": "String", "value": f"https://{ws}-fhir1.fhir.azurehealthcareapis.com"}
    assert outputs["workspaceId"]["value"].endswith(f"/providers/Microsoft.HealthcareApis/workspaces/{ws}")
    dicom = sdk_clients.healthcare(emulator).dicom_services.get(group, ws, "dicom1")
    assert outputs["dicomServiceUrl"]["value"] == dicom.service_url
    # The SDK's own default api-version, and the LRO as ARM runs it: operationStatuses, then a final GET.
    assert recorder.api_versions() == {"2026-06-01"}
    paths = [p for _, p, _ in recorder.methods_and_paths()]
    assert any("/operationStatuses/" in p for p in paths)

    listed = list(client.deployments.list_by_resource_group(group))
    assert [d.name for d in listed] == ["hds"]
    operations = list(client.deployment_operations.list(group, "hds"))
    assert sorted(op.properties.target_resource.resource_name for op in operations) == sorted(
        [ws, f"{ws}/fhir1", f"{ws}/dicom1"]
    )
    assert all(op.properties.provisioning_state == "Succeeded" for op in operations)
    one = client.deployment_operations.get(group, "hds", operations[0].operation_id)
    assert one.properties.target_resource.id == operations[0].properties.target_resource.id
    exported = client.deployments.export_template(group, "hds")
    assert exported.template["resources"][0]["type"] == "Microsoft.HealthcareApis/workspaces"

    assert client.deployments.check_existence(group, "hds") is True
    client.deployments.begin_delete(group, "hds").result()
    assert client.deployments.check_existence(group, "hds") is False
    # The record went, not the resources.
    assert sdk_clients.healthcare(emulator).workspaces.get(group, ws).name == ws


def test_validate_and_what_if(emulator: EmulatorProcess) -> None:
    client = sdk_clients.deployments(emulator)
    group, ws = _group(emulator), unique("ws")
    validated = client.deployments.begin_validate(
        group, "v", _deployment(WORKSPACE_FHIR_DICOM, workspaceName=ws)
    ).result()
    assert validated.error is None
    assert validated.properties.provisioning_state == "Succeeded"
    with pytest.raises(HttpResponseError) as refused:
        client.deployments.begin_validate(group, "v", _deployment(WORKSPACE_FHIR_DICOM)).result()
    assert refused.value.status_code == 400
    assert refused.value.error is not None and refused.value.error.code == "InvalidTemplate"

    client.deployments.begin_create_or_update(
        group, "base", _deployment(plain(workspace(ws, tags={"env": "dev"})))
    ).result()
    new = unique("ws")
    change = _deployment(plain(workspace(ws, tags={"env": "prod"}), workspace(new)))
    result = client.deployments.begin_what_if(group, "wi", change).result()
    kinds = {c.resource_id.rsplit("/", 1)[1]: c for c in result.changes}
    assert kinds[new].change_type == "Create"
    assert kinds[ws].change_type == "Modify"
    assert [(d.path, d.property_change_type, d.before, d.after) for d in kinds[ws].delta] == [
        ("tags.env", "Modify", "dev", "prod")
    ]


def test_cancel_a_running_deployment(emulator: EmulatorProcess) -> None:
    client = sdk_clients.deployments(emulator)
    group = _group(emulator)
    client.deployments.begin_create_or_update(
        group, "slow", _deployment(plain(slow_account(unique("adu")))), polling=False
    )
    deadline = time.monotonic() + 20
    while client.deployments.get(group, "slow").properties.provisioning_state != "Running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    client.deployments.cancel(group, "slow")
    assert client.deployments.get(group, "slow").properties.provisioning_state == "Canceled"
    with pytest.raises(ResourceExistsError) as refused:
        client.deployments.cancel(group, "slow")
    assert refused.value.error is not None and refused.value.error.code == "DeploymentCannotBeCancelled"
    canceled = list(client.deployments.list_by_resource_group(group, filter="provisioningState eq 'Canceled'"))
    assert [d.name for d in canceled] == ["slow"]


def test_complete_mode_deletes_undeclared_resources(emulator: EmulatorProcess) -> None:
    client = sdk_clients.deployments(emulator)
    group, keep, drop = _group(emulator), unique("ws"), unique("ws")
    client.deployments.begin_create_or_update(
        group, "one", _deployment(plain(workspace(keep), workspace(drop)))
    ).result()
    result = client.deployments.begin_create_or_update(
        group, "two", _deployment(plain(workspace(keep)), mode="Complete")
    ).result()
    assert result.properties.provisioning_state == "Succeeded"
    names = [w.name for w in sdk_clients.healthcare(emulator).workspaces.list_by_resource_group(group)]
    assert names == [keep]


def test_device_update_and_iot_connector_templates(emulator: EmulatorProcess) -> None:
    client = sdk_clients.deployments(emulator)
    group, account, ws = _group(emulator, "westus2"), unique("adu"), unique("ws")
    result = client.deployments.begin_create_or_update(
        group, "adu", _deployment(DEVICE_UPDATE, accountName=account)
    ).result()
    assert result.properties.provisioning_state == "Succeeded"
    instance = sdk_clients.deviceupdate(emulator).instances.get(group, account, "instance1")
    assert instance.name == "instance1"
    assert (
        result.properties.outputs["hostName"]["value"]
        == sdk_clients.deviceupdate(emulator).accounts.get(group, account).host_name
    )
    medtech = client.deployments.begin_create_or_update(
        group, "medtech", _deployment(IOT_CONNECTOR, workspaceName=ws, location="eastus")
    ).result()
    assert medtech.properties.provisioning_state == "Succeeded"
    destination = sdk_clients.healthcare(emulator).iot_connector_fhir_destination.get(group, ws, "medtech", "dest")
    assert destination.fhir_service_resource_id.endswith(f"/workspaces/{ws}/fhirservices/fhir")


def test_nested_deployment(emulator: EmulatorProcess) -> None:
    client = sdk_clients.deployments(emulator)
    outer, inner, ws = _group(emulator), _group(emulator, "westus2"), unique("ws")
    result = client.deployments.begin_create_or_update(
        outer, "outer", _deployment(nested(inner), workspaceName=ws)
    ).result()
    assert result.properties.provisioning_state == "Succeeded"
    assert result.properties.outputs["innerGroup"]["value"] == inner
    assert client.deployments.get(inner, "inner").properties.provisioning_state == "Succeeded"
    assert sdk_clients.healthcare(emulator).workspaces.get(inner, ws).location == "westus2"


def test_subscription_scope_creates_a_group_and_deploys_into_it(emulator: EmulatorProcess) -> None:
    client = sdk_clients.deployments(emulator)
    name, group, ws = unique("sub"), unique("rg-"), unique("ws")
    body = _deployment(SUBSCRIPTION_GROUP_AND_WORKSPACE, groupName=group, workspaceName=ws)
    body["location"] = "eastus"
    result = client.deployments.begin_create_or_update_at_subscription_scope(name, body).result()
    assert result.properties.provisioning_state == "Succeeded", result.properties.error
    assert result.location == "eastus"
    assert result.properties.outputs["groupId"]["value"] == f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}"
    made = sdk_clients.resources(emulator).resource_groups.get(group)
    assert made.tags == {"purpose": "deployments-test"}
    assert sdk_clients.healthcare(emulator).workspaces.get(group, ws).location == "eastus"
    assert name in [d.name for d in client.deployments.list_at_subscription_scope()]
    operations = list(client.deployment_operations.list_at_subscription_scope(name))
    assert {op.properties.target_resource.resource_type for op in operations} == {
        "Microsoft.Resources/resourceGroups",
        "Microsoft.Resources/deployments",
    }
