"""Older Python SDK releases against the emulator, each at the api-version it defaults to.

azure-mgmt-healthcareapis 1.1.0 always calls 2021-11-01 (it has no api_version option) and
azure-mgmt-deviceupdate 1.0.0 defaults to 2022-10-01. They cannot share the test venv with the current
releases, so `make test-clients` installs them in .venv-sdk-legacy and sets ARM_EMULATOR_LEGACY_PYTHON to
its python; tests/clients/legacy_sdk_lifecycle.py is the program run there, a user's code as the README
writes it. Each call it made comes back with its URL and JSON body, for the assertions here.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.mgmt.healthcareapis.models import CorsConfiguration, DicomService, Workspace
from conftest import SUBSCRIPTION, unique
from emulator_process import EmulatorProcess
from sdk_clients import healthcare, resources

pytestmark = pytest.mark.legacysdk

PYTHON_VARIABLE = "ARM_EMULATOR_LEGACY_PYTHON"
SCRIPT = Path(__file__).with_name("legacy_sdk_lifecycle.py")
HEALTHCARE = "Microsoft.HealthcareApis"
DEVICE_UPDATE = "Microsoft.DeviceUpdate"
# The releases the Makefile installs, and the api-version each one sends when not told otherwise.
RELEASES = {"azure-mgmt-healthcareapis": "1.1.0", "azure-mgmt-deviceupdate": "1.0.0"}
DEFAULTS = {HEALTHCARE: "2021-11-01", DEVICE_UPDATE: "2022-10-01"}
# What each version's body has under `properties` (the 2021-11-01 and 2022-10-01 references).
DICOM_2021_11_01 = {
    "provisioningState",
    "authenticationConfiguration",
    "serviceUrl",
    "privateEndpointConnections",
    "publicNetworkAccess",
}
ACCOUNT_2022_10_01 = {
    "provisioningState",
    "hostName",
    "publicNetworkAccess",
    "privateEndpointConnections",
    "sku",
    "locations",
}
# A run makes about a dozen LROs, each waiting the emulator's `Retry-After: 1` once.
TIMEOUT_SECONDS = 120


def legacy_python() -> str:
    """The legacy venv's python. Unset or unusable is a failure: `make test-clients` always sets it."""
    path = os.environ.get(PYTHON_VARIABLE)
    if not path:
        pytest.fail(f"{PYTHON_VARIABLE} is not set: run these tests with `make test-clients`, which builds the venv")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"{PYTHON_VARIABLE}={path!r} is not an executable file")
    return path


