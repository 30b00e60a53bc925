"""azure-mgmt-resource's SubscriptionClient (locations) and ResourceManagementClient (providers), and
azure-mgmt-core's auto-registration, as real clients call them over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from azure.mgmt.core.policies import _base as registration_policy
from azure.mgmt.healthcareapis.models import Workspace
from azure.mgmt.resource.subscriptions import SubscriptionClient
from conftest import SUBSCRIPTION, StaticCredential, unique
from emulator_process import EmulatorProcess
from sdk_clients import Recorder, api_version_of, client_options, healthcare, resources

from arm_emulator.arm.regions import REGIONS

pytestmark = pytest.mark.clients


def test_list_locations(emulator: EmulatorProcess) -> None:
    client = SubscriptionClient(StaticCredential(), **client_options(emulator))
    locations = {location.name: location for location in client.subscriptions.list_locations(SUBSCRIPTION)}
    assert set(locations) == {region.name for region in REGIONS}
    westus2 = locations["westus2"]
    assert (westus2.display_name, westus2.regional_display_name, westus2.type) == (
        "West US 2",
        "(US) West US 2",
        "Region",
    )
    assert westus2.metadata.region_type == "Physical"
    assert (westus2.metadata.geography, westus2.metadata.geography_group) == ("United States", "US")
    assert (westus2.metadata.latitude, westus2.metadata.longitude) == ("47.233", "-119.852")
    assert [pair.name for pair in westus2.metadata.paired_region] == ["westcentralus"]
    assert westus2.metadata.paired_region[0].id == f"/subscriptions/{SUBSCRIPTION}/locations/westcentralus"


def test_providers_list_get_unregister_register(emulator: EmulatorProcess) -> None:
    client = resources(emulator)
    declared = {"Microsoft.HealthcareApis", "Microsoft.DeviceUpdate"}
    listed = client.providers.list()
    # Besides the declared ones: namespaces of types other tests stored generically, each with its types.
    assert declared <= {p.namespace for p in listed}
    assert all(p.resource_types for p in client.providers.list() if p.namespace not in declared)
    provider = client.providers.get("Microsoft.DeviceUpdate")
    assert provider.registration_state == "Registered"
    accounts = next(t for t in provider.resource_types if t.resource_type == "accounts")
    assert "2023-07-01" in accounts.api_versions and "West US 2" in accounts.locations
    assert client.providers.unregister("Microsoft.DeviceUpdate").registration_state == "Unregistering"
    assert client.providers.get("Microsoft.DeviceUpdate").registration_state == "Unregistered"
    assert client.providers.register("Microsoft.DeviceUpdate").registration_state == "Registering"
    assert client.providers.get("Microsoft.DeviceUpdate").registration_state == "Registered"
    tenant = client.providers.get_at_tenant_scope("Microsoft.HealthcareApis")
    assert tenant.id == "/providers/Microsoft.HealthcareApis"
    assert declared <= {p.namespace for p in client.providers.list_at_tenant_scope()}


@pytest.fixture(scope="module")
def registering_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("sdk-registration"), require_provider_registration="true").start()
    yield process
    process.stop()


def test_auto_registration_registers_the_namespace_and_retries(
    registering_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """azure-mgmt-core's ARMAutoResourceProviderRegistrationPolicy reads the 409, POSTs register and
    GETs the provider until it is Registered, then sends the write again (its 10 s pause skipped)."""
    monkeypatch.setattr(registration_policy, "time", SimpleNamespace(sleep=lambda seconds: None))
    group = unique("rg-")
    resources(registering_emulator).resource_groups.create_or_update(group, {"location": "eastus"})
    recorder = Recorder()
    client = healthcare(registering_emulator, per_retry_policies=[recorder])  # inside the registration policy
    workspace = client.workspaces.begin_create_or_update(group, unique("ws"), Workspace(location="eastus")).result()
    assert workspace.properties.provisioning_state == "Succeeded"
    provider_calls = [(m, url.split("?")[0].rsplit("/", 2)[1:], s) for m, url, s in recorder.calls[:4]]
    assert [(m, s) for m, _, s in provider_calls] == [("PUT", 409), ("POST", 200), ("GET", 200), ("PUT", 201)]
    assert provider_calls[1][1] == ["Microsoft.HealthcareApis", "register"]
    assert api_version_of(recorder.calls[1][1]) == api_version_of(recorder.calls[2][1]) == "2016-02-01"
    state = resources(registering_emulator).providers.get("Microsoft.HealthcareApis").registration_state
    assert state == "Registered"
