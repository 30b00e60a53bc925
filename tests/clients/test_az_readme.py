"""The README's az CLI block, run by bash as written (only the URL is this test server's)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from azcli import AzCli
from conftest import REPO_ROOT
from emulator_process import EmulatorProcess

pytestmark = pytest.mark.azcli


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("az-readme"), auth_mode="strict").start()
    yield process
    process.stop()


def test_readme_az_block(strict: EmulatorProcess, tmp_path: Path) -> None:
    match = re.search(r"<!-- example:az-cli -->\n```sh\n(.*?)```", (REPO_ROOT / "README.md").read_text(), re.S)
    assert match, "README has no az CLI example"
    script = match.group(1).replace("https://localhost:8443", strict.url)
    az = AzCli(strict, tmp_path / "azure")
    identity = strict.identity
    env = {
        **az.env(),
        "PATH": f"{Path(az.executable).parent}{os.pathsep}{os.environ['PATH']}",
        # The banner's exports:
        "AZURE_TENANT_ID": identity["tenantId"],
        "AZURE_CLIENT_ID": identity["app"]["client_id"],
        "AZURE_CLIENT_SECRET": identity["app"]["client_secret"],
        "AZURE_SUBSCRIPTION_ID": identity["subscriptionId"],
    }
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    created = [json.loads(chunk) for chunk in re.findall(r"^\{.*?^\}", result.stdout, re.S | re.M)]
    states = {c["id"].rsplit("/", 1)[1]: c["properties"]["provisioningState"] for c in created if "properties" in c}
    assert states == {
        "demo-rg": "Succeeded",
        "demows": "Succeeded",
        "demodicom": "Succeeded",
        "demo-account": "Succeeded",
    }


def test_readme_deployment_block(strict: EmulatorProcess, tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    template = re.search(r"<!-- example:deploy-template .*?-->\n```json\n(.*?)```", readme, re.S)
    block = re.search(r"<!-- example:az-deploy .*?-->\n```sh\n(.*?)```", readme, re.S)
    assert template and block, "README has no deployment example"
    (tmp_path / "hds.json").write_text(template.group(1))
    az = AzCli(strict, tmp_path / "azure")
    identity = strict.identity
    az.use_emulator_cloud()
    assert (
        az.login(identity["app"]["client_id"], identity["app"]["client_secret"], identity["tenantId"]).returncode == 0
    )
    env = {**az.env(), "PATH": f"{Path(az.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.group(1)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "https://hdsws-dicom.dicom.azurehealthcareapis.com\n" in result.stdout
    assert re.search(r"hdsws/fhir\s+Succeeded", result.stdout), result.stdout
    assert "Resource changes: 3 to create." in result.stdout
