"""Every operation (path and method) in the assembled spec of every HealthcareApis version the emulator
serves is served at that version: the router has it (no `NotFound` 404, no 405) and the version is accepted
(no `NoRegisteredProviderFound`). The requests name resources that do not exist, so each answers what such a
request gets (404 ResourceNotFound, 204, 400 for an incomplete body, ...), never a routing miss."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import REPO_ROOT, SUBSCRIPTION, unique
from emulator_process import EmulatorProcess

from arm_emulator.providers.healthcareapis import PROVIDER

METHODS = ("get", "put", "patch", "delete", "post", "head")


def _assembled_documents() -> dict[str, dict[str, Any]]:
    location = importlib.util.spec_from_file_location("generate_models", REPO_ROOT / "tools" / "generate_models.py")
    assert location is not None and location.loader is not None
    generator = importlib.util.module_from_spec(location)
    sys.modules[location.name] = generator  # its dataclasses look their module up there
    location.loader.exec_module(generator)
    versions = generator.discover()["healthcareapis"]
    return {version: generator.assemble(spec, versions) for version, spec in versions.items()}


DOCUMENTS = _assembled_documents()
SERVED = sorted({version for rt in PROVIDER.resource_types for version in rt.api_versions})
OPERATIONS = [
    (version, method.upper(), path)
    for version, document in sorted(DOCUMENTS.items())
    for path, item in document["paths"].items()
    for method in item
    if method in METHODS
]


def test_every_served_version_has_a_spec_and_every_spec_is_served() -> None:
    assert set(DOCUMENTS) == set(SERVED)


@pytest.fixture(scope="module")
def probe(emulator: EmulatorProcess) -> Iterator[tuple[httpx.Client, str]]:
    """One client and one (empty) resource group for all the probes: none of them creates anything."""
    with emulator.client() as client:
        group = unique("rg-")
        created = client.put(
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01", json={"location": "eastus"}
        )
        assert created.status_code == 201
        yield client, group


def _fill(path: str, group: str) -> str:
    values = {
        "subscriptionId": SUBSCRIPTION,
        "resourceGroupName": group,
        "locationName": "eastus",
        "operationId": "nosuchoperation",
        "groupName": "fhir",
        "privateEndpointConnectionName": "probe.connection",
    }
    return re.sub(r"\{(\w+)\}", lambda match: values.get(match.group(1), "probe1"), path)


@pytest.mark.parametrize(("version", "method", "path"), OPERATIONS, ids=lambda value: str(value))
def test_operation_is_served(probe: tuple[httpx.Client, str], version: str, method: str, path: str) -> None:
    http, group = probe
    url = f"{_fill(path, group)}?api-version={version}"
    # An empty object: enough to reach the operation (a body it lacks fields for is the operation's 400).
    body = b"{}" if method in ("PUT", "PATCH", "POST") else None
    response = http.request(method, url, content=body, headers={"content-type": "application/json"})
    assert response.status_code != 405, f"{method} {path} at {version}: {response.text}"
    assert response.status_code < 500, f"{method} {path} at {version}: {response.text}"
    if response.status_code >= 400:
        code = response.json()["error"]["code"]
        assert code not in ("NotFound", "NoRegisteredProviderFound", "MethodNotAllowed"), (
            f"{method} {path} at {version}: {response.text}"
        )
