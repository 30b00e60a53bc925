"""ARM's locations and provider registry over raw HTTP: every region of the table with its metadata,
at subscription and tenant scope; provider documents at both scopes, at every api-version clients send;
registration kept as state, and (with --require-provider-registration) writes refused until registered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION, advance_one_step, arm_path, unique
from emulator_process import EmulatorProcess

from arm_emulator.arm.regions import REGIONS, display_name, paired_region
from arm_emulator.providers.deviceupdate import PROVIDER as DEVICE_UPDATE
from arm_emulator.providers.healthcareapis import PROVIDER as HEALTHCARE

SUB = f"/subscriptions/{SUBSCRIPTION}"
NAMESPACES = {"Microsoft.HealthcareApis", "Microsoft.DeviceUpdate"}


def declared_namespaces(documents: list[dict[str, Any]]) -> set[str]:
    """The namespaces listed, less those of types other tests stored generically (listed with them)."""
    generic = {d["namespace"] for d in documents if d["namespace"] not in NAMESPACES and d["resourceTypes"]}
    return {d["namespace"] for d in documents} - generic


def test_subscription_locations_list_every_region_with_arms_metadata(http: httpx.Client) -> None:
    response = http.get(f"{SUB}/locations?api-version=2022-12-01")
    assert response.status_code == 200, response.text
    listed = {location["name"]: location for location in response.json()["value"]}
    assert set(listed) == {region.name for region in REGIONS}
    assert listed["eastus"] == {
        "id": f"{SUB}/locations/eastus",
        "name": "eastus",
        "type": "Region",
        "displayName": "East US",
        "regionalDisplayName": "(US) East US",
        "metadata": {
            "regionType": "Physical",
            "regionCategory": "Recommended",
            "geography": "United States",
            "geographyGroup": "US",
            "longitude": "-79.8164",
            "latitude": "37.3719",
            "physicalLocation": "Virginia",
            "pairedRegion": [{"name": "westus", "id": f"{SUB}/locations/westus"}],
        },
    }
    for name, location in listed.items():
        pair = paired_region(name)
        assert [p["name"] for p in location["metadata"]["pairedRegion"]] == ([pair] if pair else [])
        assert location["displayName"] == display_name(name)
    assert listed["westus3"]["metadata"]["pairedRegion"][0]["name"] == "eastus"  # one-way pair
    assert listed["mexicocentral"]["metadata"]["pairedRegion"] == []


def test_locations_take_the_shape_of_the_version_asked_for(http: httpx.Client) -> None:
    old = http.get(f"{SUB}/locations?api-version=2016-06-01").json()["value"]
    westus2 = next(location for location in old if location["name"] == "westus2")
    assert westus2 == {
        "id": f"{SUB}/locations/westus2",
        "name": "westus2",
        "subscriptionId": SUBSCRIPTION,
        "displayName": "West US 2",
        "latitude": "47.233",
        "longitude": "-119.852",
    }
    middle = http.get(f"{SUB}/locations?api-version=2019-11-01").json()["value"][0]
    assert "type" not in middle and "geography" not in middle["metadata"]
    assert middle["regionalDisplayName"].startswith("(")
    refused = http.get(f"{SUB}/locations?api-version=2014-01-01")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "InvalidApiVersionParameter")
    missing = http.get(f"{SUB}/locations")
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "MissingApiVersionParameter")


def test_tenant_locations_have_no_subscription_in_their_ids(http: httpx.Client) -> None:
    response = http.get("/locations?api-version=2022-12-01")
    assert response.status_code == 200, response.text
    westeurope = next(location for location in response.json()["value"] if location["name"] == "westeurope")
    assert westeurope["id"] == "/locations/westeurope"
    assert westeurope["metadata"]["pairedRegion"] == [{"name": "northeurope", "id": "/locations/northeurope"}]


def test_provider_documents_name_locations_from_the_region_table(http: httpx.Client) -> None:
    document = http.get(f"{SUB}/providers/Microsoft.DeviceUpdate?api-version=2021-04-01").json()
    accounts = next(t for t in document["resourceTypes"] if t["resourceType"] == "accounts")
    assert accounts["locations"] == [display_name(location) for location in DEVICE_UPDATE.locations]
    assert all(location in {r.display_name for r in REGIONS} for location in accounts["locations"])


@pytest.mark.parametrize("api_version", ["2015-01-01", "2016-02-01", "2021-04-01", "2025-04-01", "2026-01-01"])
def test_provider_documents_answer_every_version_clients_send(http: httpx.Client, api_version: str) -> None:
    listed = http.get(f"{SUB}/providers?api-version={api_version}")
    assert listed.status_code == 200, listed.text
    assert declared_namespaces(listed.json()["value"]) == NAMESPACES
    one = http.get(f"/providers/microsoft.healthcareapis?api-version={api_version}")
    assert one.status_code == 200, one.text


def test_tenant_provider_documents_list_what_is_served_without_registration(http: httpx.Client) -> None:
    listed = http.get("/providers?api-version=2021-04-01").json()["value"]
    assert declared_namespaces(listed) == NAMESPACES
    healthcare = http.get("/providers/Microsoft.HealthcareApis?api-version=2021-04-01").json()
    assert healthcare["id"] == "/providers/Microsoft.HealthcareApis"
    assert "registrationState" not in healthcare
    types = {t["resourceType"]: t["apiVersions"] for t in healthcare["resourceTypes"]}
    assert types == {
        "/".join(rt.type_segments): sorted(rt.api_versions, reverse=True) for rt in HEALTHCARE.resource_types
    }
    unknown = http.get("/providers/Nope?api-version=2021-04-01")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "InvalidResourceNamespace")
    refused = http.get("/providers?api-version=2014-01-01")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "InvalidApiVersionParameter")


def _state(http: httpx.Client, subscription: str, namespace: str) -> str:
    response = http.get(f"/subscriptions/{subscription}/providers/{namespace}?api-version=2021-04-01")
    assert response.status_code == 200, response.text
    state: str = response.json()["registrationState"]
    return state


def _post(http: httpx.Client, subscription: str, namespace: str, action: str) -> str:
    response = http.post(f"/subscriptions/{subscription}/providers/{namespace}/{action}?api-version=2021-04-01")
    assert response.status_code == 200, response.text
    state: str = response.json()["registrationState"]
    return state


def test_unregister_and_register_walk_through_arms_states(stepping_emulator: EmulatorProcess) -> None:
    """A transition takes one provisioning step: the stepping emulator shows each state in turn."""
    subscription = "0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8"
    with stepping_emulator.client() as http:
        assert _state(http, subscription, "Microsoft.DeviceUpdate") == "Registered"
        assert _post(http, subscription, "Microsoft.DeviceUpdate", "unregister") == "Unregistering"
        assert _state(http, subscription, "Microsoft.DeviceUpdate") == "Unregistering"
        advance_one_step(http)
        assert _state(http, subscription, "microsoft.deviceupdate") == "Unregistered"
        assert _post(http, subscription, "Microsoft.DeviceUpdate", "unregister") == "Unregistered"
        listed = http.get(f"/subscriptions/{subscription}/providers?api-version=2021-04-01").json()["value"]
        assert {p["namespace"]: p["registrationState"] for p in listed if p["namespace"] in NAMESPACES} == {
            "Microsoft.HealthcareApis": "Registered",
            "Microsoft.DeviceUpdate": "Unregistered",
        }
        assert _post(http, subscription, "Microsoft.DeviceUpdate", "register") == "Registering"
        assert _state(http, subscription, "Microsoft.DeviceUpdate") == "Registering"
        advance_one_step(http)
        assert _state(http, subscription, "Microsoft.DeviceUpdate") == "Registered"
        assert _post(http, subscription, "Microsoft.DeviceUpdate", "register") == "Registered"
        unknown = http.post(f"/subscriptions/{subscription}/providers/Nope/register?api-version=2021-04-01")
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "InvalidResourceNamespace")
        # A namespace the emulator would store generically is registered like a served one.
        assert _post(http, subscription, "Microsoft.Nope", "register") == "Registered"  # Registered by default


def test_without_the_setting_an_unregistered_namespace_still_takes_writes(http: httpx.Client) -> None:
    subscription = "1c2d3e4f-5061-4b72-8c83-a4b5c6d7e8f9"
    assert _post(http, subscription, "Microsoft.HealthcareApis", "unregister") == "Unregistering"
    assert _state(http, subscription, "Microsoft.HealthcareApis") == "Unregistered"
    group = unique("rg-")
    path = f"/subscriptions/{subscription}/resourceGroups/{group}"
    assert http.put(f"{path}?api-version=2021-04-01", json={"location": "eastus"}).status_code == 201
    workspace = f"{path}/providers/Microsoft.HealthcareApis/workspaces/{unique('ws')}?api-version=2024-03-31"
    assert http.put(workspace, json={"location": "eastus"}).status_code in (200, 201)


@pytest.fixture(scope="module")
def registering_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("registration"), require_provider_registration="true").start()
    yield process
    process.stop()


def test_with_the_setting_writes_need_the_namespace_registered(registering_emulator: EmulatorProcess) -> None:
    with registering_emulator.client() as http:
        assert _state(http, SUBSCRIPTION, "Microsoft.HealthcareApis") == "NotRegistered"
        group = unique("rg-")
        # ARM's own resource groups need no registration.
        assert (
            http.put(f"{SUB}/resourceGroups/{group}?api-version=2021-04-01", json={"location": "eastus"}).status_code
            == 201
        )
        workspace = arm_path(group, "workspaces", unique("ws")) + "?api-version=2024-03-31"
        refused = http.put(workspace, json={"location": "eastus"})
        message = (
            "The subscription is not registered to use namespace 'Microsoft.HealthcareApis'. "
            "See https://aka.ms/rps-not-found for how to register subscriptions."
        )
        assert refused.status_code == 409
        assert refused.json() == {
            "error": {
                "code": "MissingSubscriptionRegistration",
                "message": message,
                "details": [
                    {
                        "code": "MissingSubscriptionRegistration",
                        "target": "Microsoft.HealthcareApis",
                        "message": message,
                    }
                ],
            }
        }
        # Reads are not refused: the resource is simply not there.
        assert http.get(workspace).status_code == 404
        check = f"{SUB}/providers/Microsoft.HealthcareApis/checkNameAvailability?api-version=2024-03-31"
        assert http.post(check, json={"name": "x", "type": "Microsoft.HealthcareApis/services"}).status_code == 409
        assert _post(http, SUBSCRIPTION, "Microsoft.HealthcareApis", "register") == "Registering"
        assert _state(http, SUBSCRIPTION, "Microsoft.HealthcareApis") == "Registered"
        assert http.put(workspace, json={"location": "eastus"}).status_code == 201
        # The other namespace is still not registered.
        assert _state(http, SUBSCRIPTION, "Microsoft.DeviceUpdate") == "NotRegistered"
        account = (
            arm_path(group, "accounts", unique("acct"), namespace="Microsoft.DeviceUpdate") + "?api-version=2023-07-01"
        )
        assert http.put(account, json={"location": "westus2"}).status_code == 409
        # Unregistering refuses writes again, deletes included.
        assert _post(http, SUBSCRIPTION, "Microsoft.HealthcareApis", "unregister") == "Unregistering"
        assert http.delete(workspace).status_code == 409


def test_a_reset_forgets_registrations(registering_emulator: EmulatorProcess) -> None:
    subscription = "2d3e4f50-6172-4c83-9d94-b5c6d7e8f90a"
    with registering_emulator.client() as http:
        _post(http, subscription, "Microsoft.DeviceUpdate", "register")
        _post(http, subscription, "Microsoft.HealthcareApis", "register")
        assert http.post("/_emulator/reset?provider=Microsoft.DeviceUpdate").status_code in (200, 204)
        assert _state(http, subscription, "Microsoft.DeviceUpdate") == "NotRegistered"
        assert _state(http, subscription, "Microsoft.HealthcareApis") == "Registered"
        assert http.post(f"/_emulator/reset?subscription={subscription}").status_code in (200, 204)
        assert _state(http, subscription, "Microsoft.HealthcareApis") == "NotRegistered"
