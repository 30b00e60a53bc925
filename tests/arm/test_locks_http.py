"""ARM's management locks over raw HTTP: `{scope}/providers/Microsoft.Authorization/locks/{name}` at
subscription, resource-group and resource scope, the lists (with and without `$filter=atScope()`),
bad lock bodies, and the front door refusing what a lock forbids (409 ScopeLocked)."""

from __future__ import annotations

import uuid

import httpx
from conftest import SUBSCRIPTION, arm_path, unique

SUB = f"/subscriptions/{SUBSCRIPTION}"
V = "api-version=2020-05-01"
RG_V = "api-version=2021-04-01"
HC = "api-version=2024-03-31"
LOCKS = "/providers/Microsoft.Authorization/locks"
TAGS = "/providers/Microsoft.Resources/tags/default"


def _provisioned(http: httpx.Client, path: str, body: dict[str, object]) -> str:
    response = http.put(f"{path}?{HC}", json=body)
    assert response.status_code in (200, 201), response.text
    # The default emulator is in fast mode: a read sees the terminal state.
    assert http.get(f"{path}?{HC}").json()["properties"]["provisioningState"] == "Succeeded"
    return path


def _workspace_with_dicom(http: httpx.Client, group: str) -> tuple[str, str]:
    workspace = _provisioned(http, arm_path(group, "workspaces", unique("ws")), {"location": "eastus"})
    dicom = _provisioned(http, f"{workspace}/dicomservices/{unique('dicom')}", {"location": "eastus"})
    return workspace, dicom


