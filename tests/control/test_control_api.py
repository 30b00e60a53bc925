"""The control API on a real server: reset, state, seed, journal, faults, clock and LRO timing."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.healthcareapis.models import DicomService, Workspace
from conftest import REPO_ROOT, SUBSCRIPTION, arm_path, unique
from emulator_process import EmulatorProcess
from sdk_clients import Recorder, healthcare

from arm_emulator.control.state import read_seed_file

HC = "api-version=2022-06-01"
DU = "api-version=2023-07-01"
GROUPS = "api-version=2021-04-01"


@pytest.fixture(scope="module")
def controlled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("controlled")).start()
    yield process
    process.stop()


@pytest.fixture
def http(controlled: EmulatorProcess) -> Iterator[httpx.Client]:
    with controlled.client() as client:
        assert client.post("/_emulator/reset").status_code == 204
        yield client


def group(http: httpx.Client, name: str | None = None) -> str:
    name = name or unique("rg-")
    assert (
        http.put(
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}?{GROUPS}", json={"location": "eastus"}
        ).status_code
        == 201
    )
    return name


def account(group_name: str, name: str) -> str:
    return f"{arm_path(group_name, 'accounts', name, namespace='Microsoft.DeviceUpdate')}?{DU}"


def workspace(group_name: str, name: str) -> str:
    return f"{arm_path(group_name, 'workspaces', name)}?{HC}"


# -- reset -----------------------------------------------------------------------------------------


def test_reset_everything_one_subscription_or_one_provider(http: httpx.Client) -> None:
    rg = group(http)
    assert http.put(account(rg, "acct1"), json={"location": "westus2"}).status_code == 201
    assert http.put(workspace(rg, "ws1"), json={"location": "eastus"}).status_code == 201

    assert http.post("/_emulator/reset?provider=Microsoft.DeviceUpdate").status_code == 204
    assert http.get(account(rg, "acct1")).status_code == 404
    assert http.get(workspace(rg, "ws1")).status_code == 200

    assert http.post(f"/_emulator/reset?subscription={SUBSCRIPTION}").status_code == 204
    assert http.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}?{GROUPS}").status_code == 404

    group(http, rg)
    assert http.post("/_emulator/reset").status_code == 204
    assert http.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}?{GROUPS}").status_code == 404
    # The default subscription survives a reset, so clients that log in still find it.
    assert http.get("/subscriptions?api-version=2022-12-01").json()["value"]
    # The journal started again at the reset: only the two requests since are in it.
    assert [e["method"] for e in http.get("/_emulator/requests").json()["value"]] == ["GET", "GET"]
    unknown = http.post("/_emulator/reset?provider=Nope")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "InvalidResourceNamespace")


# -- state -----------------------------------------------------------------------------------------


def test_export_then_import_restores_resources_in_their_final_state(http: httpx.Client) -> None:
    rg = group(http)
    http.put(workspace(rg, "ws1"), json={"location": "eastus", "tags": {"team": "imaging"}})
    http.put(f"{arm_path(rg, 'workspaces', 'ws1', 'dicomservices', 'dcm1')}?{HC}", json={"location": "eastus"})
    http.put(account(rg, "acct1"), json={"location": "westus2", "properties": {"sku": "Free"}})
    exported = http.get("/_emulator/state").json()
    assert http.post("/_emulator/reset").status_code == 204

    imported = http.post("/_emulator/state", json=exported)
    assert imported.status_code == 200, imported.text
    assert imported.json()["resources"] == 3
    ws = http.get(workspace(rg, "ws1")).json()
    assert (ws["tags"], ws["properties"]["provisioningState"]) == ({"team": "imaging"}, "Succeeded")
    dicom = http.get(f"{arm_path(rg, 'workspaces', 'ws1', 'dicomservices', 'dcm1')}?{HC}").json()
    assert dicom["properties"]["serviceUrl"] == "https://ws1-dcm1.dicom.azurehealthcareapis.com"
    assert http.get(account(rg, "acct1")).json()["properties"]["sku"] == "Free"

    def by_id(resources: list[dict[str, object]]) -> list[dict[str, object]]:
        return sorted(resources, key=lambda r: str(r["id"]))

    assert by_id(http.get("/_emulator/state").json()["resources"]) == by_id(exported["resources"])


def test_export_then_import_keeps_what_generic_types_made_and_their_keys(http: httpx.Client) -> None:
    rg = group(http)
    storage = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/st1"
    v = "api-version=2023-05-01"
    assert http.put(f"{storage}?{v}", json={"location": "eastus", "kind": "StorageV2"}).status_code == 201
    cors = {"properties": {"cors": {"corsRules": [{"allowedOrigins": ["*"]}]}}}
    assert http.put(f"{storage}/blobServices/default?{v}", json=cors).status_code == 200
    keys = [k["value"] for k in http.post(f"{storage}/listKeys?{v}").json()["keys"]]
    exported = http.get("/_emulator/state").json()
    assert {f"{storage}/{s}Services/default" for s in ("blob", "file", "queue", "table")} <= {
        r["id"] for r in exported["resources"]
    }
    assert http.post("/_emulator/reset").status_code == 204

    assert http.post("/_emulator/state", json=exported).status_code == 200
    assert http.get(f"{storage}/blobServices/default?{v}").json()["properties"] == cors["properties"]
    again = [k["value"] for k in http.post(f"{storage}/listKeys?{v}").json()["keys"]]
    assert again == keys  # derived from the id: the same keys


def test_export_then_import_carries_management_locks(http: httpx.Client) -> None:
    rg = group(http)
    group_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}"
    ws = workspace(rg, "locked")
    ws_id = ws.split("?")[0]
    assert http.put(ws, json={"location": "eastus"}).status_code == 201
    locks = "/providers/Microsoft.Authorization/locks"
    body = {"properties": {"level": "ReadOnly", "notes": "kept"}}
    assert http.put(f"{ws_id}{locks}/frozen?api-version=2020-05-01", json=body).status_code == 201
    exported = http.get("/_emulator/state").json()
    [lock] = [r for r in exported["resources"] if "/locks/" in r["id"]]
    assert lock == {"id": f"{ws_id}{locks}/frozen", "apiVersion": "2020-05-01", "properties": body["properties"]}
    assert http.post("/_emulator/reset").status_code == 204

    assert http.post("/_emulator/state", json=exported).status_code == 200
    assert http.get(f"{ws_id}{locks}/frozen?api-version=2020-05-01").json()["properties"]["level"] == "ReadOnly"
    refused = http.delete(f"{group_id}?api-version=2021-04-01")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "ScopeLocked")
    # Resetting the provider takes the locks on its resources with them.
    assert http.post("/_emulator/reset?provider=Microsoft.HealthcareApis").status_code == 204
    assert http.get(f"{group_id}{locks}?api-version=2020-05-01").json()["value"] == []


def test_export_then_import_carries_generic_resources_at_any_scope(http: httpx.Client) -> None:
    rg = group(http)
    group_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}"
    account_id = f"{group_id}/providers/Microsoft.Storage/storageAccounts/sa1"
    assignment_id = f"{account_id}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
    made = http.put(f"{account_id}?api-version=2023-05-01", json={"location": "eastus", "kind": "StorageV2"})
    assert made.status_code == 201
    role = {
        "properties": {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/x", "principalId": "p"}
    }
    assert http.put(f"{assignment_id}?api-version=2022-04-01", json=role).status_code == 201
    exported = http.get("/_emulator/state").json()
    [account_entry] = [r for r in exported["resources"] if r["id"] == account_id]
    assert account_entry["apiVersion"] == "2023-05-01"
    assert http.post("/_emulator/reset").status_code == 204

    assert http.post("/_emulator/state", json=exported).status_code == 200
    restored = http.get(f"{account_id}?api-version=2023-05-01").json()
    assert (restored["kind"], restored["properties"]["provisioningState"]) == ("StorageV2", "Succeeded")
    assert http.get(f"{assignment_id}?api-version=2022-04-01").json()["properties"]["principalId"] == "p"
    # Resetting a generic namespace takes its resources (and what extends them).
    assert http.post("/_emulator/reset?provider=Microsoft.Storage").status_code == 204
    assert http.get(f"{account_id}?api-version=2023-05-01").status_code == 404
    assert http.get(f"{assignment_id}?api-version=2022-04-01").status_code == 404


def test_export_and_import_on_an_in_memory_database(tmp_path: Path) -> None:
    # One connection only there, so the export reads on the event loop instead of a snapshot.
    process = EmulatorProcess(tmp_path, database_url="sqlite://").start()
    try:
        with process.client() as client:
            rg = group(client)
            assert client.put(workspace(rg, "mem1"), json={"location": "eastus"}).status_code == 201
            exported = client.get("/_emulator/state").json()
            assert [r["id"].rsplit("/", 1)[1] for r in exported["resources"]] == ["mem1"]
            assert client.post("/_emulator/reset").status_code == 204
            assert client.post("/_emulator/state", json=exported).status_code == 200
            assert client.get(workspace(rg, "mem1")).json()["properties"]["provisioningState"] == "Succeeded"
    finally:
        process.stop()


def test_a_bad_import_changes_nothing(http: httpx.Client) -> None:
    rg = group(http)
    before = http.get("/_emulator/state").json()
    bad = http.post(
        "/_emulator/state",
        json={
            "resources": [
                {
                    "id": arm_path(rg, "accounts", "good1", namespace="Microsoft.DeviceUpdate"),
                    "location": "westus2",
                },
                {
                    "id": arm_path(rg, "accounts", "bad_name", namespace="Microsoft.DeviceUpdate"),
                    "location": "westus2",
                },
            ]
        },
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidResourceName")
    assert http.get("/_emulator/state").json() == before
    wrong_shape = http.post("/_emulator/state", json={"resources": "nope"})
    assert (wrong_shape.status_code, wrong_shape.json()["error"]["code"]) == (400, "InvalidRequestContent")


def test_seed_file_loads_before_ready(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        f"""
subscriptions: ["{SUBSCRIPTION}"]
resourceGroups:
  - id: /subscriptions/{SUBSCRIPTION}/resourceGroups/seeded
    location: eastus
