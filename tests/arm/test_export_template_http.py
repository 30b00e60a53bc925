"""ResourceGroups_ExportTemplate over raw HTTP: a group's resources as an ARM template."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION, arm_path, unique

from arm_emulator.providers.healthcareapis.dicomservices import DICOM_SERVICES
from arm_emulator.providers.healthcareapis.workspaces import WORKSPACES

HC = "api-version=2024-03-31"
SCHEMA = "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#"


def _newest(resource_type: Any) -> str:
    return sorted(v for v in resource_type.api_versions if "preview" not in v)[-1]  # type: ignore[no-any-return]


def _export(http: httpx.Client, group: str, body: dict[str, Any]) -> httpx.Response:
    path = f"/subscriptions/{SUBSCRIPTION}/resourcegroups/{group}/exportTemplate?api-version=2025-04-01"
    return http.post(path, json=body)


@pytest.fixture
def workspace(http: httpx.Client, resource_group: str) -> str:
    name = unique("ws-")
    made = http.put(
        f"{arm_path(resource_group, 'workspaces', name)}?{HC}", json={"location": "eastus", "tags": {"a": "b"}}
    )
    assert made.status_code == 201, made.text
    dicom = arm_path(resource_group, "workspaces", name, "dicomservices", "dicom1")
    assert http.put(f"{dicom}?{HC}", json={"location": "eastus"}).status_code == 201
    return name


def test_export_parameterizes_names_and_children_depend_on_parents(
    http: httpx.Client, resource_group: str, workspace: str
) -> None:
    response = _export(http, resource_group, {"resources": ["*"], "options": "IncludeParameterDefaultValue"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"template"}
    template = body["template"]
    parameter = f"workspaces_{workspace.replace('-', '_')}_name"
    assert template["$schema"] == SCHEMA
    assert template["contentVersion"] == "1.0.0.0"
    assert template["parameters"] == {parameter: {"defaultValue": workspace, "type": "String"}}
    assert template["variables"] == {}
    stored = http.get(f"{arm_path(resource_group, 'workspaces', workspace)}?{HC}").json()
    expected_properties = {k: v for k, v in stored["properties"].items() if k != "provisioningState"}
    [first, second] = template["resources"]
    assert first == {
        "type": "Microsoft.HealthcareApis/workspaces",
        "apiVersion": _newest(WORKSPACES),
        "name": f"[parameters('{parameter}')]",
        "location": "eastus",
        "tags": {"a": "b"},
        "properties": expected_properties,
    }
    assert second["type"] == "Microsoft.HealthcareApis/workspaces/dicomservices"
    assert second["apiVersion"] == _newest(DICOM_SERVICES)
    assert second["name"] == f"[concat(parameters('{parameter}'), '/dicom1')]"
    assert second["dependsOn"] == [f"[resourceId('Microsoft.HealthcareApis/workspaces', parameters('{parameter}'))]"]
    assert "provisioningState" not in second["properties"]


def test_export_options_skip_parameters_and_add_comments(
    http: httpx.Client, resource_group: str, workspace: str
) -> None:
    workspace_id = arm_path(resource_group, "workspaces", workspace)
    response = _export(http, resource_group, {"resources": ["*"], "options": "skipAllParameterization,IncludeComments"})
    template = response.json()["template"]
    assert template["parameters"] == {}
    names = [(r["name"], r.get("dependsOn"), r["comments"]) for r in template["resources"]]
    assert names == [
        (workspace, None, f"Generalized from resource: '{workspace_id}'."),
        (
            f"{workspace}/dicom1",
            [f"[resourceId('Microsoft.HealthcareApis/workspaces', '{workspace}')]"],
            f"Generalized from resource: '{workspace_id}/dicomservices/dicom1'.",
        ),
    ]
    # Without IncludeParameterDefaultValue, parameters carry only their type.
    plain = _export(http, resource_group, {"resources": ["*"]}).json()["template"]
    assert list(plain["parameters"].values()) == [{"type": "String"}]


def test_export_of_chosen_ids_reports_the_missing_ones(http: httpx.Client, resource_group: str, workspace: str) -> None:
    workspace_id = arm_path(resource_group, "workspaces", workspace)
    missing = arm_path(resource_group, "workspaces", "nosuch")
    response = _export(http, resource_group, {"resources": [workspace_id.upper(), missing]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["type"] for r in body["template"]["resources"]] == ["Microsoft.HealthcareApis/workspaces"]
    assert body["error"]["code"] == "ExportTemplateCompletedWithErrors"
    assert [d["target"] for d in body["error"]["details"]] == [missing]


def test_export_errors(http: httpx.Client, resource_group: str) -> None:
    absent = _export(http, unique("nope"), {"resources": ["*"]})
    assert absent.status_code == 404
    assert absent.json()["error"]["code"] == "ResourceGroupNotFound"
    bad_option = _export(http, resource_group, {"resources": ["*"], "options": "IncludeEverything"})
    assert bad_option.status_code == 400
    assert bad_option.json()["error"]["code"] == "InvalidRequestContent"
    assert "IncludeEverything" in bad_option.json()["error"]["message"]
    bicep = _export(http, resource_group, {"resources": ["*"], "outputFormat": "Bicep"})
    assert bicep.status_code == 400
    assert bicep.json()["error"]["code"] == "InvalidOutputFormat"
    assert _export(http, resource_group, {"resources": "*"}).status_code == 400
    empty = _export(http, resource_group, {"resources": ["*"]})
    assert empty.status_code == 200
    assert empty.json()["template"]["resources"] == []
