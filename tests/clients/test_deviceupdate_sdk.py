"""azure-mgmt-deviceupdate, at its own default api-version (1.1.0: 2023-07-01): every operation group through
real LROs: accounts, instances, private endpoint connections, private link resources, connection proxies
(with their validate and updatePrivateEndpointProperties actions), check_name_availability and operations."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.deviceupdate.models import (
    Account,
    AccountUpdate,
    CheckNameAvailabilityRequest,
    DiagnosticStorageProperties,
    Instance,
    IotHubSettings,
    ManagedServiceIdentity,
    PrivateEndpointConnection,
    PrivateEndpointConnectionProxy,
    PrivateEndpointUpdate,
    PrivateLinkServiceConnection,
    PrivateLinkServiceConnectionState,
    PrivateLinkServiceProxy,
    RemotePrivateEndpoint,
    TagUpdate,
)
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


def new_account(emulator: EmulatorProcess, group: str) -> str:
    name = unique("acct")
    deviceupdate(emulator).accounts.begin_create(group, name, Account(location="westus2")).result()
    return name


HUB = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/hubs-rg/providers/Microsoft.Devices/IotHubs/sdk-hub-0123456789"
STORAGE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/adu-rg/providers/Microsoft.Storage/storageAccounts/adulogs"
ENDPOINT = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/net-rg/providers/Microsoft.Network/privateEndpoints/pe1"


def test_instance_lifecycle(emulator: EmulatorProcess, group: str) -> None:
    recorder = Recorder()
    client = deviceupdate(emulator, per_call_policies=[recorder])
    account = new_account(emulator, group)

    instance = client.instances.begin_create(
        group,
        account,
        "inst1",
        Instance(
            location="westus2",
            iot_hubs=[IotHubSettings(resource_id=HUB)],
            enable_diagnostics=True,
            diagnostic_storage_properties=DiagnosticStorageProperties(
                authentication_type="KeyBased", resource_id=STORAGE, connection_string="secret"
            ),
        ),
    ).result()
    assert instance.provisioning_state == "Succeeded"
    assert instance.account_name == account
    assert [hub.resource_id for hub in instance.iot_hubs] == [HUB]
    assert instance.enable_diagnostics is True
    assert instance.diagnostic_storage_properties.resource_id == STORAGE
    assert instance.diagnostic_storage_properties.connection_string is None  # x-ms-secret: never answered
    assert recorder.methods_and_paths()[0][2] == 201

    assert client.instances.head(group, account, "inst1") is True
    assert client.instances.get(group, account, "INST1").name == "inst1"
    assert [i.name for i in client.instances.list_by_account(group, account)] == ["inst1"]
    updated = client.instances.update(group, account, "inst1", TagUpdate(tags={"env": "test"}))
    assert updated.tags == {"env": "test"}
    assert updated.provisioning_state == "Succeeded"

    client.instances.begin_delete(group, account, "inst1").result()
    with pytest.raises(ResourceNotFoundError):
        client.instances.get(group, account, "inst1")
    with pytest.raises(ResourceNotFoundError):
        client.instances.head(group, account, "inst1")
    assert list(client.instances.list_by_account(group, account)) == []
    assert recorder.api_versions() == {default_api_version(client)}


def test_private_endpoint_connections(emulator: EmulatorProcess, group: str) -> None:
    recorder = Recorder()
    client = deviceupdate(emulator, per_call_policies=[recorder])
    account = new_account(emulator, group)

    connection = client.private_endpoint_connections.begin_create_or_update(
        group,
        account,
        "pe1.conn",
        PrivateEndpointConnection(
            private_link_service_connection_state=PrivateLinkServiceConnectionState(
                status="Approved", description="Auto-Approved"
            )
        ),
    ).result()
    assert connection.provisioning_state == "Succeeded"
    assert connection.private_link_service_connection_state.status == "Approved"
    assert connection.private_link_service_connection_state.actions_required == "None"
    assert client.private_endpoint_connections.get(group, account, "pe1.conn").name == "pe1.conn"
    assert [c.name for c in client.private_endpoint_connections.list_by_account(group, account)] == ["pe1.conn"]
    listed_by_account = client.accounts.get(group, account).private_endpoint_connections
    assert [c.name for c in listed_by_account] == ["pe1.conn"]

    client.private_endpoint_connections.begin_delete(group, account, "pe1.conn").result()
    with pytest.raises(ResourceNotFoundError):
        client.private_endpoint_connections.get(group, account, "pe1.conn")
    assert not client.accounts.get(group, account).private_endpoint_connections
    assert recorder.api_versions() == {default_api_version(client)}


def test_private_link_resources(emulator: EmulatorProcess, group: str) -> None:
    client = deviceupdate(emulator)
    account = new_account(emulator, group)
    [group_information] = client.private_link_resources.list_by_account(group, account)
    assert group_information.name == "adu"
    assert group_information.group_id == "adu"
    assert group_information.required_members == ["adu"]
    assert group_information.required_zone_names == ["privatelink.adu.microsoft.com"]
    got = client.private_link_resources.get(group, account, "adu")
    assert got.id == group_information.id
    with pytest.raises(ResourceNotFoundError):
        client.private_link_resources.get(group, account, "other")


def test_private_endpoint_connection_proxies(emulator: EmulatorProcess, group: str) -> None:
    recorder = Recorder()
    client = deviceupdate(emulator, per_call_policies=[recorder])
    account = new_account(emulator, group)
    proxy = PrivateEndpointConnectionProxy(
        remote_private_endpoint=RemotePrivateEndpoint(
            id=ENDPOINT,
            location="westus2",
            immutable_subscription_id=SUBSCRIPTION,
            immutable_resource_id=ENDPOINT,
            manual_private_link_service_connections=[
                PrivateLinkServiceConnection(name="pe1", group_ids=["DeviceUpdate"], request_message="Please approve")
            ],
            private_link_service_proxies=[
                PrivateLinkServiceProxy(
                    id=f"{ENDPOINT}/privateLinkServiceProxies/pe1", group_connectivity_information=[]
                )
            ],
        )
    )

    created = client.private_endpoint_connection_proxies.begin_create_or_update(group, account, "pe1.proxy", proxy)
    result = created.result()
    assert result.provisioning_state == "Succeeded"
    assert result.remote_private_endpoint.id == ENDPOINT
    [link_proxy] = result.remote_private_endpoint.private_link_service_proxies
    assert [(g.group_id, g.member_name) for g in link_proxy.group_connectivity_information] == [("DeviceUpdate", "adu")]
    assert client.private_endpoint_connection_proxies.validate(group, account, "pe1.proxy", proxy) is None
    assert (
        client.private_endpoint_connection_proxies.update_private_endpoint_properties(
            group,
            account,
            "pe1.proxy",
            PrivateEndpointUpdate(id=ENDPOINT, location="westus2", vnet_traffic_tag="12345678"),
        )
        is None
    )
    assert client.private_endpoint_connection_proxies.get(group, account, "pe1.proxy").name == "pe1.proxy"
    listed = client.private_endpoint_connection_proxies.list_by_account(group, account)
    assert [p.name for p in listed] == ["pe1.proxy"]

    client.private_endpoint_connection_proxies.begin_delete(group, account, "pe1.proxy").result()
    with pytest.raises(ResourceNotFoundError):
        client.private_endpoint_connection_proxies.get(group, account, "pe1.proxy")
    assert recorder.api_versions() == {default_api_version(client)}


def test_check_name_availability(emulator: EmulatorProcess, group: str) -> None:
    client = deviceupdate(emulator)
    name = unique("acct")
    request = CheckNameAvailabilityRequest(name=name, type="Microsoft.DeviceUpdate/accounts")
    assert client.check_name_availability(request).name_available is True
    client.accounts.begin_create(group, name, Account(location="westus2")).result()
    taken = client.check_name_availability(request)
    assert (taken.name_available, taken.reason) == (False, "AlreadyExists")
    assert taken.message == "Resource name already exists"
    invalid = client.check_name_availability(CheckNameAvailabilityRequest(name="-x-", type=request.type))
    assert (invalid.name_available, invalid.reason) == (False, "Invalid")


def test_operations_list(emulator: EmulatorProcess) -> None:
    operations = list(deviceupdate(emulator).operations.list())
    assert len(operations) == 31
    names = {op.name for op in operations}
    assert "Microsoft.DeviceUpdate/accounts/instances/write" in names
    assert "Microsoft.DeviceUpdate/checkNameAvailability/action" in names
    write = next(op for op in operations if op.name == "Microsoft.DeviceUpdate/accounts/write")
    assert (write.display.resource, write.display.operation) == ("Device Update Account", "Create/Update Account")
    assert write.is_data_action is False and write.origin == "user,system"
