"""The engine's quickstart-style templates (tests/templates/quickstarts: DICOM with Data Lake storage,
FHIR, Azure API for FHIR, Device Update, IoT connectors, nested deployments, languageVersion 2.0, a
subscription-scope group) deployed end to end through the emulator over HTTPS, each to Succeeded
with every output it declares. (What a_dicom_adls and d_deviceupdate_iothub read from storage and
the IoT hub is checked value by value in test_generic_types_http.)"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from conftest import REPO_ROOT, SUBSCRIPTION, unique
from deployment_templates import wait_for_status
from test_deployments_http import API, deployment_path

QUICKSTARTS = REPO_ROOT / "tests" / "templates" / "quickstarts"


def _parameters() -> dict[str, dict[str, Any]]:
    ws = unique("ws")
    return {
        "a_dicom_adls.json": {
            "workspaceName": ws,
            "dicomServiceName": "dicom1",
            "storageAccountName": unique("st"),
        },
        "b_fhir_service.json": {
            "workspaceName": ws,
            "fhirServiceName": "fhir1",
            "storageAccountName": unique("st"),
            "storageAccountConfirm": True,
        },
        "c_api_for_fhir.json": {"serviceName": unique("apifhir"), "location": "westeurope"},
        "d_deviceupdate_iothub.json": {"location": "westus2"},
        "e_deviceupdate_account.json": {},
        "f_fhir_import.json": {"prefix": "imp", "createWorkspace": True},
        "g_workspace_children.json": {"basename": unique("demo")},
        "h_iotconnector_iothub.json": {"basename": unique("m")[:10]},
        "i_iotconnector.json": {"workspaceName": ws},
        "j_workspace_symbolic.json": {"basename": unique("sym"), "storageName": unique("st")},
    }


@pytest.mark.parametrize("name", sorted(_parameters()))
def test_quickstart_deploys_to_succeeded(http: httpx.Client, resource_group: str, name: str) -> None:
    template = json.loads((QUICKSTARTS / name).read_text())
    parameters_given = _parameters()[name]
    if name == "j_workspace_symbolic.json":  # its storage account is `existing`: made first
        account = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{resource_group}/providers/Microsoft.Storage"
        made = http.put(
            f"{account}/storageAccounts/{parameters_given['storageName']}?api-version=2023-01-01",
            json={
                "location": "eastus",
                "kind": "StorageV2",
                "sku": {"name": "Standard_LRS"},
                # Stored generically: the endpoints Azure computes are given, as the template reads them.
                "properties": {"primaryEndpoints": {"blob": "https://st.blob.core.windows.net/"}},
            },
        )
        assert made.status_code in (200, 201), made.text
    declared = template.get("parameters", {})
    parameters = {k: {"value": v} for k, v in parameters_given.items() if k in declared}
    body = {"properties": {"mode": "Incremental", "template": template, "parameters": parameters}}
    created = http.put(f"{deployment_path(resource_group, 'qs')}?{API}", json=body)
    if created.status_code == 400:
        pytest.fail(f"{name}: {created.text}")
    assert created.status_code == 201, created.text
    status = wait_for_status(http, created.headers["azure-asyncoperation"])
    assert status["status"] == "Succeeded", json.dumps(status)[:2000]
    outputs = http.get(f"{deployment_path(resource_group, 'qs')}?{API}").json()["properties"].get("outputs") or {}
    assert set(outputs) == set(template.get("outputs", {})), outputs


def test_subscription_quickstart(http: httpx.Client) -> None:
    template = json.loads((QUICKSTARTS / "k_subscription_group.json").read_text())
    group, ws = unique("rg-qs-"), unique("ws")
    declared = template.get("parameters", {})
    parameters = {k: {"value": v} for k, v in {"groupName": group, "workspaceName": ws}.items() if k in declared}
    path = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Resources/deployments/{unique('qs')}?{API}"
    body = {"location": "eastus", "properties": {"mode": "Incremental", "template": template, "parameters": parameters}}
    created = http.put(path, json=body)
    assert created.status_code == 201, created.text
    status = wait_for_status(http, created.headers["azure-asyncoperation"])
    assert status["status"] == "Succeeded", json.dumps(status)[:2000]
