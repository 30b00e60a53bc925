"""What clients read before anything else: cloud metadata, subscriptions, tenants, providers."""

from __future__ import annotations

import httpx
from conftest import SUBSCRIPTION
from emulator_process import EmulatorProcess

from arm_emulator.providers.healthcareapis import PROVIDER as HEALTHCARE


def test_cloud_metadata_in_each_shape_points_back_at_the_emulator(emulator: EmulatorProcess) -> None:
    with httpx.Client(base_url=emulator.url, verify=emulator.verify) as anonymous:  # no token needed
        current = anonymous.get("/metadata/endpoints?api-version=2022-09-01")
        listed = anonymous.get("/metadata/endpoints?api-version=2019-05-01")
        stack = anonymous.get("/metadata/endpoints?api-version=1.0")
    assert current.status_code == 200
    cloud = current.json()
    assert cloud["name"] == "ArmEmulator"
    assert cloud["resourceManager"] == f"{emulator.url}/"
    assert cloud["authentication"] == {
        "loginEndpoint": emulator.url,
        "audiences": [f"{emulator.url}/", emulator.url],
        "tenant": "common",
        "identityProvider": "AAD",
    }
    assert cloud["microsoftGraphResourceId"].startswith(emulator.url)
    assert cloud["suffixes"]["keyVaultDns"] == "vault.azure.net"  # no leading dot
    # Every endpoint-valued field is the emulator's.
    urls = [v for v in cloud.values() if isinstance(v, str) and v.startswith("https://")]
    assert urls and all(u.startswith(emulator.url) for u in urls)
    assert listed.json() == [cloud]
    assert stack.json()["authentication"]["loginEndpoint"] == f"{emulator.url}/"
    assert set(stack.json()) == {"galleryEndpoint", "graphEndpoint", "portalEndpoint", "authentication"}


def test_subscriptions_and_tenants(http: httpx.Client, emulator: EmulatorProcess) -> None:
    identity = emulator.identity
    listed = http.get("/subscriptions?api-version=2022-12-01").json()["value"]
    default = next(s for s in listed if s["subscriptionId"] == identity["subscriptionId"])
    assert default["tenantId"] == identity["tenantId"]
    assert default["state"] == "Enabled"
    assert default["id"] == f"/subscriptions/{identity['subscriptionId']}"
    one = http.get(f"/subscriptions/{SUBSCRIPTION}?api-version=2016-06-01")
    assert one.status_code == 200 and one.json()["subscriptionId"] == SUBSCRIPTION
    tenants = http.get("/tenants?api-version=2022-12-01").json()["value"]
    assert [t["tenantId"] for t in tenants] == [identity["tenantId"]]


def test_provider_documents_list_exactly_what_is_served(http: httpx.Client) -> None:
    providers = http.get(f"/subscriptions/{SUBSCRIPTION}/providers?api-version=2021-04-01").json()["value"]
    declared = {"Microsoft.HealthcareApis", "Microsoft.DeviceUpdate"}
    assert declared <= {p["namespace"] for p in providers}
    # Besides: the namespaces of types stored generically by earlier tests, each with those types.
    assert all(p["resourceTypes"] for p in providers if p["namespace"] not in declared)
    healthcare = http.get(f"/subscriptions/{SUBSCRIPTION}/providers/microsoft.healthcareapis?api-version=2024-11-01")
    assert healthcare.status_code == 200
    types = {t["resourceType"]: t["apiVersions"] for t in healthcare.json()["resourceTypes"]}
    served = {"/".join(rt.type_segments): sorted(rt.api_versions, reverse=True) for rt in HEALTHCARE.resource_types}
    assert types == served
    assert "2024-03-31" in types["workspaces"]  # what azure-mgmt-healthcareapis 2.1.0 sends
    assert healthcare.json()["registrationState"] == "Registered"
    registered = http.post(
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.DeviceUpdate/register?api-version=2016-02-01"
    )
    assert (registered.status_code, registered.json()["registrationState"]) == (200, "Registered")
    unused = http.get(f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Nope?api-version=2021-04-01")
    assert (unused.status_code, unused.json()["resourceTypes"]) == (200, [])  # generic, nothing stored yet
    unknown = http.get(f"/subscriptions/{SUBSCRIPTION}/providers/Nope?api-version=2021-04-01")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "InvalidResourceNamespace")
    operations = http.get("/providers/Microsoft.DeviceUpdate/operations?api-version=2023-07-01").json()["value"]
    names = {o["name"] for o in operations}
    assert {"Microsoft.DeviceUpdate/register/action", "Microsoft.DeviceUpdate/accounts/write"} <= names
