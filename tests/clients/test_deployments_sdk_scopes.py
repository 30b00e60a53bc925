"""azure-mgmt-resource-deployments' DeploymentsMgmtClient at its default api-version over HTTPS, at
management-group and tenant scope (`*_at_management_group_scope`, `*_at_tenant_scope`) and through the
generic `*_at_scope` methods (`/{scope}/providers/Microsoft.Resources/deployments/...`)."""

from __future__ import annotations

from typing import Any

import pytest
import sdk_clients
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from conftest import SUBSCRIPTION, unique
from deployment_templates import plain, subscription_group_deployment, values, workspace
from emulator_process import EmulatorProcess
from sdk_clients import Recorder

MG_SCHEMA = "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
TENANT_SCHEMA = "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#"


def into_subscription(schema: str, nested_name: str) -> dict[str, Any]:
    """A management-group or tenant template: a nested subscription-scope deployment that makes a resource
    group and a workspace, and managementGroup()/tenant() read back."""
    return {
        "$schema": schema,
        "contentVersion": "1.0.0.0",
        "parameters": {"groupName": {"type": "string"}, "workspaceName": {"type": "string"}},
        "resources": [subscription_group_deployment(nested_name, SUBSCRIPTION)],
        "outputs": {"tenantId": {"type": "string", "value": "[tenant().tenantId]"}},
    }


def scoped(template: dict[str, Any], **parameters: Any) -> dict[str, Any]:
    return {
        "location": "eastus",
        "properties": {"mode": "Incremental", "template": template, "parameters": values(**parameters)},
    }


@pytest.mark.parametrize("level", ["management_group", "tenant"])
def test_management_group_and_tenant_scope_methods(emulator: EmulatorProcess, level: str) -> None:
    recorder = Recorder()
    client = sdk_clients.deployments(emulator, per_call_policies=[recorder])
    operations, deployment_operations = client.deployments, client.deployment_operations
    group_id = unique("mg")
    at = (group_id,) if level == "management_group" else ()
    suffix = f"_at_{level}_scope"

    def call(verb: str, *args: Any, on: Any = operations) -> Any:
        return getattr(on, f"{verb}{suffix}")(*at, *args)

    name, group, ws = unique("dep"), unique("rg-"), unique("ws")
    template = into_subscription(MG_SCHEMA if at else TENANT_SCHEMA, f"into-{group}")
    body = scoped(template, groupName=group, workspaceName=ws)

    validated = call("begin_validate", name, body).result()
    assert validated.properties.provisioning_state == "Succeeded"
    assert call("begin_what_if", name, body).result().status == "Succeeded"
    assert call("check_existence", name) is False

    created = call("begin_create_or_update", name, body).result()
    assert created.properties.provisioning_state == "Succeeded"
    expected_scope = f"/providers/Microsoft.Management/managementGroups/{group_id}" if at else ""
    assert created.id == f"{expected_scope}/providers/Microsoft.Resources/deployments/{name}"
    assert created.location == "eastus"
    assert len(created.properties.outputs["tenantId"]["value"]) == 36
    ws_client = sdk_clients.healthcare(emulator)
    assert ws_client.workspaces.get(group, ws).name == ws

    assert call("get", name).properties.provisioning_state == "Succeeded"
    assert call("check_existence", name) is True
    assert name in [d.name for d in call("list")]
    listed_operations = list(call("list", name, on=deployment_operations))
    assert [op.properties.target_resource.resource_name for op in listed_operations] == [f"into-{group}"]
    one = call("get", name, listed_operations[0].operation_id, on=deployment_operations)
    assert one.properties.provisioning_state == "Succeeded"
    assert call("export_template", name).template["$schema"] == template["$schema"]
    with pytest.raises(HttpResponseError) as refused:
        call("cancel", name)
    assert refused.value.status_code == 409
    call("begin_delete", name).result()
    with pytest.raises(ResourceNotFoundError):
        call("get", name)
    assert recorder.api_versions() == {"2026-06-01"}


def test_generic_scope_methods_serve_every_scope(emulator: EmulatorProcess) -> None:
    recorder = Recorder()
    client = sdk_clients.deployments(emulator, per_call_policies=[recorder])
    group = unique("rg-")
    sdk_clients.resources(emulator).resource_groups.create_or_update(group, {"location": "eastus"})
    group_template = plain(workspace("[parameters('name')]"), name="x")
    group_body = {
        "properties": {"mode": "Incremental", "template": group_template, "parameters": values(name=unique("ws"))}
    }
    mg_template = {
        "$schema": MG_SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [],
        "outputs": {"group": {"type": "string", "value": "[managementGroup().name]"}},
    }
    scopes = {
        f"subscriptions/{SUBSCRIPTION}/resourceGroups/{group}": group_body,
        f"/subscriptions/{SUBSCRIPTION}": scoped(plain()),  # an id with its leading slash works too
        "": scoped(plain()),  # the tenant
        f"providers/Microsoft.Management/managementGroups/{unique('mg')}": scoped(mg_template),
    }
    deployments = client.deployments
    for scope, body in scopes.items():
        name = unique("dep")
        assert (
            deployments.begin_validate_at_scope(scope, name, body).result().properties.provisioning_state == "Succeeded"
        )
        created = deployments.begin_create_or_update_at_scope(scope, name, body).result()
        assert created.properties.provisioning_state == "Succeeded", created.properties.error
        scope_id = f"/{scope.strip('/')}" if scope else ""
        assert created.id == f"{scope_id}/providers/Microsoft.Resources/deployments/{name}"
        assert deployments.get_at_scope(scope, name).name == name
        assert deployments.check_existence_at_scope(scope, name) is True
        assert name in [d.name for d in deployments.list_at_scope(scope)]
        assert deployments.export_template_at_scope(scope, name).template == body["properties"]["template"]
        operations = list(client.deployment_operations.list_at_scope(scope, name))
        for operation in operations:
            got = client.deployment_operations.get_at_scope(scope, name, operation.operation_id)
            assert got.operation_id == operation.operation_id
        with pytest.raises(HttpResponseError) as refused:
            deployments.cancel_at_scope(scope, name)
        assert refused.value.status_code == 409
        deployments.begin_delete_at_scope(scope, name).result()
        assert deployments.check_existence_at_scope(scope, name) is False
        if scope.startswith("providers/"):
            assert created.properties.outputs["group"]["value"] == scope.rsplit("/", 1)[1]
    assert recorder.api_versions() == {"2026-06-01"}
