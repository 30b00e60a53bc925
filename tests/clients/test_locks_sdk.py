"""azure-mgmt-resource-locks' ManagementLockClient at its default api-version over HTTPS: locks at
subscription, resource-group and resource scope, the lists, and locks of both levels refusing what
they refuse through the SDKs (409 ScopeLocked), then deleted."""

from __future__ import annotations

import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.healthcareapis.models import DicomService, Workspace
from azure.mgmt.resource.locks.models import ManagementLockObject, ManagementLockOwner
from azure.mgmt.resource.resources import ResourceManagementClient
from conftest import StaticCredential, unique
from emulator_process import EmulatorProcess
from sdk_clients import client_options, healthcare, locks, resources

pytestmark = pytest.mark.clients

NAMESPACE = "Microsoft.HealthcareApis"


def _refused(error: pytest.ExceptionInfo[HttpResponseError], operation: str, locked_scope: str) -> None:
    assert error.value.status_code == 409
    assert error.value.error is not None
    assert error.value.error.code == "ScopeLocked"
    assert f"cannot perform {operation} operation because following scope(s) are locked: '{locked_scope}'" in str(
        error.value.error.message
    )


def test_locks_at_group_and_resource_level_refuse_then_are_deleted(emulator: EmulatorProcess) -> None:
    client = locks(emulator)
    groups = resources(emulator).resource_groups
    group = groups.create_or_update(unique("rg-"), {"location": "eastus"})
    hc = healthcare(emulator)
    workspace = hc.workspaces.begin_create_or_update(group.name, unique("ws"), Workspace(location="eastus")).result()
    dicom = hc.dicom_services.begin_create_or_update(
        group.name, workspace.name, unique("dicom"), DicomService(location="eastus")
    ).result()

    on_group = client.management_locks.create_or_update_at_resource_group_level(
        group.name,
        "no-delete",
        ManagementLockObject(level="CanNotDelete", notes="keep", owners=[ManagementLockOwner(application_id="app")]),
    )
    assert on_group.id == f"{group.id}/providers/Microsoft.Authorization/locks/no-delete"
    assert on_group.level == "CanNotDelete"
    assert on_group.notes == "keep"
    assert on_group.owners[0].application_id == "app"
    assert on_group.system_data is not None  # the default api-version (2020-05-01) has systemData
    on_workspace = client.management_locks.create_or_update_at_resource_level(
        group.name, NAMESPACE, "", "workspaces", workspace.name, "frozen", ManagementLockObject(level="ReadOnly")
    )
    assert on_workspace.id == f"{workspace.id}/providers/Microsoft.Authorization/locks/frozen"
    got = client.management_locks.get_at_resource_level(
        group.name, NAMESPACE, "", "workspaces", workspace.name, "frozen"
    )
    assert got.level == "ReadOnly"
    assert client.management_locks.get_by_scope(group.id, "no-delete").level == "CanNotDelete"

    assert {lock.name for lock in client.management_locks.list_at_resource_group_level(group.name)} == {
        "no-delete",
        "frozen",
    }
    listed = client.management_locks.list_at_resource_level(group.name, NAMESPACE, "", "workspaces", workspace.name)
    assert [lock.name for lock in listed] == ["frozen"]
    at_scope = client.management_locks.list_by_scope(workspace.id, filter="atScope()")
    assert {lock.name for lock in at_scope} == {"no-delete", "frozen"}

    with pytest.raises(HttpResponseError) as refused:
        hc.workspaces.begin_update(group.name, workspace.name, {"tags": {"a": "b"}}).result()
    _refused(refused, "write", workspace.id)
    with pytest.raises(HttpResponseError) as refused:
        hc.dicom_services.begin_delete(group.name, dicom.name, workspace.name).result()
    _refused(refused, "delete", group.id)
    with pytest.raises(HttpResponseError) as refused:
        groups.begin_delete(group.name).result()
    assert refused.value.error is not None
    assert refused.value.error.code == "ScopeLocked"

    client.management_locks.delete_at_resource_level(group.name, NAMESPACE, "", "workspaces", workspace.name, "frozen")
    hc.workspaces.begin_update(group.name, workspace.name, {"tags": {"a": "b"}}).result()
    client.management_locks.delete_by_scope(group.id, "no-delete")
    with pytest.raises(ResourceNotFoundError):
        client.management_locks.get_at_resource_group_level(group.name, "no-delete")
    hc.dicom_services.begin_delete(group.name, dicom.name, workspace.name).result()


def test_subscription_lock_refuses_a_new_group_then_is_deleted(emulator: EmulatorProcess) -> None:
    # A subscription of its own: a subscription-wide lock would refuse other tests' writes.
    subscription = str(uuid.uuid4())
    client = locks(emulator, subscription)
    groups = ResourceManagementClient(StaticCredential(), subscription, **client_options(emulator)).resource_groups
    lock = client.management_locks.create_or_update_at_subscription_level(
        "read-only", ManagementLockObject(level="ReadOnly")
    )
    assert lock.id == f"/subscriptions/{subscription}/providers/Microsoft.Authorization/locks/read-only"
    assert [lock.name for lock in client.management_locks.list_at_subscription_level()] == ["read-only"]
    with pytest.raises(HttpResponseError) as refused:
        groups.create_or_update(unique("rg-"), {"location": "eastus"})
    _refused(refused, "write", f"/subscriptions/{subscription}")
    client.management_locks.delete_at_subscription_level("read-only")
    assert list(client.management_locks.list_at_subscription_level()) == []
    groups.create_or_update(unique("rg-"), {"location": "eastus"})
