"""The official JavaScript SDKs, run by Node at their default api-versions (no apiVersion option, strict auth):
the README's example unchanged, and a lifecycle of every resource type (js/lifecycle.mjs)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import REPO_ROOT, unique
from emulator_process import EmulatorProcess

pytestmark = pytest.mark.jsclient

JS_DIR = REPO_ROOT / "tests" / "clients" / "js"
HEALTHCARE = "Microsoft.HealthcareApis"
DEVICE_UPDATE = "Microsoft.DeviceUpdate"
# Asks each SDK's client what it sends when not given an apiVersion (the constructor calls nothing).
_DEFAULTS_SCRIPT = """
import { HealthcareApisManagementClient } from "@azure/arm-healthcareapis";
import { DeviceUpdate } from "@azure/arm-deviceupdate";
const credential = { getToken: async () => null };
const subscription = "00000000-0000-0000-0000-000000000000";
console.log(JSON.stringify({
  "Microsoft.HealthcareApis": new HealthcareApisManagementClient(credential, subscription).apiVersion,
  "Microsoft.DeviceUpdate": new DeviceUpdate(credential, subscription).apiVersion,
}));
"""


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("js"), auth_mode="strict").start()
    yield process
    process.stop()


def node() -> str:
    path = shutil.which("node")
    assert path, "Node.js is needed for the JS client tests (make test-clients)"
    assert (JS_DIR / "node_modules" / "@azure" / "arm-healthcareapis").is_dir(), "run `make test-clients`"
    return path


def sdk_defaults() -> dict[str, str]:
    """The api-version each installed JS SDK sends by default (arm-healthcareapis 3.0.0: 2023-11-01)."""
    result = subprocess.run(
        [node(), "--input-type=module", "--eval", _DEFAULTS_SCRIPT],
        cwd=JS_DIR,  # beside node_modules, so the imports resolve
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    defaults: dict[str, str] = json.loads(result.stdout)
    return defaults


def api_version(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("api-version", [""])[0]


def node_env(emulator: EmulatorProcess, identity: dict[str, Any], **extra: str) -> dict[str, str]:
    """The banner's exports, trusting the emulator's CA."""
    return {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(emulator.ca_file),
        "ARM_EMULATOR_URL": emulator.url,
        "AZURE_TENANT_ID": identity["tenantId"],
        "AZURE_CLIENT_ID": identity["app"]["client_id"],
        "AZURE_CLIENT_SECRET": identity["app"]["client_secret"],
        "AZURE_SUBSCRIPTION_ID": identity["subscriptionId"],
        **extra,
    }


@contextmanager
def _authorized(emulator: EmulatorProcess, identity: dict[str, Any]) -> Iterator[httpx.Client]:
    """An httpx client with a token for the default service principal (strict mode wants one)."""
    app = identity["app"]
    with emulator.client() as client:
        token = client.post(
            f"/{identity['tenantId']}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": f"{emulator.url}/.default",
            },
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def test_readme_javascript_example(strict: EmulatorProcess) -> None:
    executable = node()
    version = sdk_defaults()[HEALTHCARE]
    match = re.search(r"<!-- example:js .*?-->\n```js\n(.*?)```", (REPO_ROOT / "README.md").read_text(), re.S)
    assert match, "README has no JavaScript example"
    identity = strict.identity
    subscription = identity["subscriptionId"]
    group = f"/subscriptions/{subscription}/resourceGroups/demo-rg"

    # What the README says must exist first.
    with _authorized(strict, identity) as http:
        assert http.put(f"{group}?api-version=2021-04-01", json={"location": "eastus"}).status_code == 201
        workspace = f"{group}/providers/Microsoft.HealthcareApis/workspaces/demows?api-version={version}"
        assert http.put(workspace, json={"location": "eastus"}).status_code == 201

    script = JS_DIR / "readme_example.mjs"  # beside node_modules, so the imports resolve
    script.write_text(match.group(1))
    try:
        result = subprocess.run(
            [executable, str(script)],
            cwd=JS_DIR,
            env=node_env(strict, identity),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        script.unlink()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Succeeded https://demows-demodicom.dicom.azurehealthcareapis.com"

    # It really ran the LRO: the JS SDK's PUT at its default version, then its poll of the operation URL
    # the emulator handed back (which carries the same version: no apiVersion option rewrites it), then
    # its final GET.
    with _authorized(strict, identity) as http:
        journal = http.get("/_emulator/requests", params={"method": "GET", "pathPrefix": "/subscriptions"}).json()
        puts = http.get("/_emulator/requests", params={"method": "PUT"}).json()["value"]
    dicom_put = next(e for e in puts if e["path"].endswith("/dicomservices/demodicom"))
    polls = [e for e in journal["value"] if "/operationresults/" in e["path"]]
    assert dicom_put["status"] == 201
    assert api_version(dicom_put["url"]) == version
    assert polls and all(e["status"] == 200 for e in polls)
    assert {api_version(e["url"]) for e in polls} == {version}


def test_js_sdks_at_their_defaults_create_read_list_tag_and_delete(strict: EmulatorProcess) -> None:
    executable = node()
    identity = strict.identity
    group, workspace, dicom, account = unique("rg-js-"), unique("ws"), unique("dcm"), unique("adu")
    with _authorized(strict, identity) as http:
        path = f"/subscriptions/{identity['subscriptionId']}/resourceGroups/{group}?api-version=2021-04-01"
        assert http.put(path, json={"location": "eastus"}).status_code == 201

    result = subprocess.run(
        [executable, str(JS_DIR / "lifecycle.mjs")],
        cwd=JS_DIR,
        env=node_env(
            strict,
            identity,
            ARM_EMULATOR_GROUP=group,
            ARM_EMULATOR_WORKSPACE=workspace,
            ARM_EMULATOR_DICOM=dicom,
            ARM_EMULATOR_ACCOUNT=account,
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    calls = report["calls"]
    wire = "\n".join(f"  {c['method']} {c['url']} -> {c['status']}" for c in calls)
    assert result.returncode == 0, f"step {report.get('failedStep')!r} failed: {report.get('error')}\n{wire}"
    assert report["defaults"] == sdk_defaults()
    # Each call, the operation polls included, went out at the SDK's default and was answered there.
    for namespace, version in report["defaults"].items():
        under = [c for c in calls if f"/providers/{namespace}/".lower() in urlsplit(c["url"]).path.lower()]
        assert under, f"no call to {namespace}"
        assert {api_version(c["url"]) for c in under} == {version}, wire
    models = report["models"]
    service_url = f"https://{workspace}-{dicom}.dicom.azurehealthcareapis.com"
    assert models["workspace created"] == {"provisioningState": "Succeeded"}
    assert models["dicom created"] == {"provisioningState": "Succeeded", "serviceUrl": service_url}
    assert models["workspace"] == {"name": workspace, "provisioningState": "Succeeded"}
    assert models["dicom"] == {"name": dicom, "provisioningState": "Succeeded", "serviceUrl": service_url}
    assert models["workspaces in group"] == [workspace]
    assert models["dicom services"] == [dicom]
    assert models["workspace tagged"] == {"tags": {"team": "imaging"}, "provisioningState": "Succeeded"}
    assert models["dicom tagged"] == {"tags": {"env": "test"}, "provisioningState": "Succeeded"}
    assert models["account created"] == {
        "provisioningState": "Succeeded",
        "hostName": f"{account}.api.adu.microsoft.com",
        "sku": "Standard",
    }
    assert models["account"] == {"name": account}
    assert models["account head"] is True
    assert models["accounts in group"] == [account]
    assert models["account tagged"] == {"tags": {"k": "v"}, "provisioningState": "Succeeded"}
    assert models["account gone"] is models["dicom gone"] is models["workspace gone"] is True