def _lock(http: httpx.Client, scope: str, name: str, level: str, **properties: object) -> dict[str, object]:
    response = http.put(f"{scope}{LOCKS}/{name}?{V}", json={"properties": {"level": level, **properties}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _unlock(http: httpx.Client, scope: str, name: str) -> None:
    assert http.delete(f"{scope}{LOCKS}/{name}?{V}").status_code == 200


def _assert_locked(response: httpx.Response, scope: str, operation: str, *locked: str) -> None:
    assert response.status_code == 409, response.text
    quoted = ",".join(f"'{s}'" for s in locked)
    assert response.json() == {
        "error": {
            "code": "ScopeLocked",
            "message": f"The scope '{scope}' cannot perform {operation} operation because following scope(s) "
            f"are locked: {quoted}. Please remove the lock and try again.",
        }
    }


def _names(http: httpx.Client, scope: str, query: str = "") -> set[str]:
    response = http.get(f"{scope}{LOCKS}?{V}{query}")
    assert response.status_code == 200, response.text
    return {lock["name"] for lock in response.json()["value"]}


def _fresh_subscription() -> str:
    """Subscription-wide locks get a subscription of their own: they would refuse other tests' writes."""
    return f"/subscriptions/{uuid.uuid4()}"


# -- the locks API ------------------------------------------------------------------------------------


def test_lock_lifecycle_at_resource_group_scope(http: httpx.Client, resource_group: str) -> None:
    scope = f"{SUB}/resourceGroups/{resource_group}"
    created = _lock(http, scope, "keep", "CanNotDelete", notes="do not delete", owners=[{"applicationId": "app-1"}])
    assert {k: v for k, v in created.items() if k != "systemData"} == {
        "id": f"{scope}{LOCKS}/keep",
        "name": "keep",
        "type": "Microsoft.Authorization/locks",
        "properties": {"level": "CanNotDelete", "notes": "do not delete", "owners": [{"applicationId": "app-1"}]},
    }
    assert set(created["systemData"]) >= {"createdAt", "createdBy", "lastModifiedAt"}  # type: ignore[arg-type]
    assert http.get(f"{scope}{LOCKS}/keep?{V}").json() == created

    updated = http.put(f"{scope}{LOCKS}/KEEP?{V}", json={"properties": {"level": "readonly"}})
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "keep"
    assert updated.json()["properties"] == {"level": "ReadOnly"}

    # The older api-versions az and older SDKs send: the same lock, without systemData.
    for version in ("2015-01-01", "2016-09-01"):
        old = http.get(f"{scope}{LOCKS}/keep?api-version={version}")
        assert old.status_code == 200, old.text
        assert "systemData" not in old.json()

    assert http.delete(f"{scope}{LOCKS}/keep?{V}").status_code == 200
    assert http.delete(f"{scope}{LOCKS}/keep?{V}").status_code == 204
    missing = http.get(f"{scope}{LOCKS}/keep?{V}")
    assert missing.status_code == 404
    assert missing.json()["error"] == {"code": "LockNotFound", "message": "The lock 'keep' could not be found."}


def test_resource_level_path_with_an_empty_parent_resource_path(http: httpx.Client, resource_group: str) -> None:
    workspace, _ = _workspace_with_dicom(http, resource_group)
    name = workspace.rsplit("/", 1)[1]
    # As the SDKs and az build ManagementLocks_CreateOrUpdateAtResourceLevel: `{parentResourcePath}` empty.
    at_resource_level = (
        f"{SUB}/resourcegroups/{resource_group}/providers/Microsoft.HealthcareApis//workspaces/{name}{LOCKS}/l1"
    )
    response = http.put(f"{at_resource_level}?{V}", json={"properties": {"level": "CanNotDelete"}})
    assert response.status_code == 201, response.text
    assert (
        response.json()["id"]
        == f"{SUB}/resourceGroups/{resource_group}/providers/Microsoft.HealthcareApis/workspaces/{name}{LOCKS}/l1"
    )
    assert http.get(f"{workspace}{LOCKS}/l1?{V}").status_code == 200
    assert http.delete(f"{at_resource_level}?{V}").status_code == 200


def test_lock_scopes_must_exist(http: httpx.Client, resource_group: str) -> None:
    body = {"properties": {"level": "CanNotDelete"}}
    missing_group = http.put(f"{SUB}/resourceGroups/{unique('nope')}{LOCKS}/l?{V}", json=body)
    assert missing_group.status_code == 404
    assert missing_group.json()["error"]["code"] == "ResourceGroupNotFound"
    missing_resource = http.put(f"{arm_path(resource_group, 'workspaces', 'nope')}{LOCKS}/l?{V}", json=body)
    assert missing_resource.status_code == 404
    assert missing_resource.json()["error"]["code"] == "ResourceNotFound"


def test_lists_at_each_scope_with_and_without_at_scope(http: httpx.Client) -> None:
    sub = _fresh_subscription()
    group = unique("rg-")
    rg = f"{sub}/resourceGroups/{group}"
    assert http.put(f"{rg}?{RG_V}", json={"location": "eastus"}).status_code == 201
    workspace = _provisioned(
        http, f"{rg}/providers/Microsoft.HealthcareApis/workspaces/{unique('ws')}", {"location": "eastus"}
    )
    other_group = f"{sub}/resourceGroups/{unique('rg-')}"
    assert http.put(f"{other_group}?{RG_V}", json={"location": "eastus"}).status_code == 201
    _lock(http, sub, "on-sub", "CanNotDelete")
    _lock(http, rg, "on-rg", "CanNotDelete")
    _lock(http, workspace, "on-ws", "CanNotDelete")
    _lock(http, other_group, "on-other", "CanNotDelete")
    try:
        at_scope = "&$filter=atScope()"
        assert _names(http, sub) == {"on-sub", "on-rg", "on-ws", "on-other"}
        assert _names(http, sub, at_scope) == {"on-sub"}
        assert _names(http, rg) == {"on-rg", "on-ws"}
        assert _names(http, rg, at_scope) == {"on-sub", "on-rg"}
        assert _names(http, workspace) == {"on-ws"}
        assert _names(http, workspace, at_scope) == {"on-sub", "on-rg", "on-ws"}
        listed = http.get(f"{workspace}{LOCKS}?{V}").json()["value"]
        assert listed[0]["id"] == f"{workspace}{LOCKS}/on-ws"
        bad_filter = http.get(f"{rg}{LOCKS}?{V}&$filter=name eq 'x'")
        assert bad_filter.status_code == 400
        assert bad_filter.json()["error"]["code"] == "InvalidFilter"
    finally:
        for scope, name in ((sub, "on-sub"), (rg, "on-rg"), (workspace, "on-ws"), (other_group, "on-other")):
            _unlock(http, scope, name)
    assert _names(http, sub) == set()


def test_bad_lock_bodies_and_names_get_400(http: httpx.Client, resource_group: str) -> None:
    scope = f"{SUB}/resourceGroups/{resource_group}"
    cases = [
        ({}, "InvalidRequestContent"),
        ({"properties": "x"}, "InvalidRequestContent"),
        ({"properties": {}}, "InvalidLockLevel"),
        ({"properties": {"level": "NotSpecified"}}, "InvalidLockLevel"),
        ({"properties": {"level": 3}}, "InvalidLockLevel"),
        ({"properties": {"level": "ReadOnly", "notes": "n" * 513}}, "LockNotesTooLong"),
        ({"properties": {"level": "ReadOnly", "notes": 5}}, "InvalidRequestContent"),
        ({"properties": {"level": "ReadOnly", "owners": [{"applicationId": 1}]}}, "InvalidRequestContent"),
        ({"properties": {"level": "ReadOnly", "owners": "app"}}, "InvalidRequestContent"),
    ]
    for body, code in cases:
        response = http.put(f"{scope}{LOCKS}/bad?{V}", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["code"] == code, (body, response.text)
    level = http.put(f"{scope}{LOCKS}/bad?{V}", json={"properties": {"level": "NotSpecified"}})
    assert level.json()["error"]["message"] == (
        "The lock level 'NotSpecified' is invalid. The supported lock levels are 'CanNotDelete', 'ReadOnly'."
    )
    for name in ("a%3Cb", "a:b", "a%26b", "x" * 261):
        response = http.put(f"{scope}{LOCKS}/{name}?{V}", json={"properties": {"level": "ReadOnly"}})
        assert response.status_code == 400, (name, response.text)
        assert response.json()["error"]["code"] == "InvalidLockName"
    assert http.get(f"{scope}{LOCKS}?{V}").json()["value"] == []
    no_version = http.put(f"{scope}{LOCKS}/l", json={"properties": {"level": "ReadOnly"}})
    assert no_version.status_code == 400
    assert no_version.json()["error"]["code"] == "MissingApiVersionParameter"


# -- enforcement --------------------------------------------------------------------------------------


def test_can_not_delete_on_a_group_refuses_deletes_in_it_and_allows_writes(
    http: httpx.Client, resource_group: str
) -> None:
    group = f"{SUB}/resourceGroups/{resource_group}"
    workspace, dicom = _workspace_with_dicom(http, resource_group)
    _lock(http, group, "no-delete", "CanNotDelete")

    _assert_locked(http.delete(f"{dicom}?{HC}"), dicom, "delete", group)
    _assert_locked(http.delete(f"{workspace}?{HC}"), workspace, "delete", group)
    _assert_locked(http.delete(f"{group}?{RG_V}"), group, "delete", group)
    _assert_locked(http.delete(f"{group}{TAGS}?api-version=2021-04-01"), f"{group}{TAGS}", "delete", group)
    # Writes still go through.
    assert http.patch(f"{workspace}?{HC}", json={"tags": {"a": "b"}}).status_code in (200, 202)
    assert (
        http.put(f"{group}{TAGS}?api-version=2021-04-01", json={"properties": {"tags": {"x": "y"}}}).status_code == 200
    )
    assert http.put(f"{dicom}?{HC}", json={"location": "eastus"}).status_code in (200, 201)
    assert http.get(f"{dicom}?{HC}").status_code == 200

    _unlock(http, group, "no-delete")
    assert http.delete(f"{dicom}?{HC}").status_code in (200, 202)


def test_read_only_on_a_resource_refuses_writes_to_it_and_below_and_deletes_above(
    http: httpx.Client, resource_group: str
) -> None:
    group = f"{SUB}/resourceGroups/{resource_group}"
    workspace, dicom = _workspace_with_dicom(http, resource_group)
    _lock(http, workspace, "frozen", "ReadOnly")

    _assert_locked(http.put(f"{workspace}?{HC}", json={"location": "eastus"}), workspace, "write", workspace)
    _assert_locked(http.patch(f"{workspace}?{HC}", json={"tags": {"a": "b"}}), workspace, "write", workspace)
    _assert_locked(http.put(f"{dicom}?{HC}", json={"location": "eastus"}), dicom, "write", workspace)
    tags_write = http.patch(
        f"{workspace}{TAGS}?api-version=2021-04-01", json={"operation": "Merge", "properties": {"tags": {"a": "b"}}}
    )
    _assert_locked(tags_write, f"{workspace}{TAGS}", "write", workspace)
    action = f"{workspace}/listSomething"
    _assert_locked(http.post(f"{action}?{HC}", json={}), action, "write", workspace)
    _assert_locked(http.delete(f"{dicom}?{HC}"), dicom, "delete", workspace)
    # The group holds a locked resource: deleting it would delete the resource.
    _assert_locked(http.delete(f"{group}?{RG_V}"), group, "delete", workspace)
    # Elsewhere in the group, and reads, are not affected; nor are the locks themselves.
    _provisioned(http, arm_path(resource_group, "workspaces", unique("ws")), {"location": "eastus"})
    assert http.get(f"{workspace}?{HC}").status_code == 200
    _lock(http, workspace, "second", "CanNotDelete")
    _unlock(http, workspace, "second")

    _unlock(http, workspace, "frozen")
    assert http.patch(f"{workspace}?{HC}", json={"tags": {"a": "b"}}).status_code in (200, 202)


def test_a_lock_on_a_child_refuses_deleting_its_parent(http: httpx.Client, resource_group: str) -> None:
    workspace, dicom = _workspace_with_dicom(http, resource_group)
    _lock(http, dicom, "child", "CanNotDelete")
    _assert_locked(http.delete(f"{workspace}?{HC}"), workspace, "delete", dicom)
    assert http.patch(f"{workspace}?{HC}", json={"tags": {"a": "b"}}).status_code in (200, 202)
    _unlock(http, dicom, "child")
    assert http.delete(f"{dicom}?{HC}").status_code in (200, 202)


def test_subscription_locks_apply_to_everything_in_it(http: httpx.Client) -> None:
    sub = _fresh_subscription()
    group = f"{sub}/resourceGroups/{unique('rg-')}"
    assert http.put(f"{group}?{RG_V}", json={"location": "eastus"}).status_code == 201

    _lock(http, sub, "read-only", "ReadOnly")
    new_group = f"{sub}/resourceGroups/{unique('rg-')}"
    _assert_locked(http.put(f"{new_group}?{RG_V}", json={"location": "eastus"}), new_group, "write", sub)
    sub_tags = http.put(f"{sub}{TAGS}?api-version=2021-04-01", json={"properties": {"tags": {"a": "b"}}})
    _assert_locked(sub_tags, f"{sub}{TAGS}", "write", sub)
    _lock(http, group, "also", "CanNotDelete")
    _assert_locked(http.delete(f"{group}?{RG_V}"), group, "delete", sub, group)
    _unlock(http, group, "also")
    _unlock(http, sub, "read-only")

    _lock(http, sub, "no-delete", "CanNotDelete")
    _assert_locked(http.delete(f"{group}?{RG_V}"), group, "delete", sub)
    assert http.put(f"{new_group}?{RG_V}", json={"location": "eastus"}).status_code == 201
    _unlock(http, sub, "no-delete")
    assert http.delete(f"{group}?{RG_V}").status_code in (200, 202)
