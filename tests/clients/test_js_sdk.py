"""The README's JavaScript example, run unchanged by Node with the official JS SDKs (strict auth)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from conftest import REPO_ROOT
from emulator_process import EmulatorProcess

pytestmark = pytest.mark.jsclient

JS_DIR = REPO_ROOT / "tests" / "clients" / "js"


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("js"), auth_mode="strict").start()
    yield process
    process.stop()


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
    node = shutil.which("node")
    assert node, "Node.js is needed for the JS client tests (make test-clients)"
    assert (JS_DIR / "node_modules" / "@azure" / "arm-healthcareapis").is_dir(), "run `make test-clients`"
    match = re.search(r"<!-- example:js .*?-->\n```js\n(.*?)```", (REPO_ROOT / "README.md").read_text(), re.S)
    assert match, "README has no JavaScript example"
    identity = strict.identity
    subscription = identity["subscriptionId"]
    group = f"/subscriptions/{subscription}/resourceGroups/demo-rg"

    # What the README says must exist first.
    with _authorized(strict, identity) as http:
        assert http.put(f"{group}?api-version=2021-04-01", json={"location": "eastus"}).status_code == 201
        workspace = f"{group}/providers/Microsoft.HealthcareApis/workspaces/demows?api-version=2022-06-01"
        assert http.put(workspace, json={"location": "eastus"}).status_code == 201

    script = JS_DIR / "readme_example.mjs"  # beside node_modules, so the imports resolve
    script.write_text(match.group(1))
    try:
        result = subprocess.run(
            [node, str(script)],
            cwd=JS_DIR,
            env={
                **os.environ,
                "NODE_EXTRA_CA_CERTS": str(strict.ca_file),
                "ARM_EMULATOR_URL": strict.url,
                "AZURE_TENANT_ID": identity["tenantId"],
                "AZURE_CLIENT_ID": identity["app"]["client_id"],
                "AZURE_CLIENT_SECRET": identity["app"]["client_secret"],
                "AZURE_SUBSCRIPTION_ID": subscription,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        script.unlink()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Succeeded https://demows-demodicom.dicom.azurehealthcareapis.com"

    # It really ran the LRO: the JS SDK's PUT, then its poll of the operation (with the api-version
    # the client forces onto poll URLs), then its final GET.
    with _authorized(strict, identity) as http:
        journal = http.get("/_emulator/requests", params={"method": "GET", "pathPrefix": "/subscriptions"}).json()
        puts = http.get("/_emulator/requests", params={"method": "PUT"}).json()["value"]
    dicom_put = next(e for e in puts if e["path"].endswith("/dicomservices/demodicom"))
    polls = [e for e in journal["value"] if "/operationresults/" in e["path"]]
    assert dicom_put["status"] == 201
    assert polls and all(e["status"] == 200 for e in polls)
    assert all("api-version=2022-06-01" in e["url"] for e in polls)
