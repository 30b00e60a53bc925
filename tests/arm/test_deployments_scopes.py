"""The Deployments API at management-group and tenant scope on the wire (raw HTTPS): every verb the group
and subscription scopes serve, what managementGroup()/tenant() give a template there, nested deployments
into a subscription, and the ARM errors for what the emulator does not serve."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION, unique
from deployment_templates import subscription_group_deployment, values, wait_for_status

API = "api-version=2025-04-01"
MG_SCHEMA = "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
TENANT_SCHEMA = "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#"
DEPLOYMENTS = "/providers/Microsoft.Resources/deployments"


def management_group_scope(group: str) -> str:
    return f"/providers/Microsoft.Management/managementGroups/{group}"


def into_subscription(schema: str) -> dict[str, Any]:
    """A management-group or tenant template that deploys a resource group and a workspace into a
    subscription through a nested subscription-scope deployment, and reports where it ran."""
    return {
        "$schema": schema,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "subscriptionId": {"type": "string"},
            "groupName": {"type": "string"},
            "workspaceName": {"type": "string"},
            "nestedName": {"type": "string", "defaultValue": "[concat('into-', parameters('groupName'))]"},
        },
        "resources": [subscription_group_deployment("[parameters('nestedName')]", "[parameters('subscriptionId')]")],
        "outputs": {
            "tenantId": {"type": "string", "value": "[tenant().tenantId]"},
            "groupId": {
                "type": "string",
                "value": "[reference(subscriptionResourceId(parameters('subscriptionId'), "
                "'Microsoft.Resources/deployments', parameters('nestedName'))).outputs.groupId.value]",
            },
        },
    }


def body(template: dict[str, Any], location: str | None = "eastus", **parameters: Any) -> dict[str, Any]:
    deployment: dict[str, Any] = {
        "properties": {"mode": "Incremental", "template": template, "parameters": values(**parameters)}
    }
    if location:
        deployment["location"] = location
    return deployment


@pytest.fixture(params=["management-group", "tenant"])
def scope(request: pytest.FixtureRequest) -> str:
    return management_group_scope(unique("mg")) if request.param == "management-group" else ""


def test_every_verb_at_management_group_and_tenant_scope(http: httpx.Client, scope: str) -> None:
    schema = MG_SCHEMA if scope else TENANT_SCHEMA
    name, group, ws = unique("dep"), unique("rg-"), unique("ws")
    one = f"{scope}{DEPLOYMENTS}/{name}"
    deployment = body(into_subscription(schema), subscriptionId=SUBSCRIPTION, groupName=group, workspaceName=ws)

    validated = http.post(f"{one}/validate?{API}", json=deployment)
    assert validated.status_code == 200, validated.text
    assert validated.json()["id"] == one
    what_if = http.post(f"{one}/whatIf?{API}", json=deployment)
    assert what_if.status_code == 200, what_if.text
    assert what_if.json()["status"] == "Succeeded"
    assert http.head(f"{one}?{API}").status_code == 404  # validate and what-if write nothing

    created = http.put(f"{one}?{API}", json=deployment)
    assert created.status_code == 201, created.text
    assert created.json()["location"] == "eastus"
    assert "retry-after" in created.headers
    assert wait_for_status(http, created.headers["azure-asyncoperation"])["status"] == "Succeeded"

    shown = http.get(f"{one}?{API}").json()
    assert shown["id"] == one and shown["type"] == "Microsoft.Resources/deployments"
    assert shown["properties"]["provisioningState"] == "Succeeded", shown
    outputs = shown["properties"]["outputs"]
    assert outputs["groupId"]["value"] == f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}"
    assert len(outputs["tenantId"]["value"]) == 36
    # the nested deployment ran at subscription scope and made the group and the workspace
    nested = http.get(f"/subscriptions/{SUBSCRIPTION}{DEPLOYMENTS}/into-{group}?{API}").json()
    assert nested["properties"]["provisioningState"] == "Succeeded"
    assert http.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01").status_code == 200
    workspace = (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.HealthcareApis/workspaces/{ws}"
    )
    assert http.get(f"{workspace}?api-version=2024-03-31").status_code == 200

    assert http.head(f"{one}?{API}").status_code == 204
    assert name in [d["name"] for d in http.get(f"{scope}{DEPLOYMENTS}/?{API}").json()["value"]]
    assert name in [d["name"] for d in http.get(f"{scope}{DEPLOYMENTS}?{API}").json()["value"]]
    operations = http.get(f"{one}/operations?{API}").json()["value"]
    assert [op["properties"]["targetResource"]["resourceName"] for op in operations] == [f"into-{group}"]
    assert operations[0]["id"].startswith(f"{one}/operations/")
    single = http.get(f"{one}/operations/{operations[0]['operationId']}?{API}")
    assert single.status_code == 200 and single.json() == operations[0]
    exported = http.post(f"{one}/exportTemplate?{API}")
    assert exported.status_code == 200 and exported.json()["template"]["$schema"] == schema
    refused = http.post(f"{one}/cancel?{API}")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "DeploymentCannotBeCancelled"

    deleted = http.delete(f"{one}?{API}")
    assert deleted.status_code == 202
    assert http.get(deleted.headers["location"]).status_code == 204
    assert http.get(f"{one}?{API}").status_code == 404
    assert http.get(f"{workspace}?api-version=2024-03-31").status_code == 200  # the record goes, not what it made


def test_management_group_function_and_its_absence_elsewhere(http: httpx.Client) -> None:
    group = unique("mg")
    template = {
        "$schema": MG_SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [],
        "outputs": {"group": {"type": "object", "value": "[managementGroup()]"}},
    }
    one = f"{management_group_scope(group)}{DEPLOYMENTS}/{unique('dep')}"
    created = http.put(f"{one}?{API}", json=body(template))
    assert created.status_code == 201, created.text
    assert wait_for_status(http, created.headers["azure-asyncoperation"])["status"] == "Succeeded"
    value = http.get(f"{one}?{API}").json()["properties"]["outputs"]["group"]["value"]
    assert value["id"] == management_group_scope(group)
    assert value["name"] == group and value["type"] == "Microsoft.Management/managementGroups"

    # resourceGroup() has no meaning at management-group scope: the preflight refuses it
    template = {
        "$schema": MG_SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "[resourceGroup().name]",
                "location": "eastus",
                "properties": {"mode": "Incremental", "template": {"resources": []}},
            }
        ],
    }
    refused = http.put(f"{one}x?{API}", json=body(template))
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "InvalidTemplate"
    assert "resourceGroup" in refused.json()["error"]["message"]


def test_resources_at_unserved_scopes_are_refused_before_anything_is_written(http: httpx.Client) -> None:
    group = unique("rg-")
    template = into_subscription(TENANT_SCHEMA)
    template["resources"].append(
        {
            "type": "Microsoft.Management/managementGroups",
            "apiVersion": "2021-04-01",
            "name": unique("newmg"),
            "properties": {},
        }
    )
    one = f"{DEPLOYMENTS}/{unique('dep')}"
    deployment = body(template, subscriptionId=SUBSCRIPTION, groupName=group, workspaceName=unique("ws"))
    for method, path in (("PUT", one), ("POST", f"{one}/validate"), ("POST", f"{one}/whatIf")):
        refused = http.request(method, f"{path}?{API}", json=deployment)
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["code"] == "InvalidTemplateDeployment"
        assert error["details"][0]["code"] == "UnsupportedResourceScope"
        assert error["details"][0]["target"].startswith("/providers/Microsoft.Management/managementGroups/")
    assert http.get(f"{one}?{API}").status_code == 404
    assert http.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01").status_code == 404


@pytest.mark.parametrize("mode", ["Incremental", "Complete"])
def test_location_and_mode_are_checked_at_management_group_and_tenant_scope(
    http: httpx.Client, scope: str, mode: str
) -> None:
    template = {"$schema": TENANT_SCHEMA, "contentVersion": "1.0.0.0", "resources": []}
    one = f"{scope}{DEPLOYMENTS}/{unique('dep')}"
    if mode == "Incremental":
        refused = http.put(f"{one}?{API}", json=body(template, location=None))
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "InvalidDeployment"
        assert "location" in refused.json()["error"]["message"]
    else:
        deployment = body(template)
        deployment["properties"]["mode"] = mode
        refused = http.put(f"{one}?{API}", json=deployment)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "InvalidDeploymentMode"
    assert http.get(f"{one}?{API}").status_code == 404


def test_unknown_deployments_answer_404_at_management_group_and_tenant_scope(http: httpx.Client, scope: str) -> None:
    one = f"{scope}{DEPLOYMENTS}/{unique('none')}"
    missing = http.get(f"{one}?{API}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "DeploymentNotFound"
    assert http.get(f"{one}/operations?{API}").status_code == 404
    assert http.delete(f"{one}?{API}").status_code == 204


def test_a_tenant_deployment_deploys_into_a_management_group_and_on_into_a_subscription(http: httpx.Client) -> None:
    group_id, group, ws = unique("mg"), unique("rg-"), unique("ws")
    inner = into_subscription(MG_SCHEMA)
    inner["outputs"]["group"] = {"type": "string", "value": "[managementGroup().name]"}
    template = {
        "$schema": TENANT_SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "into-management-group",
                "scope": f"Microsoft.Management/managementGroups/{group_id}",
                "location": "eastus",
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": values(subscriptionId=SUBSCRIPTION, groupName=group, workspaceName=ws),
                    "template": inner,
                },
            }
        ],
        "outputs": {
            "group": {
                "type": "string",
                "value": f"[reference('/providers/Microsoft.Management/managementGroups/{group_id}"
                "/providers/Microsoft.Resources/deployments/into-management-group').outputs.group.value]",
            }
        },
    }
    one = f"{DEPLOYMENTS}/{unique('dep')}"
    created = http.put(f"{one}?{API}", json=body(template))
    assert created.status_code == 201, created.text
    assert wait_for_status(http, created.headers["azure-asyncoperation"])["status"] == "Succeeded"
    assert http.get(f"{one}?{API}").json()["properties"]["outputs"]["group"]["value"] == group_id
    middle = http.get(f"{management_group_scope(group_id)}{DEPLOYMENTS}/into-management-group?{API}").json()
    assert middle["properties"]["provisioningState"] == "Succeeded"
    assert middle["properties"]["outputs"]["groupId"]["value"].endswith(f"/resourceGroups/{group}")
    workspace = (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.HealthcareApis/workspaces/{ws}"
    )
    assert http.get(f"{workspace}?api-version=2024-03-31").status_code == 200
