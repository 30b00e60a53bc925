"""The Deployments API on the wire (raw HTTPS): status codes, headers, shapes and errors, templates
run through the real handlers, and hostile bodies and templates."""

from __future__ import annotations

import copy
import json
import re
import signal
import time
from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION, unique
from deployment_templates import (
    DEVICE_UPDATE,
    IOT_CONNECTOR,
    WORKSPACE_FHIR_DICOM,
    account_then_workspace,
    nested,
    plain,
    slow_account,
    values,
    wait_for_status,
    workspace,
)
from emulator_process import EmulatorProcess

API = "api-version=2025-04-01"
HEALTH = "api-version=2024-03-31"


def group_path(group: str) -> str:
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}"


def deployment_path(group: str, name: str, suffix: str = "") -> str:
    return f"{group_path(group)}/providers/Microsoft.Resources/deployments/{name}{suffix}"


def start(http: httpx.Client, group: str, name: str, template: dict[str, Any], **body: Any) -> httpx.Response:
    properties = {"mode": "Incremental", "template": template, **body.pop("properties", {})}
    return http.put(f"{deployment_path(group, name)}?{API}", json={"properties": properties, **body})


def deploy(http: httpx.Client, group: str, name: str, template: dict[str, Any], **body: Any) -> dict[str, Any]:
    created = start(http, group, name, template, **body)
    assert created.status_code in (200, 201), created.text
    wait_for_status(http, created.headers["azure-asyncoperation"])
    shown = http.get(f"{deployment_path(group, name)}?{API}")
    assert shown.status_code == 200
    result: dict[str, Any] = shown.json()
    return result


def health(group: str, *pairs: str) -> str:
    return f"{group_path(group)}/providers/Microsoft.HealthcareApis/" + "/".join(pairs) + f"?{HEALTH}"


# -- create, the LRO, and what a finished deployment shows ----------------------------------------------


