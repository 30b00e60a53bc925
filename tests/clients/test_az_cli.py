"""The real Azure CLI against the emulator: cloud register, service-principal login, groups, `az resource`
(by id and by parts, declared and generic types), `az lock`, `az identity`, `az role assignment`.

The emulator runs with `auth_mode=strict`, so every ARM call below carries a token az got from the
emulator's own Entra endpoints. `make test-clients` installs azure-cli and sets ARM_EMULATOR_AZ.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from azcli import CLOUD, AzCli, Result
from conftest import REPO_ROOT, unique
from emulator_process import EmulatorProcess

pytestmark = pytest.mark.azcli

HEALTHCARE = "Microsoft.HealthcareApis"
DEVICE_UPDATE = "Microsoft.DeviceUpdate"


@pytest.fixture(scope="module")
def strict_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("azcli-emulator"), auth_mode="strict").start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def identity(strict_emulator: EmulatorProcess) -> dict[str, Any]:
    """The default tenant, subscription and service principal the emulator made on first start."""
    return strict_emulator.identity


def new_az(emulator: EmulatorProcess, factory: pytest.TempPathFactory) -> AzCli:
    return AzCli(emulator, factory.mktemp("azure-config"))


@pytest.fixture(scope="module")
def az(strict_emulator: EmulatorProcess, identity: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> AzCli:
    """An az logged in to the emulator cloud as the default service principal."""
    cli = new_az(strict_emulator, tmp_path_factory)
    cli.use_emulator_cloud()
    login = cli.login(identity["app"]["client_id"], identity["app"]["client_secret"], identity["tenantId"])
    assert login.returncode == 0, login.stderr
    return cli


@pytest.fixture(scope="module")
def group(az: AzCli) -> str:
    name = unique("rg-az-")
    az("group", "create", "--name", name, "--location", "eastus")
    return name


def resource_id(identity: dict[str, Any], group: str, namespace: str, *pairs: str) -> str:
    return f"/subscriptions/{identity['subscriptionId']}/resourceGroups/{group}/providers/{namespace}/" + "/".join(
        pairs
    )


def create(az: AzCli, id_: str, location: str, *, debug: bool = False) -> Result:
    """`az resource create` as a user types it: no --api-version, an empty property bag (the emulator fills
    in the defaults)."""
    args = ("resource", "create", "--id", id_, "--location", location, "--properties", "{}")
    return az.ok(*args, debug=debug)


def provider_versions(az: AzCli, namespace: str, type_name: str) -> list[str]:
    """The api-versions the provider document lists for a type, in its order, as az reads them."""
    provider = az("provider", "show", "--namespace", namespace)
    [entry] = [t for t in provider["resourceTypes"] if t["resourceType"].lower() == type_name.lower()]
    versions: list[str] = entry["apiVersions"]
    return versions


def newest_stable(az: AzCli, namespace: str, type_name: str) -> str:
    """What `az resource` calls without --api-version: the newest non-preview version of the type (of its
    top-level parent for a child type: az reads `workspaces` for `workspaces/dicomservices`)."""
    return max(v for v in provider_versions(az, namespace, type_name.split("/")[0]) if "preview" not in v)


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def paths(wire: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    return [(method, urlsplit(url).path, status) for method, url, status in wire]


def api_version(url: str) -> str:
    return parse_qs(urlsplit(url).query)["api-version"][0]


# -- Cloud and login -------------------------------------------------------------------------------


def test_cloud_register_reads_every_endpoint_from_the_emulator_metadata(
    strict_emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cli = new_az(strict_emulator, tmp_path_factory)
    cli.use_emulator_cloud()

    cloud = cli("cloud", "show")
    url = strict_emulator.url
    assert cloud["name"] == CLOUD
    assert cloud["isActive"] is True
    endpoints = cloud["endpoints"]
    # Given on the command line (az keeps it without the trailing slash).
    assert endpoints["resourceManager"].rstrip("/") == url
    # The rest only comes from /metadata/endpoints: loginEndpoint, audiences[0], the Graph audience.
    assert endpoints["activeDirectory"] == url
    assert endpoints["activeDirectoryResourceId"] == f"{url}/"
    assert endpoints["management"] == f"{url}/"
    assert endpoints["microsoftGraphResourceId"] == f"{url}/graph/"
    assert cloud["suffixes"]["storageEndpoint"] == "core.windows.net"
    assert CLOUD in [c["name"] for c in cli("cloud", "list") if c["isActive"]]


def test_service_principal_login_lists_the_default_subscription(
    strict_emulator: EmulatorProcess, identity: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    cli = new_az(strict_emulator, tmp_path_factory)
    cli.use_emulator_cloud()

    login = cli.login(identity["app"]["client_id"], identity["app"]["client_secret"], identity["tenantId"])

    assert login.returncode == 0, login.stderr
    [subscription] = login.json()
    assert subscription["id"] == identity["subscriptionId"]
    assert subscription["tenantId"] == identity["tenantId"]
    assert subscription["homeTenantId"] == identity["tenantId"]
    assert subscription["cloudName"] == CLOUD
    assert subscription["state"] == "Enabled"
    assert subscription["isDefault"] is True
    assert subscription["user"] == {"name": identity["app"]["client_id"], "type": "servicePrincipal"}


def test_login_with_a_wrong_secret_fails_with_the_entra_error(
    strict_emulator: EmulatorProcess, identity: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    cli = new_az(strict_emulator, tmp_path_factory)
    cli.use_emulator_cloud()

    login = cli.login(identity["app"]["client_id"], "not-the-secret", identity["tenantId"])

    assert login.returncode != 0
    assert "AADSTS7000215" in login.stderr or "invalid_client" in login.stderr, login.stderr
    assert identity["app"]["client_id"] in login.stderr
    assert cli("account", "list") == []


# -- Account and token -----------------------------------------------------------------------------


def test_account_show_is_the_default_subscription(az: AzCli, identity: dict[str, Any]) -> None:
    account = az("account", "show")

    assert account["id"] == identity["subscriptionId"]
    assert account["tenantId"] == identity["tenantId"]
    assert account["state"] == "Enabled"
    assert account["environmentName"] == CLOUD
    assert account["user"] == {"name": identity["app"]["client_id"], "type": "servicePrincipal"}


def test_access_token_is_an_emulator_jwt_that_strict_arm_accepts(
    az: AzCli, identity: dict[str, Any], strict_emulator: EmulatorProcess
) -> None:
    issued = az("account", "get-access-token")

    assert issued["tokenType"] == "Bearer"
    assert issued["subscription"] == identity["subscriptionId"]
    assert issued["tenant"] == identity["tenantId"]
    claims = jwt_claims(issued["accessToken"])
    assert claims["tid"] == identity["tenantId"]
    assert claims["appid"] == identity["app"]["client_id"]
    assert claims["oid"] == identity["app"]["object_id"]
    # az asks for `<audiences[0]>/.default` = `https://host:port//.default`; the audience is ARM's own URL.
    assert claims["aud"] == f"{strict_emulator.url}/"
    # MSAL counts expires_in from when it sent the request, so its expiry may be a second early.
    assert claims["exp"] - claims["iat"] == 3600
    assert 0 <= claims["exp"] - issued["expires_on"] <= 5

    path = f"{strict_emulator.url}/subscriptions/{identity['subscriptionId']}?api-version=2022-12-01"
    with_token = httpx.get(
        path, headers={"Authorization": f"Bearer {issued['accessToken']}"}, verify=strict_emulator.verify
    )
    assert with_token.status_code == 200, with_token.text
    assert with_token.json()["subscriptionId"] == identity["subscriptionId"]
    forged = httpx.get(path, headers={"Authorization": "Bearer not-a-jwt"}, verify=strict_emulator.verify)
    assert forged.status_code == 401


# -- Resource groups -------------------------------------------------------------------------------


def test_group_create_and_show(az: AzCli, identity: dict[str, Any]) -> None:
    name = unique("rg-az-")
    created = az("group", "create", "--name", name, "--location", "eastus")

    expected_id = f"/subscriptions/{identity['subscriptionId']}/resourceGroups/{name}"
    assert created["id"] == expected_id
    assert created["name"] == name
    assert created["location"] == "eastus"
    assert created["properties"]["provisioningState"] == "Succeeded"

    shown = az.ok("group", "show", "--name", name, debug=True)
    assert shown.json() == created
    # az spells the segment in lower case; the emulator routes it anyway.
    [(method, url, status)] = shown.wire()
    assert (method, urlsplit(url).path, status) == ("GET", expected_id.replace("resourceGroups", "resourcegroups"), 200)


# -- az resource: HealthcareApis -------------------------------------------------------------------


def test_resource_create_workspace_and_dicom_service(az: AzCli, identity: dict[str, Any], group: str) -> None:
    workspace, dicom = unique("ws"), unique("dcm")
    workspace_id = resource_id(identity, group, "Microsoft.HealthcareApis", "workspaces", workspace)
    dicom_id = f"{workspace_id}/dicomservices/{dicom}"

    version = newest_stable(az, HEALTHCARE, "workspaces/dicomservices")
    created_workspace = create(az, workspace_id, "eastus").json()
    assert created_workspace["id"] == workspace_id
    assert created_workspace["type"] == "Microsoft.HealthcareApis/workspaces"
    assert created_workspace["properties"]["provisioningState"] == "Succeeded"

    creating = create(az, dicom_id, "eastus", debug=True)
    created = creating.json()
    assert created["id"] == dicom_id
    assert created["name"] == dicom
    assert created["type"] == "Microsoft.HealthcareApis/workspaces/dicomservices"
    assert created["location"] == "eastus"
    assert created["properties"]["provisioningState"] == "Succeeded"
    assert created["properties"]["serviceUrl"] == f"https://{workspace}-{dicom}.dicom.azurehealthcareapis.com"
    # The provider document, then 201 Creating with Azure-AsyncOperation; the first poll already sees
    # Succeeded; then the final GET: all at the newest stable version.
    provider, *wire = creating.wire()
    assert paths([provider]) == [("GET", f"/subscriptions/{identity['subscriptionId']}/providers/{HEALTHCARE}", 200)]
    assert [(m, s) for m, _, s in paths(wire)] == [("PUT", 201), ("GET", 200), ("GET", 200)]
    assert paths(wire)[0][1] == paths(wire)[2][1] == dicom_id
    assert "/providers/Microsoft.HealthcareApis/locations/eastus/operationresults/" in paths(wire)[1][1]
    assert {api_version(url) for _, url, _ in wire} == {version}

    shown = az("resource", "show", "--id", dicom_id)
    assert shown == created


def test_resource_show_without_api_version_reads_the_provider_document(
    az: AzCli, identity: dict[str, Any], group: str
) -> None:
    workspace, dicom = unique("ws"), unique("dcm")
    workspace_id = resource_id(identity, group, "Microsoft.HealthcareApis", "workspaces", workspace)
    dicom_id = f"{workspace_id}/dicomservices/{dicom}"
    for each in (workspace_id, dicom_id):
        create(az, each, "eastus")

    shown = az.ok("resource", "show", "--id", dicom_id, debug=True)

    assert shown.json()["id"] == dicom_id
    assert shown.json()["properties"]["provisioningState"] == "Succeeded"
    [(get_provider, provider_url, provider_status), (get_resource, resource_url, resource_status)] = shown.wire()
    assert (get_provider, urlsplit(provider_url).path, provider_status) == (
        "GET",
        f"/subscriptions/{identity['subscriptionId']}/providers/Microsoft.HealthcareApis",
        200,
    )
    # The newest non-preview version the provider document lists for workspaces/dicomservices.
    assert (get_resource, urlsplit(resource_url).path, resource_status) == ("GET", dicom_id, 200)
    assert api_version(resource_url) == newest_stable(az, HEALTHCARE, "workspaces/dicomservices")


def test_provider_document_lists_versions_newest_first_as_az_expects(az: AzCli) -> None:
    """az takes the first non-preview version in the list as the newest: ARM lists them newest first."""
    for namespace, type_name in (
        (HEALTHCARE, "workspaces"),
        (HEALTHCARE, "workspaces/dicomservices"),
        (DEVICE_UPDATE, "accounts"),
    ):
        versions = provider_versions(az, namespace, type_name)
        assert versions == sorted(versions, reverse=True), (namespace, type_name, versions)
        assert any("preview" not in v for v in versions)


# -- az resource: DeviceUpdate ---------------------------------------------------------------------


def test_resource_create_and_delete_device_update_account(az: AzCli, identity: dict[str, Any], group: str) -> None:
    name = unique("adu")
    account_id = resource_id(identity, group, "Microsoft.DeviceUpdate", "accounts", name)

    created = create(az, account_id, "westus2").json()
    assert created["id"] == account_id
    assert created["type"] == "Microsoft.DeviceUpdate/accounts"
    assert created["location"] == "westus2"
    assert created["properties"]["provisioningState"] == "Succeeded"
    assert created["properties"]["hostName"] == f"{name}.api.adu.microsoft.com"
    assert az("resource", "show", "--id", account_id) == created

    deleted = az.ok("resource", "delete", "--id", account_id, debug=True)
    assert deleted.stdout.strip() == ""
    version = newest_stable(az, DEVICE_UPDATE, "accounts")
    calls = [(m, url) for m, url, _ in deleted.wire() if "/providers/Microsoft.DeviceUpdate/" in url]
    assert calls and {api_version(url) for _, url in calls} == {version}

    missing = az.run("resource", "show", "--id", account_id)
    assert missing.returncode != 0
    assert "(ResourceNotFound)" in missing.stderr, missing.stderr
    assert f"'Microsoft.DeviceUpdate/accounts/{name}'" in missing.stderr
    assert f"resource group '{group}'" in missing.stderr


# -- locations and providers ---------------------------------------------------------------------


def test_account_list_locations(az: AzCli, identity: dict[str, Any]) -> None:
    listed = az.ok("account", "list-locations", debug=True)
    calls = [(method, urlsplit(url).path, status) for method, url, status in listed.wire()]
    assert ("GET", f"/subscriptions/{identity['subscriptionId']}/locations", 200) in calls
    locations = {location["name"]: location for location in listed.json()}
    assert locations["westeurope"]["displayName"] == "West Europe"
    assert locations["westeurope"]["regionalDisplayName"] == "(Europe) West Europe"
    assert locations["westeurope"]["metadata"]["pairedRegion"][0]["name"] == "northeurope"
    assert locations["westeurope"]["metadata"]["physicalLocation"] == "Netherlands"


def test_provider_show_unregister_register(az: AzCli) -> None:
    shown = az("provider", "show", "--namespace", DEVICE_UPDATE)
    assert (shown["namespace"], shown["registrationState"]) == (DEVICE_UPDATE, "Registered")
    az.ok("provider", "unregister", "--namespace", DEVICE_UPDATE)
    assert az("provider", "show", "--namespace", DEVICE_UPDATE)["registrationState"] == "Unregistered"
    listed = {p["namespace"]: p["registrationState"] for p in az("provider", "list")}
    assert listed == {HEALTHCARE: "Registered", DEVICE_UPDATE: "Unregistered"}
    az.ok("provider", "register", "--namespace", DEVICE_UPDATE)
    assert az("provider", "show", "--namespace", DEVICE_UPDATE)["registrationState"] == "Registered"


def test_lock_create_list_show_delete_and_a_refused_group_delete(az: AzCli, identity: dict[str, Any]) -> None:
    group_name, workspace = unique("rg-az-lock-"), unique("ws")
    az("group", "create", "--name", group_name, "--location", "eastus")
    group_id = f"/subscriptions/{identity['subscriptionId']}/resourceGroups/{group_name}"
    workspace_id = resource_id(identity, group_name, HEALTHCARE, "workspaces", workspace)
    create(az, workspace_id, "eastus")
    on_resource = ("--resource-group", group_name, "--resource-type", f"{HEALTHCARE}/workspaces")
    on_resource += ("--resource-name", workspace)

    creating = az.ok(
        "lock", "create", "--name", "keep", "--resource-group", group_name, "--lock-type", "CanNotDelete", debug=True
    )
    assert creating.json()["id"] == f"{group_id}/providers/Microsoft.Authorization/locks/keep"
    assert creating.json()["level"] == "CanNotDelete"
    assert {api_version(url) for _, url, _ in creating.wire()} == {"2016-09-01"}
    frozen = az("lock", "create", "--name", "frozen", *on_resource, "--lock-type", "ReadOnly", "--notes", "hands off")
    assert frozen["id"] == f"{workspace_id}/providers/Microsoft.Authorization/locks/frozen"
    assert frozen["notes"] == "hands off"

    assert {lock["name"] for lock in az("lock", "list", "--resource-group", group_name)} == {"keep", "frozen"}
    assert [lock["name"] for lock in az("lock", "list", *on_resource)] == ["frozen"]
    assert az("lock", "show", "--name", "keep", "--resource-group", group_name)["level"] == "CanNotDelete"
    assert az("lock", "show", "--name", "frozen", *on_resource)["level"] == "ReadOnly"

    refused = az.run("group", "delete", "--name", group_name, "--yes")
    assert refused.returncode != 0
    assert "ScopeLocked" in refused.stderr
    assert f"The scope '{group_id}' cannot perform delete operation" in refused.stderr
    tagging = az.run("resource", "tag", "--ids", workspace_id, "--tags", "a=b")
    assert tagging.returncode != 0
    assert "cannot perform write operation" in tagging.stderr

    az.ok("lock", "delete", "--name", "frozen", *on_resource)
    az.ok("lock", "delete", "--name", "keep", "--resource-group", group_name)
    assert az("lock", "list", "--resource-group", group_name) == []
    az.ok("group", "delete", "--name", group_name, "--yes")


# -- az resource by parts, and generic types -------------------------------------------------------


def test_resource_commands_by_parts_without_api_version(az: AzCli, identity: dict[str, Any], group: str) -> None:
    workspace, dicom = unique("ws"), unique("dcm")
    by_parts = ("-g", group, "-n", workspace, "--resource-type", f"{HEALTHCARE}/workspaces")
    created = az.ok("resource", "create", *by_parts, "--location", "eastus", "--properties", "{}", debug=True)
    workspace_id = resource_id(identity, group, HEALTHCARE, "workspaces", workspace)
    assert created.json()["id"] == workspace_id
    # az sends the empty parent path as it builds it; ARM (and the emulator) read it as no segment.
    assert any("//workspaces/" in url for method, url, _ in created.wire() if method == "PUT")
    assert az("resource", "show", *by_parts)["properties"]["provisioningState"] == "Succeeded"

    child = ("-g", group, "-n", dicom, "--namespace", HEALTHCARE, "--parent", f"workspaces/{workspace}")
    child_type = ("--resource-type", "dicomservices")
    az.ok("resource", "create", *child, *child_type, "--location", "eastus", "--properties", "{}")
    shown = az("resource", "show", *child, *child_type)
    assert shown["id"] == f"{workspace_id}/dicomservices/{dicom}"

    tagged = az("resource", "tag", *by_parts, "--tags", "env=test")
    assert tagged["tags"] == {"env": "test"}
    updated = az("resource", "update", "--ids", workspace_id, "--set", "tags.owner=me")
    assert updated["tags"] == {"env": "test", "owner": "me"}

    az.ok("resource", "delete", *child, *child_type)
    az.ok("resource", "delete", *by_parts)
    missing = az.run("resource", "show", "--ids", workspace_id)
    assert missing.returncode != 0 and "ResourceNotFound" in missing.stderr


def test_resource_commands_with_an_explicit_api_version(az: AzCli, identity: dict[str, Any], group: str) -> None:
    name = unique("ws")
    version = ("--api-version", "2023-11-01")
    by_parts = ("-g", group, "-n", name, "--resource-type", f"{HEALTHCARE}/workspaces")
    made = az.ok("resource", "create", *by_parts, *version, "--location", "eastus", "--properties", "{}", debug=True)
    assert {urlsplit(url).query for method, url, _ in made.wire() if method == "PUT"} == {"api-version=2023-11-01"}
    workspace_id = made.json()["id"]
    assert az("resource", "show", "--ids", workspace_id, *version)["name"] == name
    assert az("resource", "tag", "--ids", workspace_id, *version, "--tags", "a=b")["tags"] == {"a": "b"}
    az.ok("resource", "delete", "--ids", workspace_id, *version)


def test_generic_types_through_az_resource(az: AzCli, identity: dict[str, Any], group: str) -> None:
    """A storage account and an IoT hub: the first write names its version (the emulator cannot know
    the real provider's); afterwards the provider document lists it, so az finds it by itself."""
    account = unique("sa")
    by_parts = ("-g", group, "-n", account, "--resource-type", "Microsoft.Storage/storageAccounts")
    properties = '{"minimumTlsVersion": "TLS1_2"}'
    location = ("--location", "eastus")
    created = az("resource", "create", *by_parts, "--api-version", "2023-05-01", *location, "--properties", properties)
    assert created["type"] == "Microsoft.Storage/storageAccounts"
    assert created["properties"]["minimumTlsVersion"] == "TLS1_2"
    shown = az("resource", "show", *by_parts)  # no --api-version: read from the provider document
    assert shown["id"] == created["id"]
    assert az("resource", "tag", "--ids", created["id"], "--tags", "team=x")["tags"] == {"team": "x"}

    hub_id = resource_id(identity, group, "Microsoft.Devices", "IotHubs", unique("hub"))
    hub = az(
        "resource",
        "create",
        "--id",
        hub_id,
        "--api-version",
        "2023-06-30",
        "--is-full-object",
        "--properties",
        '{"location": "eastus", "sku": {"name": "S1", "capacity": 1}, "properties": {}}',
    )
    assert (hub["sku"]["name"], hub["sku"]["capacity"]) == ("S1", 1)
    az.ok("resource", "delete", "--ids", hub_id, created["id"])
    for gone in (hub_id, created["id"]):
        assert az.run("resource", "show", "--ids", gone, "--api-version", "2023-05-01").returncode != 0


def test_managed_identity_and_role_assignment(az: AzCli, identity: dict[str, Any], group: str) -> None:
    """`az identity create` (the real managed-identity client) gets principal and client ids;
    `az role assignment create` with a role by name (az looks it up among the role definitions)
    stores an extension resource on the group, which `az role assignment list` finds."""
    made = az("identity", "create", "-g", group, "-n", unique("id"))
    assert uuid.UUID(made["principalId"]) and uuid.UUID(made["clientId"])
    assert made["tenantId"] == identity["tenantId"]
    assert az("identity", "show", "--ids", made["id"])["clientId"] == made["clientId"]

    [dicom_owner] = az("role", "definition", "list", "--name", "DICOM Data Owner")
    assert dicom_owner["name"] == "58a3b984-7adf-4c20-983a-32417c86fbc8"
    scope = f"/subscriptions/{identity['subscriptionId']}/resourceGroups/{group}"
    principal = ("--assignee-object-id", made["principalId"], "--assignee-principal-type", "ServicePrincipal")
    assignment = az("role", "assignment", "create", "--scope", scope, "--role", "Contributor", *principal)
    assert assignment["properties"]["principalId"] == made["principalId"]
    contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c"
    assert assignment["properties"]["roleDefinitionId"].endswith(f"/roleDefinitions/{contributor}")
    assert assignment["properties"]["scope"] == scope  # as the authorization service fills it in
    assert assignment["id"].startswith(f"{scope}/providers/Microsoft.Authorization/roleAssignments/")
    listed = az("role", "assignment", "list", "--scope", scope)
    assert assignment["id"] in {item["id"] for item in listed}
    az.ok("role", "assignment", "delete", "--ids", assignment["id"])
    assert assignment["id"] not in {item["id"] for item in az("role", "assignment", "list", "--scope", scope)}
    az.ok("identity", "delete", "--ids", made["id"])


# -- az resource list and az group export ------------------------------------------------------------


@pytest.fixture(scope="module")
def listed_group(az: AzCli, identity: dict[str, Any]) -> dict[str, str]:
    """A group of its own with two workspaces (one tagged) and a DICOM service in the first."""
    name = unique("rg-az-list-")
    az("group", "create", "--name", name, "--location", "eastus")
    first, second = unique("ws"), unique("ws")
    first_id = resource_id(identity, name, HEALTHCARE, "workspaces", first)
    create(az, first_id, "eastus")
    create(az, resource_id(identity, name, HEALTHCARE, "workspaces", second), "westus2")
    create(az, f"{first_id}/dicomservices/dicom1", "eastus")
    az("resource", "tag", "--ids", first_id, "--tags", "env=dev")
    return {"group": name, "first": first, "second": second}


def test_resource_list_with_each_filter_az_builds(
    az: AzCli, identity: dict[str, Any], listed_group: dict[str, str]
) -> None:
    group, first, second = listed_group["group"], listed_group["first"], listed_group["second"]

    def names(*args: str) -> list[str]:
        return [r["name"] for r in az("resource", "list", *args)]

    every = az.ok("resource", "list", "--resource-group", group, debug=True)
    assert [(r["name"], r["type"]) for r in every.json()] == [
        (first, "Microsoft.HealthcareApis/workspaces"),
        (second, "Microsoft.HealthcareApis/workspaces"),
        (f"{first}/dicom1", "Microsoft.HealthcareApis/workspaces/dicomservices"),
    ]
    assert all(r["provisioningState"] == "Succeeded" and r["createdTime"] for r in every.json())
    # az asks the subscription-wide list with `resourceGroup eq` and $expand, at its default version.
    [*_, (method, url, status)] = every.wire()
    assert (method, urlsplit(url).path, status) == (
        "GET",
        f"/subscriptions/{identity['subscriptionId']}/resources",
        200,
    )
    assert parse_qs(urlsplit(url).query)["$filter"] == [f"resourceGroup eq '{group}'"]
    assert names("-g", group, "--resource-type", "Microsoft.HealthcareApis/workspaces") == [first, second]
    assert names("-g", group, "--namespace", HEALTHCARE, "--resource-type", "workspaces/dicomservices") == [
        f"{first}/dicom1"
    ]
    assert names("-g", group, "--name", second) == [second]
    assert names("-g", group, "--location", "westus2") == [second]
    assert [r["id"] for r in az("resource", "list", "--tag", "env=dev") if f"/{group}/" in r["id"]] == [
        resource_id(identity, group, HEALTHCARE, "workspaces", first)
    ]
    assert first in names("--tag", "env")


def test_group_export_is_a_template_of_the_group(az: AzCli, listed_group: dict[str, str]) -> None:
    group, first = listed_group["group"], listed_group["first"]
    template = az("group", "export", "--name", group, "--include-parameter-default-value")
    parameter = f"workspaces_{first}_name"
    assert template["$schema"] == "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#"
    assert template["parameters"][parameter] == {"defaultValue": first, "type": "String"}
    assert [r["type"] for r in template["resources"]] == [
        "Microsoft.HealthcareApis/workspaces",
        "Microsoft.HealthcareApis/workspaces",
        "Microsoft.HealthcareApis/workspaces/dicomservices",
    ]
    assert template["resources"][0]["tags"] == {"env": "dev"}
    skipped = az("group", "export", "--name", group, "--skip-all-params")
    assert skipped["parameters"] == {}
    assert [r["name"] for r in skipped["resources"]][2] == f"{first}/dicom1"


# -- az tag ---------------------------------------------------------------------------------------------


def test_tag_at_group_and_resource_scope_and_tag_names(az: AzCli, identity: dict[str, Any], group: str) -> None:
    scope = f"/subscriptions/{identity['subscriptionId']}/resourceGroups/{group}"
    created = az("tag", "create", "--resource-id", scope, "--tags", "env=dev", "team=a")
    assert created["properties"]["tags"] == {"env": "dev", "team": "a"}
    merged = az("tag", "update", "--resource-id", scope, "--operation", "Merge", "--tags", "env=prod")
    assert merged["properties"]["tags"] == {"env": "prod", "team": "a"}
    assert az("group", "show", "--name", group)["tags"] == {"env": "prod", "team": "a"}
    deleted = az("tag", "update", "--resource-id", scope, "--operation", "Delete", "--tags", "team=a")
    assert deleted["properties"]["tags"] == {"env": "prod"}

    workspace_id = resource_id(identity, group, HEALTHCARE, "workspaces", unique("ws"))
    create(az, workspace_id, "eastus")
    az("tag", "create", "--resource-id", workspace_id, "--tags", "owner=me")
    assert az("tag", "list", "--resource-id", workspace_id)["properties"]["tags"] == {"owner": "me"}
    assert az("resource", "show", "--ids", workspace_id)["tags"] == {"owner": "me"}

    name = unique("cost-center-")
    az("tag", "create", "--name", name)
    az("tag", "add-value", "--name", name, "--value", "42")
    names = {entry["tagName"]: entry for entry in az("tag", "list")}
    assert [value["tagValue"] for value in names[name]["values"]] == ["42"]
    assert names["owner"]["count"]["value"] >= 1
    az.ok("tag", "remove-value", "--name", name, "--value", "42")
    az.ok("tag", "delete", "--name", name, "--yes")
    assert name not in {entry["tagName"] for entry in az("tag", "list")}


# -- az deployment (ARM templates) ------------------------------------------------------------------------


def _template_file(directory: Any, name: str, template: dict[str, Any], *, trailing_comma: bool = True) -> str:
    """A template file as people write them: comments and a trailing comma, which az sends as they are.
    (az's own check of the file reads a trailing comma only in a template without true/false/null.)"""
    text = json.dumps(template, indent=2)
    text = text.replace('"contentVersion"', '// deployed by the emulator tests\n  "contentVersion"', 1)
    text = text.replace('"1.0.0.0",', '"1.0.0.0", /* a block comment */', 1)
    if trailing_comma:
        text = text[: text.rindex("}")].rstrip() + ",\n}\n"
    path = directory / name
    path.write_text(text)
    return str(path)


def test_deployment_group_create_validate_what_if_show_list_operations_delete(az: AzCli, tmp_path: Any) -> None:
    from deployment_templates import WORKSPACE_FHIR_DICOM

    # A group of its own: what-if reports the shared group's other resources as Ignore.
    group = unique("rg-az-deploy-")
    az("group", "create", "--name", group, "--location", "eastus")
    template = _template_file(tmp_path, "azuredeploy.json", WORKSPACE_FHIR_DICOM, trailing_comma=False)
    ws = unique("ws")
    validated = az("deployment", "group", "validate", "-g", group, "-f", template, "-p", f"workspaceName={ws}")
    assert validated["properties"]["provisioningState"] == "Succeeded"
    refused = az.run(
        "deployment", "group", "validate", "-g", group, "-f", template, "-p", "workspaceName=x", "environment=qa"
    )
    assert refused.returncode != 0 and "qa" in refused.stderr

    what_if = az(
        "deployment", "group", "what-if", "-g", group, "-f", template, "-p", f"workspaceName={ws}", "--no-pretty-print"
    )
    assert {c["changeType"] for c in what_if["changes"]} == {"Create"}
    pretty = az.ok("deployment", "group", "what-if", "-g", group, "-f", template, "-p", f"workspaceName={ws}")
    assert "Resource changes: 3 to create." in pretty.stdout

    created = az("deployment", "group", "create", "-g", group, "-f", template, "-p", f"workspaceName={ws}")
    assert created["name"] == "azuredeploy"  # az names it after the file
    assert created["properties"]["provisioningState"] == "Succeeded"
    assert (
        created["properties"]["outputs"]["fhirAudience"]["value"] == f"https://{ws}-fhir1.fhir.azurehealthcareapis.com"
    )
    assert created["resourceGroup"] == group
    shown = az("deployment", "group", "show", "-g", group, "-n", "azuredeploy")
    assert shown["properties"]["outputs"] == created["properties"]["outputs"]
    assert "azuredeploy" in [d["name"] for d in az("deployment", "group", "list", "-g", group)]
    operations = az("deployment", "operation", "group", "list", "-g", group, "-n", "azuredeploy")
    assert sorted(op["properties"]["targetResource"]["resourceName"] for op in operations) == sorted(
        [ws, f"{ws}/fhir1", f"{ws}/dicom1"]
    )
    assert az("resource", "show", "--ids", created["properties"]["outputs"]["workspaceId"]["value"])["name"] == ws
    az.ok("deployment", "group", "delete", "-g", group, "-n", "azuredeploy")
    assert az.run("deployment", "group", "show", "-g", group, "-n", "azuredeploy").returncode != 0


def test_deployment_group_cancel(az: AzCli, group: str, tmp_path: Any) -> None:
    from deployment_templates import plain

    slow = {
        "type": "Microsoft.DeviceUpdate/accounts",
        "apiVersion": "2023-07-01",
        "name": unique("adu"),
        "location": "westus2",
        # The emulator's LRO timing tag: this account takes an hour of the emulator's clock.
        "tags": {"arm-emulator-lro-step-seconds": "3600"},
        "properties": {},
    }
    template = _template_file(tmp_path, "slow.json", plain(slow))
    az.ok("deployment", "group", "create", "-g", group, "-n", "slow", "-f", template, "--no-wait")
    az.ok("deployment", "group", "cancel", "-g", group, "-n", "slow")
    assert az("deployment", "group", "show", "-g", group, "-n", "slow")["properties"]["provisioningState"] == "Canceled"
    again = az.run("deployment", "group", "cancel", "-g", group, "-n", "slow")
    assert again.returncode != 0 and "DeploymentCannotBeCancelled" in again.stderr


def test_deployment_mg_and_tenant_create_show_list_operations_delete(
    az: AzCli, identity: dict[str, Any], tmp_path: Any
) -> None:
    group_id = unique("mg-az-")
    mg_template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [],
        "outputs": {"group": {"type": "string", "value": "[managementGroup().name]"}},
    }
    path = _template_file(tmp_path, "mg.json", mg_template)
    scope = ("--management-group-id", group_id)
    validated = az("deployment", "mg", "validate", *scope, "-l", "eastus", "-n", "mgdep", "-f", path)
    assert validated["properties"]["provisioningState"] == "Succeeded"
    what_if = az("deployment", "mg", "what-if", *scope, "-l", "eastus", "-n", "mgdep", "-f", path, "--no-pretty-print")
    assert what_if["status"] == "Succeeded"
    created = az("deployment", "mg", "create", *scope, "-l", "eastus", "-n", "mgdep", "-f", path)
    assert created["properties"]["provisioningState"] == "Succeeded"
    assert created["properties"]["outputs"]["group"]["value"] == group_id
    assert az("deployment", "mg", "show", *scope, "-n", "mgdep")["location"] == "eastus"
    assert [d["name"] for d in az("deployment", "mg", "list", *scope)] == ["mgdep"]
    assert az("deployment", "operation", "mg", "list", *scope, "-n", "mgdep") == []
    az.ok("deployment", "mg", "delete", *scope, "-n", "mgdep")
    assert az.run("deployment", "mg", "show", *scope, "-n", "mgdep").returncode != 0

    tenant_template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [],
        "outputs": {"tenantId": {"type": "string", "value": "[tenant().tenantId]"}},
    }
    path = _template_file(tmp_path, "tenant.json", tenant_template)
    name = unique("tenantdep")
    created = az("deployment", "tenant", "create", "-l", "eastus", "-n", name, "-f", path)
    assert created["properties"]["outputs"]["tenantId"]["value"] == identity["tenantId"]
    assert az("deployment", "tenant", "show", "-n", name)["properties"]["provisioningState"] == "Succeeded"
    az.ok("deployment", "tenant", "delete", "-n", name)