def run_script(emulator: EmulatorProcess, **config: str) -> dict[str, Any]:
    """Runs the user's program in the legacy venv; its report. A failed step fails the test with its traceback."""
    identity = emulator.identity
    config = {
        "url": emulator.url,
        "tenant": identity["tenantId"],
        "clientId": identity["app"]["client_id"],
        "clientSecret": identity["app"]["client_secret"],
        "subscription": SUBSCRIPTION,
        **config,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ARM_", "PYTHON"))}
    env["REQUESTS_CA_BUNDLE"] = str(emulator.ca_file)
    completed = subprocess.run(
        [legacy_python(), str(SCRIPT), json.dumps(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(completed.stdout)
    except ValueError:
        pytest.fail(f"the script exited {completed.returncode} without its report:\n{completed.stderr}")
    if completed.returncode != 0:
        calls = "\n".join(f"  {c['method']} {c['url']} -> {c['status']}" for c in report["calls"])
        pytest.fail(f"step {report['failedStep']!r} failed:\n{report['error']}\ncalls so far:\n{calls}")
    return report


def api_version(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("api-version", [""])[0]


def calls_to(report: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    """The calls under one provider, resources and operation URLs alike."""
    return [c for c in report["calls"] if f"/providers/{namespace}/".lower() in urlsplit(c["url"]).path.lower()]


def bodies_of(calls: list[dict[str, Any]], type_name: str) -> list[dict[str, Any]]:
    """Every resource of that type the emulator answered (singles and list items)."""
    found: list[dict[str, Any]] = []
    for call in calls:
        body = call["body"]
        items = body.get("value", []) if isinstance(body, dict) and "value" in body else [body]
        found += [i for i in items if isinstance(i, dict) and str(i.get("type", "")).lower() == type_name.lower()]
    return found


def check_versions(report: dict[str, Any]) -> None:
    assert {k: report["packages"][k] for k in RELEASES} == RELEASES, "the legacy venv holds other releases"
    assert report["defaults"] == DEFAULTS


def test_old_sdks_at_their_defaults_create_read_list_tag_and_delete(emulator: EmulatorProcess) -> None:
    group, workspace, dicom, account = unique("rg-legacy-"), unique("ws"), unique("dcm"), unique("adu")

    report = run_script(emulator, mode="lifecycle", group=group, workspace=workspace, dicom=dicom, account=account)

    check_versions(report)
    models = report["models"]
    # Each call, the operation polls included, went out at the release's default and was answered there.
    for namespace, version in DEFAULTS.items():
        calls = calls_to(report, namespace)
        assert calls, f"no call to {namespace}"
        assert {api_version(c["url"]) for c in calls} == {version}, [c["url"] for c in calls]
    statuses = [(c["method"], c["status"]) for c in calls_to(report, HEALTHCARE)]
    assert statuses[0] == ("PUT", 201)  # the workspace: created, Azure-AsyncOperation to poll

    assert models["workspace created"] == {"provisioningState": "Succeeded"}
    service_url = f"https://{workspace}-{dicom}.dicom.azurehealthcareapis.com"
    assert models["dicom created"] == {"provisioningState": "Succeeded", "serviceUrl": service_url}
    assert models["workspace"] == {"name": workspace, "provisioningState": "Succeeded"}
    assert models["dicom"] == {
        "name": dicom,
        "provisioningState": "Succeeded",
        "serviceUrl": service_url,
        "audiences": ["https://azurehealthcareapis.com/", "https://azurehealthcareapis.com"],
    }
    assert models["workspaces in group"] == [workspace]
    assert workspace in models["workspaces in subscription"]
    assert models["dicom services"] == [dicom]
    assert models["workspace tagged"] == {"tags": {"team": "imaging"}, "provisioningState": "Succeeded"}
    assert models["dicom tagged"] == {"tags": {"env": "test"}, "provisioningState": "Succeeded"}
    assert models["account created"] == {
        "provisioningState": "Succeeded",
        "hostName": f"{account}.api.adu.microsoft.com",
        "sku": "Standard",
        "locations": [["westus2", "Primary"], ["westcentralus", "Failover"]],
    }
    assert models["account"] == {"name": account}
    assert models["account head"] is True
    assert models["accounts in group"] == [account]
    assert account in models["accounts in subscription"]
    assert models["account tagged"] == {"tags": {"k": "v"}, "provisioningState": "Succeeded"}
    assert models["account gone"] is models["dicom gone"] is models["workspace gone"] is True

    # The bodies are the old versions' own: no field those versions did not have, in any answer.
    dicoms = bodies_of(calls_to(report, HEALTHCARE), f"{HEALTHCARE}/workspaces/dicomservices")
    assert dicoms
    for body in dicoms:
        assert set(body["properties"]) <= DICOM_2021_11_01, body
        assert "corsConfiguration" not in body["properties"]
    assert any(set(b["properties"]) == DICOM_2021_11_01 for b in dicoms if b["properties"].get("serviceUrl"))
    accounts = bodies_of(calls_to(report, DEVICE_UPDATE), f"{DEVICE_UPDATE}/accounts")
    assert accounts
    for body in accounts:
        assert set(body["properties"]) <= ACCOUNT_2022_10_01, body
        assert "encryption" not in body["properties"]


def test_an_old_sdk_neither_sees_nor_drops_what_a_newer_one_wrote(emulator: EmulatorProcess) -> None:
    group, workspace, dicom = unique("rg-legacy-"), unique("ws"), unique("dcm")
    resources(emulator).resource_groups.create_or_update(group, {"location": "eastus"})
    current = healthcare(emulator)  # azure-mgmt-healthcareapis 2.1.0, at its default
    current.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
    cors = CorsConfiguration(origins=["https://viewer.example.com"], methods=["GET"], max_age=600)
    current.dicom_services.begin_create_or_update(
        group, workspace, dicom, DicomService(location="eastus", cors_configuration=cors)
    ).result()

    report = run_script(emulator, mode="read-and-tag", group=group, workspace=workspace, dicom=dicom)

    check_versions(report)
    assert report["models"]["dicom"] == {"provisioningState": "Succeeded"}
    assert report["models"]["dicom tagged"] == {"tags": {"touchedBy": "legacy"}, "provisioningState": "Succeeded"}
    dicoms = bodies_of(calls_to(report, HEALTHCARE), f"{HEALTHCARE}/workspaces/dicomservices")
    assert dicoms and all("corsConfiguration" not in b["properties"] for b in dicoms)
    # The 2021-11-01 PATCH kept what it could not see.
    after = current.dicom_services.get(group, workspace, dicom)
    assert after.tags == {"touchedBy": "legacy"}
    assert after.cors_configuration.origins == ["https://viewer.example.com"]
    assert after.cors_configuration.methods == ["GET"]
    assert after.cors_configuration.max_age == 600
