"""Types no provider here declares, through azure-mgmt-resource's generic resources API (what
inventory and clean-up code uses): create by id, get, update tags, list with a filter, delete."""

from __future__ import annotations

import uuid

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.resource.resources.models import GenericResource, Identity, Sku
from conftest import unique
from emulator_process import EmulatorProcess
from sdk_clients import resources

pytestmark = pytest.mark.clients


def test_storage_account_iot_hub_identity_and_role_assignment_round_trip(emulator: EmulatorProcess) -> None:
    client = resources(emulator)
    group = client.resource_groups.create_or_update(unique("rg-"), {"location": "eastus"})
    identity = client.resources.begin_create_or_update_by_id(
        f"{group.id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{unique('id')}",
        GenericResource(location="eastus"),
        api_version="2023-01-31",
    ).result()
    assert uuid.UUID(identity.properties["principalId"]) and uuid.UUID(identity.properties["clientId"])

    account_id = f"{group.id}/providers/Microsoft.Storage/storageAccounts/{unique('sa')}"
    account = client.resources.begin_create_or_update_by_id(
        account_id,
        GenericResource(
            location="eastus",
            kind="StorageV2",
            sku=Sku(name="Standard_LRS"),
            identity=Identity(type="UserAssigned", user_assigned_identities={identity.id: {}}),
            properties={"minimumTlsVersion": "TLS1_2"},
        ),
        api_version="2023-05-01",
    ).result()
    assert (account.kind, account.sku.name, account.properties["provisioningState"]) == (
        "StorageV2",
        "Standard_LRS",
        "Succeeded",
    )
    assigned = account.identity.user_assigned_identities[identity.id]
    assert assigned.principal_id == identity.properties["principalId"]

    hub_id = f"{group.id}/providers/Microsoft.Devices/IotHubs/{unique('hub')}"
    client.resources.begin_create_or_update_by_id(
        hub_id, GenericResource(location="eastus", sku=Sku(name="S1", capacity=1)), api_version="2023-06-30"
    ).result()
    assignment_id = f"{account_id}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
    role = {"roleDefinitionId": f"{group.id}/providers/Microsoft.Authorization/roleDefinitions/x", "principalId": "p"}
    assignment = client.resources.begin_create_or_update_by_id(
        assignment_id, GenericResource(properties=role), api_version="2022-04-01"
    ).result()
    assert assignment.properties["scope"] == account_id

    tagged = client.resources.begin_update_by_id(
        account_id, GenericResource(tags={"t": "1"}), api_version="2023-05-01"
    ).result()
    assert tagged.tags == {"t": "1"}
    assert client.resources.check_existence_by_id(hub_id, api_version="2023-06-30")

    listed = client.resources.list_by_resource_group(group.name)
    assert {r.type for r in listed} == {
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Devices/IotHubs",
    }  # the role assignment is a proxy resource: not in the list
    only_storage = client.resources.list_by_resource_group(
        group.name, filter="resourceType eq 'Microsoft.Storage/storageAccounts'"
    )
    assert [r.id for r in only_storage] == [account_id]

    for resource_id, version in ((account_id, "2023-05-01"), (hub_id, "2023-06-30")):
        client.resources.begin_delete_by_id(resource_id, api_version=version).result()
        with pytest.raises(ResourceNotFoundError):
            client.resources.get_by_id(resource_id, api_version=version)
    with pytest.raises(ResourceNotFoundError):  # it went with the account it was on
        client.resources.get_by_id(assignment_id, api_version="2022-04-01")
    client.resource_groups.begin_delete(group.name).result()


def test_what_storage_and_iot_hub_compute_and_make_reads_through_the_generic_api(emulator: EmulatorProcess) -> None:
    client = resources(emulator)
    group = client.resource_groups.create_or_update(unique("rg-"), {"location": "eastus"})
    name = unique("st")
    account = client.resources.begin_create_or_update_by_id(
        f"{group.id}/providers/Microsoft.Storage/storageAccounts/{name}",
        GenericResource(location="eastus", kind="StorageV2", sku=Sku(name="Standard_LRS")),
        api_version="2023-05-01",
    ).result()
    assert account.properties["primaryEndpoints"]["dfs"] == f"https://{name}.dfs.core.windows.net/"
    assert account.sku.tier == "Standard"
    blob_service = client.resources.get_by_id(f"{account.id}/blobServices/default", api_version="2023-05-01")
    assert (blob_service.name, blob_service.type) == ("default", "Microsoft.Storage/storageAccounts/blobServices")
    container = client.resources.begin_create_or_update_by_id(
        f"{blob_service.id}/containers/data", GenericResource(properties={}), api_version="2023-05-01"
    ).result()
    assert container.type == "Microsoft.Storage/storageAccounts/blobServices/containers"

    hub_name = unique("hub")
    hub = client.resources.begin_create_or_update_by_id(
        f"{group.id}/providers/Microsoft.Devices/IotHubs/{hub_name}",
        GenericResource(location="eastus", sku=Sku(name="S1", capacity=1)),
        api_version="2023-06-30",
    ).result()
    assert hub.properties["hostName"] == f"{hub_name}.azure-devices.net"
    assert client.resources.check_existence_by_id(
        f"{hub.id}/eventHubEndpoints/events/ConsumerGroups/$Default", api_version="2023-06-30"
    )
    # What the services make with their parents are proxy resources: not in the group's list.
    assert {r.id for r in client.resources.list_by_resource_group(group.name)} == {account.id, hub.id}
    client.resource_groups.begin_delete(group.name).result()