def test_create_is_an_lro_and_deploys_workspace_fhir_and_dicom(http: httpx.Client, resource_group: str) -> None:
    ws = unique("ws")
    created = start(
        http, resource_group, "hds", WORKSPACE_FHIR_DICOM, properties={"parameters": values(workspaceName=ws)}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"] == deployment_path(resource_group, "hds")
    assert body["name"] == "hds"
    assert body["type"] == "Microsoft.Resources/deployments"
    assert body["properties"]["provisioningState"] == "Accepted"
    assert created.headers["retry-after"] == "1"
    status_url = httpx.URL(created.headers["azure-asyncoperation"])
    assert status_url.scheme == "https"
    assert re.fullmatch(
        rf"{deployment_path(resource_group, 'hds')}/operationStatuses/[-0-9a-f]{{36}}", status_url.path
    ), status_url
    assert wait_for_status(http, str(status_url)) == {"status": "Succeeded"}

    shown = http.get(f"{deployment_path(resource_group, 'hds')}?{API}").json()
    properties = shown["properties"]
    assert properties["provisioningState"] == "Succeeded"
    assert properties["mode"] == "Incremental"
    assert re.fullmatch(r"PT(\d+M)?\d+(\.\d+)?S", properties["duration"]), properties["duration"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", properties["timestamp"])
    assert properties["templateHash"].isdigit()
    assert properties["correlationId"]
    assert properties["parameters"]["workspaceName"] == {"type": "String", "value": ws}
    assert properties["parameters"]["environment"] == {"type": "String", "value": "dev"}
    # The outputs come from the resources as the handlers made them.
    fhir = http.get(health(resource_group, "workspaces", ws, "fhirservices", "fhir1")).json()
    dicom = http.get(health(resource_group, "workspaces", ws, "dicomservices", "dicom1")).json()
    assert properties["outputs"] == {
        "workspaceId": {
            "type": "String",
            "value": f"{group_path(resource_group)}/providers/Microsoft.HealthcareApis/workspaces/{ws}",
        },
        "fhirAudience": {"type": "String", "value": f"https://{ws}-fhir1.fhir.azurehealthcareapis.com"},
        "dicomServiceUrl": {"type": "String", "value": dicom["properties"]["serviceUrl"]},
    }
    assert (
        fhir["properties"]["authenticationConfiguration"]["audience"] == properties["outputs"]["fhirAudience"]["value"]
    )
    assert fhir["identity"]["principalId"]  # computed by the FHIR handler, as for a direct PUT
    assert {r["id"].rsplit("/", 1)[1] for r in properties["outputResources"]} == {ws, "fhir1", "dicom1"}
    assert properties["providers"][0]["namespace"] == "Microsoft.HealthcareApis"
    dependency = {d["resourceName"]: d for d in properties["dependencies"]}
    assert dependency[f"{ws}/fhir1"]["dependsOn"][0]["resourceName"] == ws


def test_deployment_operations_at_both_paths(http: httpx.Client, resource_group: str) -> None:
    ws = unique("ws")
    deploy(http, resource_group, "ops", WORKSPACE_FHIR_DICOM, properties={"parameters": values(workspaceName=ws)})
    short = f"{group_path(resource_group)}/deployments/ops/operations?{API}"
    full = f"{deployment_path(resource_group, 'ops')}/operations?{API}"
    listed = http.get(short)
    assert listed.status_code == 200
    operations = listed.json()["value"]
    assert http.get(full).json()["value"] == operations
    assert len(operations) == 3
    for operation in operations:
        assert re.fullmatch(r"[0-9A-F]{16}", operation["operationId"])
        assert operation["id"] == f"{deployment_path(resource_group, 'ops')}/operations/{operation['operationId']}"
        properties = operation["properties"]
        assert properties["provisioningOperation"] == "Create"
        assert properties["provisioningState"] == "Succeeded"
        assert properties["statusCode"] in ("OK", "Created")
        assert re.fullmatch(r"PT(\d+M)?\d+(\.\d+)?S", properties["duration"])
        assert properties["trackingId"] and properties["serviceRequestId"] and properties["timestamp"]
        assert properties["targetResource"]["apiVersion"] == "2024-03-31"
        assert properties["targetResource"]["resourceType"].startswith("Microsoft.HealthcareApis/workspaces")
    one = operations[0]["operationId"]
    got = http.get(f"{group_path(resource_group)}/deployments/ops/operations/{one}?{API}")
    assert got.status_code == 200 and got.json() == operations[0]
    assert http.get(f"{deployment_path(resource_group, 'ops')}/operations/{one}?{API}").json() == operations[0]
    missing = http.get(f"{group_path(resource_group)}/deployments/ops/operations/0000000000000000?{API}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "DeploymentOperationNotFound"
    # The SDK's casing (`resourcegroups`) and the deployment's own journal of requests: every write
    # went through the front door.
    lower = http.get(f"/subscriptions/{SUBSCRIPTION}/resourcegroups/{resource_group}/deployments/ops/operations?{API}")
    assert lower.status_code == 200


def test_second_put_answers_200_and_replaces_the_run(http: httpx.Client, resource_group: str) -> None:
    template = plain(workspace(unique("ws")))
    deploy(http, resource_group, "again", template)
    again = start(http, resource_group, "again", template)
    assert again.status_code == 200
    assert again.json()["properties"]["provisioningState"] == "Accepted"
    assert wait_for_status(http, again.headers["azure-asyncoperation"])["status"] == "Succeeded"
    assert http.head(f"{deployment_path(resource_group, 'again')}?{API}").status_code == 204
    assert http.head(f"{deployment_path(resource_group, 'nope')}?{API}").status_code == 404
    missing = http.get(f"{deployment_path(resource_group, 'nope')}?{API}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "DeploymentNotFound"


def test_device_update_account_and_instance(http: httpx.Client, resource_group: str) -> None:
    account = unique("adu")
    shown = deploy(http, resource_group, "adu", DEVICE_UPDATE, properties={"parameters": values(accountName=account)})
    assert shown["properties"]["provisioningState"] == "Succeeded", shown["properties"].get("error")
    du = f"{group_path(resource_group)}/providers/Microsoft.DeviceUpdate/accounts/{account}"
    got = http.get(f"{du}?api-version=2023-07-01").json()
    assert shown["properties"]["outputs"]["hostName"]["value"] == got["properties"]["hostName"]
    assert http.get(f"{du}/instances/instance1?api-version=2023-07-01").status_code == 200


def test_iot_connector_and_fhir_destination(http: httpx.Client, resource_group: str) -> None:
    ws = unique("ws")
    shown = deploy(http, resource_group, "medtech", IOT_CONNECTOR, properties={"parameters": values(workspaceName=ws)})
    assert shown["properties"]["provisioningState"] == "Succeeded", shown["properties"].get("error")
    destination = http.get(
        health(resource_group, "workspaces", ws, "iotconnectors", "medtech", "fhirdestinations", "dest")
    )
    assert destination.status_code == 200
    assert destination.json()["properties"]["fhirServiceResourceId"].endswith(f"/workspaces/{ws}/fhirservices/fhir")


def test_nested_deployment_is_a_real_deployment(http: httpx.Client, resource_group: str) -> None:
    inner_group = unique("rg-inner-")
    assert (
        http.put(f"{group_path(inner_group)}?api-version=2021-04-01", json={"location": "westus2"}).status_code == 201
    )
    ws = unique("ws")
    shown = deploy(
        http, resource_group, "outer", nested(inner_group), properties={"parameters": values(workspaceName=ws)}
    )
    assert shown["properties"]["provisioningState"] == "Succeeded", shown["properties"].get("error")
    assert shown["properties"]["outputs"]["innerGroup"]["value"] == inner_group
    inner = http.get(f"{deployment_path(inner_group, 'inner')}?{API}").json()
    assert inner["properties"]["provisioningState"] == "Succeeded"
    got = http.get(health(inner_group, "workspaces", ws)).json()
    assert got["location"] == "westus2"


# -- failures ---------------------------------------------------------------------------------------------


def test_a_failing_resource_fails_the_deployment_with_its_error(http: httpx.Client, resource_group: str) -> None:
    ws = unique("ws")
    orphan = {
        "type": "Microsoft.HealthcareApis/workspaces/fhirservices",
        "apiVersion": "2024-03-31",
        "name": f"{unique('nows')}/fhir",
        "location": "eastus",
        "kind": "fhir-R4",
        "properties": {},
    }
    created = start(http, resource_group, "broken", plain(workspace(ws), orphan))
    status = wait_for_status(http, created.headers["azure-asyncoperation"])
    assert status["status"] == "Failed"
    error = status["error"]
    assert error["code"] == "DeploymentFailed"
    assert error["message"] == (
        "At least one resource deployment operation failed. Please list deployment operations for details. "
        "Please see https://aka.ms/arm-deployment-operations for usage details."
    )
    assert [d["code"] for d in error["details"]] == ["ParentResourceNotFound"]
    shown = http.get(f"{deployment_path(resource_group, 'broken')}?{API}").json()
    assert shown["properties"]["provisioningState"] == "Failed"
    assert shown["properties"]["error"] == error
    operations = http.get(f"{group_path(resource_group)}/deployments/broken/operations?{API}").json()["value"]
    by_state = {op["properties"]["provisioningState"]: op["properties"] for op in operations}
    assert by_state["Succeeded"]["targetResource"]["resourceName"] == ws
    failed = by_state["Failed"]
    assert failed["statusCode"] == "NotFound"
    assert failed["statusMessage"]["error"]["code"] == "ParentResourceNotFound"


def test_a_read_only_lock_fails_each_write_with_scope_locked(http: httpx.Client, resource_group: str) -> None:
    lock = f"{group_path(resource_group)}/providers/Microsoft.Authorization/locks/ro?api-version=2020-05-01"
    assert http.put(lock, json={"properties": {"level": "ReadOnly"}}).status_code in (200, 201)
    try:
        created = start(http, resource_group, "locked", plain(workspace(unique("ws"))))
        assert created.status_code == 201, created.text
        status = wait_for_status(http, created.headers["azure-asyncoperation"])
        assert status["status"] == "Failed"
        assert [d["code"] for d in status["error"]["details"]] == ["ScopeLocked"]
    finally:
        assert http.delete(lock).status_code in (200, 204)


def test_validate(http: httpx.Client, resource_group: str) -> None:
    ws = unique("ws")
    body = {
        "properties": {"mode": "Incremental", "template": WORKSPACE_FHIR_DICOM, "parameters": values(workspaceName=ws)}
    }
    valid = http.post(f"{deployment_path(resource_group, 'v1', '/validate')}?{API}", json=body)
    assert valid.status_code == 200, valid.text
    result = valid.json()
    assert result["properties"]["provisioningState"] == "Succeeded"
    assert "error" not in result
    assert len(result["properties"]["validatedResources"]) == 3
    # Nothing was written: no deployment, no resources.
    assert http.get(f"{deployment_path(resource_group, 'v1')}?{API}").status_code == 404
    assert http.get(health(resource_group, "workspaces", ws)).status_code == 404

    missing = {"properties": {"mode": "Incremental", "template": WORKSPACE_FHIR_DICOM}}
    refused = http.post(f"{deployment_path(resource_group, 'v1', '/validate')}?{API}", json=missing)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "InvalidTemplate"
    assert "workspaceName" in error["message"]
    not_allowed = copy.deepcopy(body)
    not_allowed["properties"]["parameters"]["environment"] = {"value": "staging"}
    refused = http.post(f"{deployment_path(resource_group, 'v1', '/validate')}?{API}", json=not_allowed)
    assert refused.status_code == 400 and "staging" in refused.json()["error"]["message"]


# -- what-if ----------------------------------------------------------------------------------------------


def test_what_if(http: httpx.Client, resource_group: str) -> None:
    existing, other = unique("ws"), unique("ws")
    deploy(http, resource_group, "base", plain(workspace(existing, tags={"env": "dev"}), workspace(other)))
    new = unique("ws")
    template = plain(workspace(existing, tags={"env": "prod"}), workspace(new))
    body = {"properties": {"mode": "Incremental", "template": template}}
    answered = http.post(f"{deployment_path(resource_group, 'wi', '/whatIf')}?{API}", json=body)
    assert answered.status_code == 200, answered.text
    result = answered.json()
    assert result["status"] == "Succeeded"
    changes = {c["resourceId"].rsplit("/", 1)[1]: c for c in result["properties"]["changes"]}
    assert changes[new]["changeType"] == "Create"
    assert changes[new]["after"]["apiVersion"] == "2024-03-31"
    modify = changes[existing]
    assert modify["changeType"] == "Modify"
    assert modify["before"]["apiVersion"] == "2024-03-31"
    assert modify["delta"] == [{"path": "tags.env", "propertyChangeType": "Modify", "before": "dev", "after": "prod"}]
    assert changes[other]["changeType"] == "Ignore"
    # Complete mode would delete what the template leaves out; the lower-case route is the same.
    body["properties"]["mode"] = "Complete"
    complete = http.post(f"{deployment_path(resource_group, 'wi', '/whatif')}?{API}", json=body).json()
    changes = {c["resourceId"].rsplit("/", 1)[1]: c["changeType"] for c in complete["properties"]["changes"]}
    assert changes[other] == "Delete"
    # Nothing was written.
    assert http.get(health(resource_group, "workspaces", new)).status_code == 404
    assert http.get(health(resource_group, "workspaces", existing)).json()["tags"] == {"env": "dev"}
    same = {"properties": {"mode": "Incremental", "template": plain(workspace(other))}}
    unchanged = http.post(f"{deployment_path(resource_group, 'wi', '/whatIf')}?{API}", json=same).json()
    assert {c["resourceId"].rsplit("/", 1)[1]: c["changeType"] for c in unchanged["properties"]["changes"]}[
        other
    ] == "NoChange"


# -- list, delete, cancel, export --------------------------------------------------------------------------


def test_what_if_marks_bodies_that_need_deployed_values_unsupported(http: httpx.Client, resource_group: str) -> None:
    first, second = unique("ws"), unique("ws")
    reads_first = workspace(
        second,
        tags={"state": f"[reference(resourceId('Microsoft.HealthcareApis/workspaces', '{first}')).provisioningState]"},
    )
    body = {"properties": {"mode": "Incremental", "template": plain(workspace(first), reads_first)}}
    result = http.post(f"{deployment_path(resource_group, 'wi2', '/whatIf')}?{API}", json=body).json()
    changes = {c["resourceId"].rsplit("/", 1)[1]: c for c in result["properties"]["changes"]}
    assert changes[first]["changeType"] == "Create"
    assert changes[second]["changeType"] == "Unsupported"
    assert changes[second]["unsupportedReason"]


def test_list_with_filter_top_and_next_link(http: httpx.Client, resource_group: str) -> None:
    deploy(http, resource_group, "one", plain(workspace(unique("ws"))))
    deploy(http, resource_group, "two", plain(workspace(unique("ws"))))
    bad = dict(workspace("x"), type="Microsoft.HealthcareApis/workspaces/fhirservices", name="nows/fhir")
    deploy(http, resource_group, "three", plain(bad))
    base = f"{group_path(resource_group)}/providers/Microsoft.Resources/deployments"
    with_slash = http.get(f"{base}/?{API}").json()
    assert [d["name"] for d in with_slash["value"]] == ["one", "two", "three"]
    assert http.get(f"{base}?{API}").json() == with_slash
    assert all(d["properties"]["timestamp"] for d in with_slash["value"])
    failed = http.get(f"{base}/", params={"api-version": "2025-04-01", "$filter": "provisioningState eq 'Failed'"})
    assert [d["name"] for d in failed.json()["value"]] == ["three"]
    first = http.get(f"{base}/", params={"api-version": "2025-04-01", "$top": "2"}).json()
    assert [d["name"] for d in first["value"]] == ["one", "two"]
    rest = http.get(first["nextLink"]).json()
    assert [d["name"] for d in rest["value"]] == ["three"] and "nextLink" not in rest
    refused = http.get(f"{base}/", params={"api-version": "2025-04-01", "$filter": "name eq 'x'"})
    assert refused.status_code == 400


def test_delete_removes_the_record_not_the_resources(http: httpx.Client, resource_group: str) -> None:
    ws = unique("ws")
    deploy(http, resource_group, "gone", plain(workspace(ws)))
    deleted = http.delete(f"{deployment_path(resource_group, 'gone')}?{API}")
    assert deleted.status_code == 202
    assert deleted.headers["retry-after"] == "1"
    assert http.get(deleted.headers["location"]).status_code == 204
    assert http.get(f"{deployment_path(resource_group, 'gone')}?{API}").status_code == 404
    assert http.get(f"{group_path(resource_group)}/deployments/gone/operations?{API}").status_code == 404
    assert http.get(health(resource_group, "workspaces", ws)).status_code == 200
    assert http.delete(f"{deployment_path(resource_group, 'gone')}?{API}").status_code == 204


def test_a_deleted_group_takes_its_deployments_with_it(http: httpx.Client) -> None:
    group = unique("rg-")
    assert http.put(f"{group_path(group)}?api-version=2021-04-01", json={"location": "eastus"}).status_code == 201
    deploy(http, group, "history", plain(workspace(unique("ws"))))
    deleted = http.delete(f"{group_path(group)}?api-version=2021-04-01")
    assert deleted.status_code == 202
    while http.get(deleted.headers["location"]).status_code == 202:
        time.sleep(0.02)
    assert http.put(f"{group_path(group)}?api-version=2021-04-01", json={"location": "eastus"}).status_code == 201
    assert http.get(f"{deployment_path(group, '')}?{API}").json()["value"] == []


def test_export_template(http: httpx.Client, resource_group: str) -> None:
    template = plain(workspace(unique("ws")))
    deploy(http, resource_group, "exp", template)
    exported = http.post(f"{deployment_path(resource_group, 'exp', '/exportTemplate')}?{API}")
    assert exported.status_code == 200
    assert exported.json() == {"template": template}


def test_cancel_a_running_deployment(http: httpx.Client, resource_group: str) -> None:
    created = start(http, resource_group, "slow", plain(slow_account(unique("adu"))))
    assert created.status_code == 201
    path = deployment_path(resource_group, "slow")
    deadline = time.monotonic() + 10
    while http.get(f"{path}?{API}").json()["properties"]["provisioningState"] != "Running":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert http.get(created.headers["azure-asyncoperation"]).json() == {"status": "Running"}
    refused = http.delete(f"{path}?{API}")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "DeploymentActive"
    busy = start(http, resource_group, "slow", plain(workspace(unique("ws"))))
    assert busy.status_code == 409
    canceled = http.post(f"{path}/cancel?{API}")
    assert canceled.status_code == 204, canceled.text
    assert http.get(f"{path}?{API}").json()["properties"]["provisioningState"] == "Canceled"
    assert http.get(created.headers["azure-asyncoperation"]).json()["status"] == "Canceled"
    again = http.post(f"{path}/cancel?{API}")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "DeploymentCannotBeCancelled"
    operations = http.get(f"{path}/operations?{API}").json()["value"]
    assert [op["properties"]["provisioningState"] for op in operations] == ["Canceled"]
    assert http.delete(f"{path}?{API}").status_code == 202


def test_complete_mode_deletes_what_the_template_does_not_declare(http: httpx.Client, resource_group: str) -> None:
    keep, drop = unique("ws"), unique("ws")
    deploy(http, resource_group, "first", plain(workspace(keep), workspace(drop)))
    shown = deploy(http, resource_group, "second", plain(workspace(keep)), properties={"mode": "Complete"})
    assert shown["properties"]["provisioningState"] == "Succeeded", shown["properties"].get("error")
    assert shown["properties"]["mode"] == "Complete"
    assert http.get(health(resource_group, "workspaces", keep)).status_code == 200
    assert http.get(health(resource_group, "workspaces", drop)).status_code == 404
    operations = http.get(f"{group_path(resource_group)}/deployments/second/operations?{API}").json()["value"]
    deletes = [op["properties"] for op in operations if op["properties"]["provisioningOperation"] == "Delete"]
    assert [d["targetResource"]["resourceName"] for d in deletes] == [drop]


# -- subscription scope ---------------------------------------------------------------------------------------


def test_subscription_scope_needs_a_location(http: httpx.Client) -> None:
    path = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Resources/deployments/{unique('sub')}?{API}"
    refused = http.put(path, json={"properties": {"mode": "Incremental", "template": plain()}})
    assert refused.status_code == 400
    assert "location" in refused.json()["error"]["message"]


# -- hostile bodies and templates --------------------------------------------------------------------------


def test_az_spliced_body_with_comments_and_trailing_commas(http: httpx.Client, resource_group: str) -> None:
    ws = unique("ws")
    raw_template = (
        '\ufeff{\n  // a comment\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/'
        'deploymentTemplate.json#",\n  "contentVersion": "1.0.0.0", /* another */\n'
        '  "parameters": {"name": {"type": "string"},},\n'
        '  "resources": [{"type": "Microsoft.HealthcareApis/workspaces", "apiVersion": "2024-03-31",\n'
        '    "name": "[parameters(\'name\')]", "location": "eastus", "properties": {},},],\n}'
    )
    rest = {"properties": {"parameters": values(name=ws), "mode": "Incremental"}}
    body = json.dumps(rest)[:-2] + ", template:" + raw_template + "}}"
    created = http.put(
        f"{deployment_path(resource_group, 'azuredeploy')}?{API}",
        content=body.encode(),
        headers={"content-type": "application/json"},
    )
    assert created.status_code == 201, created.text
    assert wait_for_status(http, created.headers["azure-asyncoperation"])["status"] == "Succeeded"
    assert http.get(health(resource_group, "workspaces", ws)).status_code == 200


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"properties": {"mode": "Incremental", template:{"a": }}}',
        b"[" * 5000 + b"]" * 5000,
        b'{"properties": ' + b'{"a":' * 150 + b"1" + b"}" * 150 + b"}",
        # Texts that would make a naive lenient reader rescan them from every position.
        b'{"properties": {"mode": "Incremental", template:"' + b'\\"' * 1_500_000,
        b'{"properties": {"mode": "Incremental", template:' + b"/*" * 1_500_000,
    ],
    ids=["malformed", "not-an-object", "broken-splice", "deep-array", "deep-object", "open-string", "open-comments"],
)
def test_malformed_bodies_get_invalid_request_content(http: httpx.Client, resource_group: str, content: bytes) -> None:
    answered = http.put(
        f"{deployment_path(resource_group, 'bad')}?{API}", content=content, headers={"content-type": "application/json"}
    )
    assert answered.status_code == 400, answered.text
    assert answered.json()["error"]["code"] == "InvalidRequestContent"
    assert http.get(f"{deployment_path(resource_group, 'bad')}?{API}").status_code == 404


def _bomb(depth: int) -> dict[str, Any]:
    """Variables that each double the one before: 2**depth characters if evaluated."""
    template = plain(workspace("a", tags={"x": f"[variables('v{depth}')]"}))
    template["variables"] = {"v0": "xxxxxxxx"} | {
        f"v{i}": f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]" for i in range(1, depth + 1)
    }
    return template