resources:
  - id: /subscriptions/{SUBSCRIPTION}/resourceGroups/seeded/providers/Microsoft.HealthcareApis/workspaces/ws1
    location: eastus
  - id: {arm_path("seeded", "workspaces", "ws1", "dicomservices", "dcm1")}
    location: eastus
    tags: {{from: seed}}
  - id: /subscriptions/{SUBSCRIPTION}/resourceGroups/seeded/providers/Microsoft.DeviceUpdate/accounts/acct1
    apiVersion: "2023-07-01"
    location: westus2
faults:
  - match: {{provider: Microsoft.DeviceUpdate, method: DELETE}}
    action: {{type: error, status: 409, code: Locked, message: held by the seed}}
"""
    )
    process = EmulatorProcess(tmp_path / "data", seed=str(seed)).start()
    try:
        with process.client() as http:
            assert http.get("/_emulator/ready").status_code == 200
            dicom = http.get(f"{arm_path('seeded', 'workspaces', 'ws1', 'dicomservices', 'dcm1')}?{HC}").json()
            assert dicom["properties"]["provisioningState"] == "Succeeded"
            assert dicom["tags"] == {"from": "seed"}
            assert dicom["systemData"]["createdBy"] == "arm-emulator-seed"
            assert (
                http.get(account("seeded", "acct1")).json()["properties"]["hostName"] == "acct1.api.adu.microsoft.com"
            )
            locked = http.delete(account("seeded", "acct1"))
            assert (locked.status_code, locked.json()["error"]["code"]) == (409, "Locked")
        # The fault rules are kept in the database: a restart with the same seed does not add them twice.
        process.stop()
        process.start()
        with process.client() as http:
            assert [rule["action"]["code"] for rule in http.get("/_emulator/faults").json()["value"]] == ["Locked"]
    finally:
        process.stop()


def test_a_bad_seed_file_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"resources": [{"location": "eastus"}]}')
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "arm_emulator",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path),
            "--seed",
            str(seed),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "seed file" in result.stderr and "id" in result.stderr


# -- journal ---------------------------------------------------------------------------------------


def test_journal_shows_what_the_sdk_did(controlled: EmulatorProcess, http: httpx.Client) -> None:
    rg = group(http)
    client = healthcare(controlled)
    client.workspaces.begin_create_or_update(rg, "ws1", Workspace(location="eastus")).result()
    since = http.get("/_emulator/requests").json()["value"][-1]["sequence"]
    client.dicom_services.begin_create_or_update(rg, "ws1", "dcm1", DicomService(location="eastus")).result()

    entries = http.get(f"/_emulator/requests?since={since}").json()["value"]
    put = entries[0]
    assert (put["method"], put["status"]) == ("PUT", 201)
    assert put["azureAsyncOperation"] and put["retryAfter"] == "1"
    assert put["path"].endswith("/workspaces/ws1/dicomservices/dcm1")
    polls = http.get("/_emulator/requests", params={"clientRequestId": put["clientRequestId"]}).json()["value"]
    # One PUT, one poll (fast mode), and the final GET, all under the SDK's one client request id.
    assert [(e["method"], e["status"]) for e in polls] == [("PUT", 201), ("GET", 200), ("GET", 200)]
    assert polls[1]["url"] == put["azureAsyncOperation"]
    gets = http.get("/_emulator/requests", params={"method": "GET", "pathPrefix": put["path"], "since": since})
    assert len(gets.json()["value"]) == 1
    assert http.delete("/_emulator/requests").status_code == 204
    assert http.get("/_emulator/requests").json()["value"] == []


# -- faults ----------------------------------------------------------------------------------------


def test_error_rules_answer_arm_errors_n_times(http: httpx.Client) -> None:
    rg = group(http)
    rule = http.post(
        "/_emulator/faults",
        json={
            "match": {
                "provider": "Microsoft.DeviceUpdate",
                "resourceType": "accounts",
                "name": "throttled-*",
                "method": "PUT",
            },
            "action": {"type": "error", "status": 429, "code": "TooManyRequests", "message": "Slow down."},
            "times": 1,
        },
    )
    assert rule.status_code == 201
    throttled = http.put(account(rg, "throttled-1"), json={"location": "westus2"})
    assert throttled.status_code == 429
    assert throttled.json()["error"] == {"code": "TooManyRequests", "message": "Slow down."}
    assert throttled.headers["retry-after"] == "1"
    assert http.put(account(rg, "throttled-1"), json={"location": "westus2"}).status_code == 201
    assert http.put(account(rg, "other"), json={"location": "westus2"}).status_code == 201
    listed = http.get("/_emulator/faults").json()["value"]
    assert [(r["id"], r["fired"]) for r in listed] == [(rule.json()["id"], 1)]
    assert http.delete(f"/_emulator/faults/{rule.json()['id']}").status_code == 204
    assert http.delete(f"/_emulator/faults/{rule.json()['id']}").status_code == 404


def test_latency_rules_delay_the_answer(http: httpx.Client) -> None:
    rg = group(http)
    http.post(
        "/_emulator/faults",
        json={
            "match": {"method": "GET", "resourceType": "accounts"},
            "action": {"type": "latency", "milliseconds": 300},
        },
    )
    assert http.get(account(rg, "none")).status_code == 404
    entry = http.get("/_emulator/requests", params={"method": "GET", "pathPrefix": "/subscriptions"}).json()["value"][
        -1
    ]
    assert entry["durationMs"] >= 300


def test_seeded_probability_is_repeatable(http: httpx.Client) -> None:
    rg = group(http)
    spec = {
        "match": {"method": "GET", "resourceType": "accounts"},
        "action": {"type": "error", "status": 503, "code": "ServiceUnavailable"},
        "probability": 0.5,
        "seed": 7,
    }

    def pattern() -> list[int]:
        rule = http.post("/_emulator/faults", json=spec).json()
        codes = [http.get(account(rg, "x")).status_code for _ in range(20)]
        http.delete(f"/_emulator/faults/{rule['id']}")
        return codes

    first = pattern()
    assert set(first) == {404, 503}
    assert pattern() == first


def test_an_injected_failure_makes_the_sdk_raise_with_its_code(controlled: EmulatorProcess, http: httpx.Client) -> None:
    rg = group(http)
    client = healthcare(controlled)
    client.workspaces.begin_create_or_update(rg, "ws1", Workspace(location="eastus")).result()
    http.post(
        "/_emulator/faults",
        json={
            "match": {"resourceType": "workspaces/dicomservices", "method": "PUT", "name": "dcm*"},
            "action": {"type": "failOperation", "code": "QuotaExceeded", "message": "No DICOM quota left."},
            "times": 1,
        },
    )
    with pytest.raises(HttpResponseError) as raised:
        client.dicom_services.begin_create_or_update(rg, "ws1", "dcm1", DicomService(location="eastus")).result()
    assert "QuotaExceeded" in str(raised.value)
    assert client.dicom_services.get(rg, "ws1", "dcm1").provisioning_state == "Failed"
    # The rule fired once: a retry succeeds.
    retried = client.dicom_services.begin_create_or_update(rg, "ws1", "dcm1", DicomService(location="eastus")).result()
    assert retried.provisioning_state == "Succeeded"


def test_a_failed_update_leaves_the_resource_as_it_was(http: httpx.Client) -> None:
    rg = group(http)
    http.put(workspace(rg, "ws1"), json={"location": "eastus"})
    url = f"{arm_path(rg, 'workspaces', 'ws1', 'dicomservices', 'dcm1')}?{HC}"
    http.put(url, json={"location": "eastus"})
    http.post(
        "/_emulator/faults",
        json={
            "match": {"resourceType": "workspaces/dicomservices", "method": "PUT"},
            "action": {"type": "failOperation", "status": "Canceled", "code": "Stopped"},
        },
    )
    changed = http.put(url, json={"location": "eastus", "properties": {"corsConfiguration": {"maxAge": 99}}})
    assert changed.status_code == 202
    status = http.get(changed.headers["azure-asyncoperation"]).json()
    assert (status["status"], status["error"]["code"]) == ("Canceled", "Stopped")
    body = http.get(url).json()
    assert body["properties"]["provisioningState"] == "Canceled"
    assert "maxAge" not in body["properties"]["corsConfiguration"]


def test_bad_rules_are_refused(http: httpx.Client) -> None:
    bad = http.post("/_emulator/faults", json={"action": {"type": "explode"}})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidRequestContent")


# -- time ------------------------------------------------------------------------------------------


def test_advancing_the_clock_finishes_operations_without_sleeping(http: httpx.Client) -> None:
    rg = group(http)
    http.put("/_emulator/lro-timing", json={"types": {"Microsoft.DeviceUpdate/accounts": {"stepSeconds": 600}}})
    created = http.put(account(rg, "acct1"), json={"location": "westus2"})
    assert created.headers["retry-after"] == "600"
    assert http.get(created.headers["azure-asyncoperation"]).json()["status"] == "Accepted"
    advanced = http.post("/_emulator/clock/advance", json={"seconds": 600})
    assert advanced.json()["offsetSeconds"] == 600
    assert http.get(account(rg, "acct1")).json()["properties"]["provisioningState"] == "Creating"
    http.post("/_emulator/clock/advance", json={"seconds": 600})
    assert http.get(account(rg, "acct1")).json()["properties"]["provisioningState"] == "Succeeded"
    assert http.get("/_emulator/operations").json()["value"] == []


def test_poll_mode_takes_one_step_per_poll(http: httpx.Client) -> None:
    rg = group(http)
    http.put("/_emulator/lro-timing", json={"default": {"mode": "polls"}})
    http.put(workspace(rg, "ws1"), json={"location": "eastus"})
    url = f"{arm_path(rg, 'workspaces', 'ws1', 'dicomservices', 'dcm1')}?{HC}"
    http.put(url, json={"location": "eastus"})
    http.get(url)  # a resource GET is a poll too (clients in body-polling mode)
    changed = http.put(url, json={"location": "eastus", "properties": {"corsConfiguration": {"maxAge": 5}}})
    assert changed.json()["properties"]["provisioningState"] == "Accepted"
    active = http.get("/_emulator/operations").json()["value"]
    assert [(o["status"], o["perPoll"]) for o in active] == [("Requested", True)]
    statuses = [http.get(changed.headers["azure-asyncoperation"]).json()["status"] for _ in range(3)]
    assert statuses == ["Running", "Succeeded", "Succeeded"]


def test_a_request_header_or_tag_chooses_its_own_timing(http: httpx.Client) -> None:
    rg = group(http)
    by_header = http.put(
        account(rg, "acct1"), json={"location": "westus2"}, headers={"x-ms-emulator-lro-mode": "polls"}
    )
    assert http.get(by_header.headers["azure-asyncoperation"]).json()["status"] == "Creating"
    by_tag = http.put(
        account(rg, "acct2"), json={"location": "westus2", "tags": {"arm-emulator-lro-step-seconds": "900"}}
    )
    assert by_tag.headers["retry-after"] == "900"
    bad = http.put(account(rg, "acct3"), json={"location": "westus2"}, headers={"x-ms-emulator-lro-mode": "fast"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidEmulatorTiming")


def test_sdk_in_poll_mode_polls_exactly_once_per_step(controlled: EmulatorProcess, http: httpx.Client) -> None:
    rg = group(http)
    http.put(
        "/_emulator/lro-timing",
        json={"types": {"Microsoft.HealthcareApis/workspaces/dicomservices": {"mode": "polls"}}},
    )
    recorder = Recorder()
    client = healthcare(controlled, per_call_policies=[recorder])
    client.workspaces.begin_create_or_update(rg, "ws1", Workspace(location="eastus")).result()
    recorder.calls.clear()
    client.dicom_services.begin_create_or_update(rg, "ws1", "dcm1", DicomService(location="eastus")).result()
    polls = [path for method, path, _ in recorder.methods_and_paths() if "/operationresults/" in path]
    assert len(polls) == 1  # create has one step: Creating, then the first poll ends it


def test_control_token_guards_the_control_api(tmp_path: Path) -> None:
    process = EmulatorProcess(tmp_path, control_token="letmein").start()
    try:
        with httpx.Client(base_url=process.url, verify=process.verify) as anonymous:
            assert anonymous.get("/_emulator/health").status_code == 200
            assert anonymous.get("/_emulator/ready").status_code == 200
            refused = anonymous.get("/_emulator/state")
            assert (refused.status_code, refused.json()["error"]["code"]) == (401, "ControlTokenRequired")
            assert anonymous.get("/_emulator/state", headers={"x-emulator-token": "letmein"}).status_code == 200
    finally:
        process.stop()


def test_the_ca_is_served_for_clients_without_the_data_dir(controlled: EmulatorProcess) -> None:
    with httpx.Client(base_url=controlled.url, verify=False) as bootstrap:  # fetched once, before trusting it
        served = bootstrap.get("/_emulator/ca.pem")
    assert served.status_code == 200
    assert served.content == controlled.ca_file.read_bytes()


@pytest.mark.parametrize("source", ["README.md", "docker/seed.yaml"])
def test_the_shipped_seed_examples_load(http: httpx.Client, tmp_path: Path, source: str) -> None:
    text = (REPO_ROOT / source).read_text()
    if source == "README.md":
        text = re.search(r"<!-- example:seed .*?-->\n```yaml\n(.*?)```", text, re.S).group(1)  # type: ignore[union-attr]
    seed = tmp_path / "seed.yaml"
    seed.write_text(text)
    document = read_seed_file(seed)
    imported = http.post("/_emulator/state", json=document.model_dump(by_alias=True, exclude_none=True, mode="json"))
    assert imported.status_code == 200, imported.text
    assert imported.json()["resources"] == len(document.resources) > 0
    for resource in document.resources:
        assert http.get(f"{resource.id}?api-version={resource.api_version or '2022-06-01'}").status_code == 200


def test_journal_filters_and_rule_ids_out_of_any_range_find_nothing(http: httpx.Client) -> None:
    huge = "9" * 30
    for params in ({"since": huge}, {"status": huge}):
        response = http.get("/_emulator/requests", params=params)
        assert (response.status_code, response.json()) == (200, {"value": []}), response.text
    everything = http.get("/_emulator/requests").json()["value"]
    # Control calls are not journaled: between the two reads the journal stays as it was.
    assert http.get("/_emulator/requests", params={"since": f"-{huge}"}).json()["value"] == everything
    missing = http.delete(f"/_emulator/faults/rule-{huge}")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "FaultRuleNotFound")