def test_deployment_sub_create(az: AzCli, identity: dict[str, Any], tmp_path: Any) -> None:
    from deployment_templates import SUBSCRIPTION_GROUP_AND_WORKSPACE

    template = _template_file(tmp_path, "sub.json", SUBSCRIPTION_GROUP_AND_WORKSPACE)
    new_group, ws = unique("rg-az-sub-"), unique("ws")
    created = az(
        "deployment",
        "sub",
        "create",
        "-l",
        "eastus",
        "-f",
        template,
        "-p",
        f"groupName={new_group}",
        f"workspaceName={ws}",
    )
    assert created["properties"]["provisioningState"] == "Succeeded"
    assert created["location"] == "eastus"
    assert az("group", "show", "-n", new_group)["tags"] == {"purpose": "deployments-test"}
    assert (
        az("deployment", "group", "show", "-g", new_group, "-n", "workspace")["properties"]["provisioningState"]
        == "Succeeded"
    )
    assert (
        az("resource", "show", "-g", new_group, "--resource-type", f"{HEALTHCARE}/workspaces", "-n", ws)["name"] == ws
    )


def test_deployment_of_the_dicom_storage_and_device_update_iot_hub_quickstarts(az: AzCli, group: str) -> None:
    """The issue's "done when": quickstarts whose storage account, identity, role assignment, IoT hub
    and its listKeys are generic types deploy with az as they are, and az's storage commands read
    what the account computes."""
    quickstarts = REPO_ROOT / "tests" / "templates" / "quickstarts"
    ws, storage = unique("ws"), unique("st")
    dicom = az(
        "deployment", "group", "create", "-g", group, "-f", str(quickstarts / "a_dicom_adls.json"),
        "-p", f"workspaceName={ws}", "dicomServiceName=dicom1", f"storageAccountName={storage}",
    )  # fmt: skip
    assert dicom["properties"]["provisioningState"] == "Succeeded"
    principal = az("identity", "show", "-g", group, "-n", "dicom-uami")["principalId"]
    assert dicom["properties"]["outputs"]["identityPrincipalId"]["value"] == principal
    assert (
        dicom["properties"]["outputs"]["dicomServiceUrl"]["value"]
        == f"https://{ws}-dicom1.dicom.azurehealthcareapis.com"
    )

    shown = az("storage", "account", "show", "-g", group, "-n", storage)
    assert shown["primaryEndpoints"]["blob"] == f"https://{storage}.blob.core.windows.net/"
    keys = az("storage", "account", "keys", "list", "-g", group, "-n", storage)
    assert [k["keyName"] for k in keys] == ["key1", "key2"]
    assert keys == az("storage", "account", "keys", "list", "-g", group, "-n", storage)

    hub = unique("hub")
    device_update = az(
        "deployment", "group", "create", "-g", group, "-f", str(quickstarts / "d_deviceupdate_iothub.json"),
        "-p", "location=westus2", f"iotHubName={hub}",
    )  # fmt: skip
    assert device_update["properties"]["provisioningState"] == "Succeeded"
    assert (
        az("resource", "show", "-g", group, "-n", hub, "--resource-type", "Microsoft.Devices/IotHubs")["properties"][
            "hostName"
        ]
        == f"{hub}.azure-devices.net"
    )