HOSTILE_TEMPLATES = {
    "huge-copy": plain(dict(workspace("[concat('ws', copyIndex())]"), copy={"name": "many", "count": 100000})),
    "cycle": plain(
        dict(workspace("a"), dependsOn=["[resourceId('Microsoft.HealthcareApis/workspaces', 'b')]"]),
        dict(workspace("b"), dependsOn=["[resourceId('Microsoft.HealthcareApis/workspaces', 'a')]"]),
    ),
    "self-reference": plain(
        dict(workspace("a"), dependsOn=["[resourceId('Microsoft.HealthcareApis/workspaces', 'a')]"])
    ),
    "expression-bomb": _bomb(60),
    "deep-expression": plain(workspace("[" + "concat(" * 300 + "'a'" + ")" * 300 + "]")),
    "unknown-function": plain(workspace("[nosuchfunction()]")),
    "failing-body-expression": plain(dict(workspace("a"), properties={"x": "[div(1, 0)]"})),
    "no-resources-key": {"$schema": "x", "contentVersion": "1.0.0.0"},
}


@pytest.mark.parametrize("name", sorted(HOSTILE_TEMPLATES))
def test_hostile_templates_get_400_quickly_and_write_nothing(
    http: httpx.Client, resource_group: str, name: str
) -> None:
    started = time.monotonic()
    template = HOSTILE_TEMPLATES[name]
    # ARM's preflight evaluates everything but runtime functions before it accepts: the PUT, validate and
    # what-if all answer 400, and nothing is written.
    answered = start(http, resource_group, "hostile", template)
    assert answered.status_code == 400, answered.text
    assert answered.json()["error"]["code"] in ("InvalidTemplate", "InvalidTemplateDeployment")
    assert http.get(f"{deployment_path(resource_group, 'hostile')}?{API}").status_code == 404
    body = {"properties": {"mode": "Incremental", "template": template}}
    for action in ("/validate", "/whatIf"):
        refused = http.post(f"{deployment_path(resource_group, 'hostile', action)}?{API}", json=body)
        assert refused.status_code == 400, (action, refused.text)
        assert refused.json()["error"]["code"] in ("InvalidTemplate", "InvalidTemplateDeployment")
    elapsed = time.monotonic() - started
    assert elapsed < 30, elapsed  # a bound on a refusal, not a performance measurement
    listed = http.get(f"{group_path(resource_group)}/resources?api-version=2021-04-01").json()["value"]
    assert listed == []


