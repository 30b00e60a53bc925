"""Long-running operations on the wire: status codes, polling headers, states walked, conflicts."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from conftest import SUBSCRIPTION, advance_one_step, arm_path, unique
from emulator_process import EmulatorProcess

HC = "api-version=2022-06-01"
DU = "api-version=2023-07-01"


def new_group(http: httpx.Client) -> str:
    name = unique("rg-")
    assert (
        http.put(
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}?api-version=2021-04-01",
            json={"location": "eastus"},
        ).status_code
        == 201
    )
    return name


def new_workspace(http: httpx.Client, group: str) -> str:
    name = unique("ws")
    assert http.put(f"{arm_path(group, 'workspaces', name)}?{HC}", json={"location": "eastus"}).status_code == 201
    return name


def dicom_url(group: str, workspace: str, name: str = "dcm1") -> str:
    return f"{arm_path(group, 'workspaces', workspace, 'dicomservices', name)}?{HC}"


def account_url(group: str, name: str) -> str:
    return f"{arm_path(group, 'accounts', name, namespace='Microsoft.DeviceUpdate')}?{DU}"


def assert_retry_after(response: httpx.Response) -> None:
    value = response.headers["retry-after"]
    assert value.isdigit() and int(value) >= 1


@pytest.fixture
def slow_http(slow_emulator: EmulatorProcess) -> Iterator[httpx.Client]:
    with slow_emulator.client() as client:
        yield client


@pytest.fixture
def stepping_http(stepping_emulator: EmulatorProcess) -> Iterator[httpx.Client]:
    with stepping_emulator.client() as client:
        yield client


# -- HealthcareApis --------------------------------------------------------------------------------


def test_dicom_create_is_201_creating_with_an_absolute_async_operation(http: httpx.Client) -> None:
    group = new_group(http)
    workspace = new_workspace(http, group)
    created = http.put(dicom_url(group, workspace), json={"location": "eastus"})

    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Creating"
    assert "serviceUrl" not in created.json()["properties"]
    assert "location" not in created.headers
    assert_retry_after(created)
    status_url = httpx.URL(created.headers["azure-asyncoperation"])
    assert (status_url.scheme, status_url.host, status_url.port) == (
        http.base_url.scheme,
        http.base_url.host,
        http.base_url.port,
    )
    assert status_url.path.startswith(
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.HealthcareApis/locations/eastus/operationresults/"
    )
    assert status_url.params["api-version"] == "2022-06-01"

    # Fast mode: the very first poll already sees the end.
    status = http.get(status_url)
    assert status.status_code == 200
    body = status.json()
    assert body["status"] == "Succeeded"
    assert body["name"] == status_url.path.rsplit("/", 1)[1]
    assert body["id"] == status_url.path
    assert body["startTime"] <= body["endTime"]
    assert "retry-after" not in status.headers
    done = http.get(dicom_url(group, workspace)).json()
    assert done["properties"]["provisioningState"] == "Succeeded"
    assert done["properties"]["serviceUrl"] == f"https://{workspace}-dcm1.dicom.azurehealthcareapis.com"


def test_dicom_put_status_depends_on_what_changed(http: httpx.Client) -> None:
    group = new_group(http)
    workspace = new_workspace(http, group)
    url = dicom_url(group, workspace)
    http.put(url, json={"location": "eastus"})
    http.get(url)

    identical = http.put(url, json={"location": "eastus", "properties": {}})
    assert identical.status_code == 200
    assert identical.json()["properties"]["provisioningState"] == "Succeeded"
    assert "azure-asyncoperation" not in identical.headers

    tags_only = http.put(url, json={"location": "eastus", "tags": {"team": "a"}})
    assert tags_only.status_code == 200
    assert tags_only.json()["tags"] == {"team": "a"}
    assert "azure-asyncoperation" not in tags_only.headers

    cors = {"origins": ["https://example.com"], "maxAge": 60}
    changed = http.put(
        url, json={"location": "eastus", "tags": {"team": "a"}, "properties": {"corsConfiguration": cors}}
    )
    assert changed.status_code == 202
    assert changed.json()["properties"]["provisioningState"] == "Accepted"
    assert changed.json()["properties"]["corsConfiguration"]["origins"] == ["https://example.com"]
    assert "azure-asyncoperation" in changed.headers and "location" in changed.headers
    assert_retry_after(changed)
    assert http.get(changed.headers["azure-asyncoperation"]).json()["status"] == "Succeeded"
    assert http.get(url).json()["properties"]["serviceUrl"].startswith("https://")


def test_dicom_patch_tags_is_synchronous_other_patches_are_lros(http: httpx.Client) -> None:
    group = new_group(http)
    workspace = new_workspace(http, group)
    url = dicom_url(group, workspace)
    http.put(url, json={"location": "eastus", "tags": {"old": "1"}})

    tags = http.patch(url, json={"tags": {"new": "2"}})
    assert tags.status_code == 200
    assert tags.json()["tags"] == {"new": "2"}  # tags replace the whole set
    assert tags.json()["properties"]["provisioningState"] == "Succeeded"
    assert "azure-asyncoperation" not in tags.headers

    identity = http.patch(url, json={"identity": {"type": "SystemAssigned"}})
    assert identity.status_code == 202
    assert identity.json()["properties"]["provisioningState"] == "Updating"
    assert identity.json()["identity"]["principalId"]
    assert "location" in identity.headers


def test_dicom_delete_is_202_with_both_polling_urls(http: httpx.Client) -> None:
    group = new_group(http)
    workspace = new_workspace(http, group)
    url = dicom_url(group, workspace)
    http.put(url, json={"location": "eastus"})
    deleted = http.delete(url)
    assert deleted.status_code == 202
    assert deleted.content == b""
    assert_retry_after(deleted)
    async_url = deleted.headers["azure-asyncoperation"]
    assert deleted.headers["location"] == async_url + "&operationResultResponseType=Location"
    assert http.get(deleted.headers["location"]).status_code == 204
    assert http.get(async_url).json()["status"] == "Succeeded"
    assert http.get(url).status_code == 404
    assert http.get(f"{arm_path(group, 'workspaces', workspace, 'dicomservices')}?{HC}").json() == {"value": []}


def test_workspace_put_is_synchronous_and_delete_is_an_lro(http: httpx.Client) -> None:
    group = new_group(http)
    url = f"{arm_path(group, 'workspaces', unique('ws'))}?{HC}"
    created = http.put(url, json={"location": "eastus"})
    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Succeeded"
    assert "azure-asyncoperation" not in created.headers
    assert http.put(url, json={"location": "eastus", "tags": {"a": "b"}}).status_code == 200
    deleted = http.delete(url)
    assert deleted.status_code == 202
    assert http.get(deleted.headers["azure-asyncoperation"]).json()["status"] == "Succeeded"
    assert http.get(url).status_code == 404


# -- DeviceUpdate ----------------------------------------------------------------------------------


def test_account_writes_answer_201_and_delete_202(http: httpx.Client) -> None:
    group = new_group(http)
    url = account_url(group, unique("acct"))
    created = http.put(url, json={"location": "westus2"})
    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Accepted"
    status_url = httpx.URL(created.headers["azure-asyncoperation"])
    assert status_url.path.startswith("/providers/Microsoft.DeviceUpdate/locations/WESTUS2/operationStatuses/")
    assert status_url.path.rsplit("/", 1)[1].startswith(created.headers["x-ms-request-id"] + "*")
    status = http.get(status_url).json()
    assert status["status"] == "Succeeded"
    assert status["resourceId"] == created.json()["id"]
    assert "etag" not in created.json()  # Device Update sends the ETag header only

    patched = http.patch(url, json={"tags": {"a": "b"}})
    assert patched.status_code == 201
    assert patched.json()["properties"]["provisioningState"] == "Accepted"
    assert "azure-asyncoperation" in patched.headers

    deleted = http.delete(url)
    assert deleted.status_code == 202
    assert deleted.headers["location"] == deleted.headers["azure-asyncoperation"]
    final = http.get(deleted.headers["location"])
    assert (final.status_code, final.json()["status"]) == (200, "Succeeded")
    assert http.get(url).status_code == 404
    assert http.delete(url).status_code == 204


def test_operation_status_of_unknown_or_foreign_operations_is_404(http: httpx.Client) -> None:
    group = new_group(http)
    created = http.put(account_url(group, unique("acct")), json={"location": "westus2"})
    unknown = http.get("/providers/Microsoft.DeviceUpdate/locations/WESTUS2/operationStatuses/nope?" + DU)
    assert unknown.status_code == 404
    operation_id = httpx.URL(created.headers["azure-asyncoperation"]).path.rsplit("/", 1)[1]
    # A DeviceUpdate operation is not a HealthcareApis one.
    other = http.get(
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.HealthcareApis/locations/westus2/"
        f"operationresults/{operation_id}?{HC}"
    )
    assert other.status_code == 404


# -- operations in flight (a server whose operations never finish during the test) ------------------


def test_in_flight_state_is_visible_and_conflicting_writes_get_409(slow_http: httpx.Client) -> None:
    group = new_group(slow_http)
    workspace = new_workspace(slow_http, group)
    url = dicom_url(group, workspace)
    created = slow_http.put(url, json={"location": "eastus"})
    assert created.status_code == 201

    got = slow_http.get(url)
    assert got.json()["properties"]["provisioningState"] == "Creating"
    assert_retry_after(got)
    status = slow_http.get(created.headers["azure-asyncoperation"])
    assert (status.status_code, status.json()["status"]) == (200, "Running")
    assert "endTime" not in status.json()
    assert_retry_after(status)

    repeated = slow_http.put(url, json={"location": "eastus"})
    assert repeated.status_code == 201
    assert repeated.headers["azure-asyncoperation"] == created.headers["azure-asyncoperation"]

    different = slow_http.put(url, json={"location": "eastus", "properties": {"corsConfiguration": {"maxAge": 5}}})
    assert different.status_code == 409
    assert different.json()["error"]["code"] == "AnotherOperationInProgress"
    assert slow_http.delete(url).status_code == 409
    assert slow_http.patch(url, json={"tags": {"a": "b"}}).status_code == 409
    assert slow_http.get(url).json()["properties"]["provisioningState"] == "Creating"


def test_delete_during_an_account_create_is_409(slow_http: httpx.Client) -> None:
    group = new_group(slow_http)
    url = account_url(group, unique("acct"))
    slow_http.put(url, json={"location": "westus2"})
    # The create is still running too: deleting now is a conflict.
    assert slow_http.delete(url).status_code == 409


def test_operation_status_polls_answer_202_while_a_device_update_operation_runs(
    slow_http: httpx.Client,
) -> None:
    group = new_group(slow_http)
    created = slow_http.put(account_url(group, unique("acct")), json={"location": "westus2"})
    status = slow_http.get(created.headers["azure-asyncoperation"])
    assert status.status_code == 202
    assert status.json()["status"] == "Accepted"
    assert_retry_after(status)


def test_dicom_location_url_answers_202_until_done(slow_http: httpx.Client) -> None:
    group = new_group(slow_http)
    workspace = new_workspace(slow_http, group)
    deleted = slow_http.delete(f"{arm_path(group, 'workspaces', workspace)}?{HC}")
    assert deleted.status_code == 202
    location = slow_http.get(deleted.headers["location"])
    assert location.status_code == 202
    assert location.content == b""
    assert_retry_after(location)
    again = slow_http.delete(f"{arm_path(group, 'workspaces', workspace)}?{HC}")
    assert again.status_code == 202
    assert again.headers["azure-asyncoperation"] == deleted.headers["azure-asyncoperation"]


# -- states walked one by one (the clock moved on a step at a time) ---------------------------------


def _watch(http: httpx.Client, status_url: str, resource_url: str) -> tuple[list[str], list[str]]:
    """Polls, moving the clock on one step after each look, until the operation ends; returns the
    distinct statuses and provisioning states seen."""
    statuses: list[str] = []
    states: list[str] = []
    for _ in range(10):
        status = http.get(status_url).json()["status"]
        resource = http.get(resource_url)
        state = resource.json()["properties"]["provisioningState"] if resource.status_code == 200 else "(gone)"
        for seen, value in ((statuses, status), (states, state)):
            if not seen or seen[-1] != value:
                seen.append(value)
        if status in ("Succeeded", "Failed", "Canceled") and state != "Deleting":
            return statuses, states
        advance_one_step(http)
    raise AssertionError(f"operation did not finish in 10 steps: {statuses} {states}")


def test_dicom_update_walks_accepted_updating_succeeded(stepping_http: httpx.Client) -> None:
    group = new_group(stepping_http)
    workspace = new_workspace(stepping_http, group)
    url = dicom_url(group, workspace)
    created = stepping_http.put(url, json={"location": "eastus"})
    assert _watch(stepping_http, created.headers["azure-asyncoperation"], url) == (
        ["Running", "Succeeded"],
        ["Creating", "Succeeded"],
    )

    changed = stepping_http.put(url, json={"location": "eastus", "properties": {"corsConfiguration": {"maxAge": 9}}})
    assert changed.status_code == 202
    assert _watch(stepping_http, changed.headers["azure-asyncoperation"], url) == (
        ["Requested", "Running", "Succeeded"],
        ["Accepted", "Updating", "Succeeded"],
    )

    deleted = stepping_http.delete(url)
    statuses, states = _watch(stepping_http, deleted.headers["azure-asyncoperation"], url)
    assert statuses == ["Requested", "Running", "Succeeded"]
    assert states == ["Deleting", "(gone)"]


def test_account_create_walks_accepted_creating_succeeded(stepping_http: httpx.Client) -> None:
    group = new_group(stepping_http)
    url = account_url(group, unique("acct"))
    created = stepping_http.put(url, json={"location": "westus2"})
    assert _watch(stepping_http, created.headers["azure-asyncoperation"], url) == (
        ["Accepted", "Creating", "Succeeded"],
        ["Accepted", "Creating", "Succeeded"],
    )


def test_deleting_the_group_cancels_operations_still_running_in_it(stepping_http: httpx.Client) -> None:
    group = new_group(stepping_http)
    created = stepping_http.put(account_url(group, unique("acct")), json={"location": "westus2"})
    group_delete = stepping_http.delete(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01")
    assert group_delete.status_code == 202
    for _ in range(10):
        status = stepping_http.get(created.headers["azure-asyncoperation"]).json()
        if status["status"] in ("Succeeded", "Failed", "Canceled"):
            break
        advance_one_step(stepping_http)
    assert status["status"] == "Canceled"
    assert status["error"]["code"] == "OperationCanceled"
    assert group in status["error"]["message"]
