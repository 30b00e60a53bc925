"""Every operation (path and method) of every served Microsoft.DeviceUpdate api-version's OpenAPI document,
as `make generate` assembles it, is served: called against real resources with a valid body, each answers one
of the status codes its document declares (so none is the router's 404 or 405)."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import httpx
import pytest
from conftest import REPO_ROOT, SUBSCRIPTION, unique

from arm_emulator.providers.deviceupdate.versions import API_VERSIONS

METHODS = ("get", "head", "put", "patch", "post", "delete")
HUB = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/hubs-rg/providers/Microsoft.Devices/IotHubs/coverage-hub-012345"
ENDPOINT = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/net-rg/providers/Microsoft.Network/privateEndpoints/pe1"
PROXY = {
    "remotePrivateEndpoint": {
        "id": ENDPOINT,
        "location": "westus2",
        "manualPrivateLinkServiceConnections": [{"name": "pe1", "groupIds": ["adu"]}],
    }
}
# A valid request body for each operation that takes one.
BODIES: dict[str, Any] = {
    "CheckNameAvailability": {"name": "coverage", "type": "Microsoft.DeviceUpdate/accounts"},
    "Accounts_Create": {"location": "westus2"},
    "Accounts_Update": {"tags": {"k": "v"}},
    "Instances_Create": {"location": "westus2", "properties": {"iotHubs": [{"resourceId": HUB}]}},
    "Instances_Update": {"tags": {"k": "v"}},
    "PrivateEndpointConnections_CreateOrUpdate": {
        "properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}
    },
    "PrivateEndpointConnectionProxies_CreateOrUpdate": PROXY,
    "PrivateEndpointConnectionProxies_Validate": PROXY,
    "PrivateEndpointConnectionProxies_UpdatePrivateEndpointProperties": {"id": ENDPOINT, "location": "westus2"},
}


def assembled(api_version: str) -> dict[str, Any]:
    """A version's full OpenAPI document, as `make generate` assembles it from its delta."""
    location = importlib.util.spec_from_file_location("generate_models", REPO_ROOT / "tools" / "generate_models.py")
    assert location is not None and location.loader is not None
    generator = importlib.util.module_from_spec(location)
    sys.modules[location.name] = generator  # its dataclasses look their module up there
    location.loader.exec_module(generator)
    versions = generator.discover()["deviceupdate"]
    return generator.assemble(versions[api_version], versions)  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation): the PUTs first, parents before children, then the other reads and writes in
    the document's order, then the DELETEs, children before parents."""
    found = [(path, m, item[m]) for path, item in document["paths"].items() for m in METHODS if m in item]
    puts = sorted((o for o in found if o[1] == "put"), key=lambda o: o[0].count("/"))
    others = [o for o in found if o[1] not in ("put", "delete")]
    deletes = sorted((o for o in found if o[1] == "delete"), key=lambda o: -o[0].count("/"))
    return puts + others + deletes


def test_every_served_version_has_a_document() -> None:
    for version in API_VERSIONS:
        document = assembled(version)
        assert document["info"]["version"] == version
        # The swagger's 27 operations and ProviderHub's operation status.
        assert len(operations(document)) == 28, version


@pytest.mark.parametrize("version", API_VERSIONS)
def test_every_operation_of_the_version_is_served(http: httpx.Client, version: str) -> None:
    document = assembled(version)
    group = unique("rg-")
    query = {"api-version": version}
    created = http.put(
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}",
        params={"api-version": "2021-04-01"},
        json={"location": "westus2"},
    )
    assert created.status_code == 201, created.text
    names = {
        "subscriptionId": SUBSCRIPTION,
        "resourceGroupName": group,
        "accountName": unique("acct"),
        "instanceName": "inst1",
        "privateEndpointConnectionName": "pe1.conn",
        "privateEndpointConnectionProxyId": "pe1.proxy",
        "groupId": "adu",
    }
    served = []
    status_url = ""  # the operation status of the last write that started one
    for path, method, operation in operations(document):
        url = status_url if "{operationId}" in path else path.format(**names)
        assert url, "the PUTs come first and start operations"
        body = BODIES.get(operation["operationId"])
        response = http.request(method.upper(), url, params=query, json=body)
        if "azure-asyncoperation" in response.headers:
            status_url = httpx.URL(response.headers["azure-asyncoperation"]).path
        declared = {int(code) for code in operation["responses"] if code != "default"}
        assert response.status_code in declared, (operation["operationId"], response.status_code, response.text)
        served.append(operation["operationId"])
    assert len(served) == len(set(served)) == 28