def test_linked_templates_are_refused(http: httpx.Client, resource_group: str) -> None:
    body = {"properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.com/t.json"}}}
    refused = http.put(f"{deployment_path(resource_group, 'link')}?{API}", json=body)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "InvalidContentLink"


def test_bad_mode_and_name(http: httpx.Client, resource_group: str) -> None:
    refused = start(http, resource_group, "m", plain(), properties={"mode": "Sometimes"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "InvalidDeploymentMode"
    long_name = "x" * 65
    assert start(http, resource_group, long_name, plain()).status_code == 400
    assert http.get(f"{deployment_path('nosuchgroup' + unique(''), 'd')}?{API}").status_code == 404


# -- restarts ------------------------------------------------------------------------------------------------


def _token(process: EmulatorProcess) -> str:
    """An access token from the emulator's own Entra endpoint for its default app (strict mode takes no other)."""
    identity = process.identity
    form = {
        "grant_type": "client_credentials",
        "client_id": identity["app"]["client_id"],
        "client_secret": identity["app"]["client_secret"],
        "scope": "https://management.azure.com/.default",
    }
    url = f"{process.url}/{identity['tenantId']}/oauth2/v2.0/token"
    issued = httpx.post(url, data=form, verify=process.verify, timeout=30)
    assert issued.status_code == 200, issued.text
    token: str = issued.json()["access_token"]
    return token


def _strict_client(process: EmulatorProcess) -> httpx.Client:
    headers = {"Authorization": f"Bearer {_token(process)}"}
    return httpx.Client(base_url=process.url, verify=process.verify, headers=headers, timeout=30)


def _operations_by_name(http: httpx.Client, path: str) -> dict[str, dict[str, Any]]:
    listed = http.get(f"{path}/operations?{API}").json()["value"]
    return {op["properties"]["targetResource"]["resourceName"]: op for op in listed}


def _wait_for_operation(http: httpx.Client, path: str, name: str) -> dict[str, Any]:
    """The deployment's operation on resource `name`, once the run has started it."""
    deadline = time.monotonic() + 10
    while name not in _operations_by_name(http, path):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return _operations_by_name(http, path)[name]


def test_a_restart_in_the_middle_of_a_deployment_resumes_it_to_succeeded(tmp_path: Any) -> None:
    """The process running a deployment stops while a resource's write is in progress (an hour a step);
    started again, it takes the run up: the account's write ends, the workspace that depends on it is
    written by the same caller (strict auth: a token minted for it), outputs are evaluated."""
    process = EmulatorProcess(tmp_path / "restart", auth_mode="strict", deployment_lease_seconds="1").start()
    try:
        account, space, group = unique("adu"), unique("ws"), unique("rg-")
        template = account_then_workspace(account, space, workspaceName={"type": "string", "value": space})
        path = deployment_path(group, "resumed")
        with _strict_client(process) as http:
            assert (
                http.put(f"{group_path(group)}?api-version=2021-04-01", json={"location": "eastus"}).status_code == 201
            )
            created = start(http, group, "resumed", template)
            assert created.status_code == 201, created.text
            before = _wait_for_operation(http, path, account)
        process.stop(signal.SIGKILL)  # its lease lapses: the next start takes the run up after it
        process.start()
        with _strict_client(process) as http:
            assert http.get(f"{path}?{API}").json()["properties"]["provisioningState"] == "Running"
            assert http.post("/_emulator/clock/advance", json={"seconds": 24 * 3600}).status_code == 200
        # A day later every token issued before has expired (the run's own too: it gets a fresh one).
        with _strict_client(process) as http:
            status_url = httpx.URL(created.headers["azure-asyncoperation"])  # the new process has a new port
            assert wait_for_status(http, status_url.raw_path.decode())["status"] == "Succeeded"
            shown = http.get(f"{path}?{API}").json()["properties"]
            assert shown["provisioningState"] == "Succeeded"
            assert shown["outputs"] == {
                "accountState": {"type": "String", "value": "Succeeded"},
                "workspaceName": {"type": "String", "value": space},
            }
            assert len(shown["outputResources"]) == 2
            operations = _operations_by_name(http, path)
            assert {name: op["properties"]["provisioningState"] for name, op in operations.items()} == {
                account: "Succeeded",
                space: "Succeeded",
            }
            assert operations[account]["operationId"] == before["operationId"]  # the same operation, finished
            written = http.get(health(group, "workspaces", space)).json()
            assert written["systemData"]["createdBy"] == process.identity["app"]["client_id"]
    finally:
        process.stop()


def test_a_clean_stop_during_complete_mode_deletes_hands_the_run_to_the_next_start(tmp_path: Any) -> None:
    """Stopped (SIGTERM) while Complete mode deletes an undeclared resource (an hour a step), the process
    lets its lease go; the next start resumes at once and follows that delete to its end."""
    process = EmulatorProcess(tmp_path / "complete").start()
    try:
        group, account, space = unique("rg-"), unique("adu"), unique("ws")
        path = deployment_path(group, "complete")
        with process.client() as http:
            assert (
                http.put(f"{group_path(group)}?api-version=2021-04-01", json={"location": "eastus"}).status_code == 201
            )
            undeclared = slow_account(account)
            account_url = (
                f"{group_path(group)}/providers/Microsoft.DeviceUpdate/accounts/{account}?api-version=2023-07-01"
            )
            assert http.put(
                account_url, json={k: undeclared[k] for k in ("location", "tags", "properties")}
            ).status_code in (200, 201)
            assert http.post("/_emulator/clock/advance", json={"seconds": 24 * 3600}).status_code == 200
            assert http.get(account_url).json()["properties"]["provisioningState"] == "Succeeded"
            created = start(http, group, "complete", plain(workspace(space)), properties={"mode": "Complete"})
            assert created.status_code == 201, created.text
            before = _wait_for_operation(http, path, account)
            assert before["properties"]["provisioningOperation"] == "Delete"
        process.stop(signal.SIGTERM)
        process.start()
        with process.client() as http:
            assert http.get(f"{path}?{API}").json()["properties"]["provisioningState"] == "Running"
            assert http.post("/_emulator/clock/advance", json={"seconds": 24 * 3600}).status_code == 200
            status_url = httpx.URL(created.headers["azure-asyncoperation"])
            assert wait_for_status(http, status_url.raw_path.decode())["status"] == "Succeeded"
            operations = _operations_by_name(http, path)
            assert {name: op["properties"]["provisioningState"] for name, op in operations.items()} == {
                account: "Succeeded",
                space: "Succeeded",
            }
            assert operations[account]["operationId"] == before["operationId"]
            assert http.get(account_url).status_code == 404
    finally:
        process.stop()
