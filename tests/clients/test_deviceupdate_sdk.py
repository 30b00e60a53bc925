"""azure-mgmt-deviceupdate, at its own default api-version (1.1.0: 2023-07-01): accounts through real LROs,
HEAD, lists and delete."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.deviceupdate.models import Account, AccountUpdate, ManagedServiceIdentity
from conftest import SUBSCRIPTION, unique
from emulator_process import EmulatorProcess
from sdk_clients import Recorder, default_api_version, deviceupdate, resources

pytestmark = pytest.mark.clients


@pytest.fixture
def group(emulator: EmulatorProcess) -> str:
    name = unique("rg-")
    resources(emulator).resource_groups.create_or_update(name, {"location": "westus2"})
    return name


def test_account_lifecycle(emulator: EmulatorProcess, group: str) -> None:
    recorder = Recorder()
    client = deviceupdate(emulator, per_call_policies=[recorder])
    name = unique("Acct-")

    account = client.accounts.begin_create(group, name, Account(location="westus2")).result()

    assert account.provisioning_state == "Succeeded"
    assert account.host_name == f"{name.lower()}.api.adu.microsoft.com"
    assert account.sku == "Standard"
    assert account.public_network_access == "Enabled"
    assert [(loc.name, loc.role) for loc in account.locations] == [
        ("westus2", "Primary"),
        ("westcentralus", "Failover"),
    ]
    assert account.name == name
    assert account.system_data.created_at is not None
    put, first_poll = recorder.methods_and_paths()[:2]
    assert put[0] == "PUT" and put[2] == 201
    assert first_poll[1].startswith("/providers/Microsoft.DeviceUpdate/locations/WESTUS2/operationStatuses/")

    assert client.accounts.head(group, name) is True
    assert client.accounts.get(group, name.upper()).name == name
    assert [a.name for a in client.accounts.list_by_resource_group(group)] == [name]
    assert name in [a.name for a in client.accounts.list_by_subscription()]

    updated = client.accounts.begin_update(group, name, AccountUpdate(tags={"k": "v"})).result()
    assert updated.tags == {"k": "v"}
    assert updated.provisioning_state == "Succeeded"

    client.accounts.begin_delete(group, name).result()
    with pytest.raises(ResourceNotFoundError):
        client.accounts.get(group, name)
    with pytest.raises(ResourceNotFoundError):
        client.accounts.head(group, name)
    # Every call, polls included, went out at the SDK's default version.
    assert recorder.api_versions() == {default_api_version(client)}


def test_account_identities_get_ids(emulator: EmulatorProcess, group: str) -> None:
    client = deviceupdate(emulator)
    user_identity = (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/"
        "userAssignedIdentities/id1"
    )
    account = client.accounts.begin_create(
        group,
        unique("acct"),
        Account(
            location="westus2",
            identity=ManagedServiceIdentity(
                type="SystemAssigned,UserAssigned", user_assigned_identities={user_identity: {}}
            ),
        ),
    ).result()
    assert account.identity.principal_id and account.identity.tenant_id
    assigned = account.identity.user_assigned_identities[user_identity]
    assert assigned.principal_id and assigned.client_id


def test_create_answers_201_even_when_replacing(emulator: EmulatorProcess, group: str) -> None:
    client = deviceupdate(emulator)
    name = unique("acct")
    client.accounts.begin_create(group, name, Account(location="westus2")).result()
    replaced = client.accounts.begin_create(group, name, Account(location="westus2", sku="Free")).result()
    assert replaced.sku == "Free"
