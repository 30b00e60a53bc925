"""The README's Python example runs, unchanged, against a real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from emulator_process import EmulatorProcess


def _example(marker: str) -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    match = re.search(rf"<!-- example:{marker} .*?-->\n```python\n(.*?)```", readme, re.S)
    assert match, f"README has no example {marker!r}"
    return match.group(1)


def _banner_env(process: EmulatorProcess) -> dict[str, str]:
    """The environment the banner's exports make, trusting the local CA."""
    identity = process.identity
    return {
        **os.environ,
        "ARM_EMULATOR_URL": process.url,
        "REQUESTS_CA_BUNDLE": str(process.ca_file),
        "AZURE_TENANT_ID": identity["tenantId"],
        "AZURE_CLIENT_ID": identity["app"]["client_id"],
        "AZURE_CLIENT_SECRET": identity["app"]["client_secret"],
        "AZURE_SUBSCRIPTION_ID": identity["subscriptionId"],
    }


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("readme"), auth_mode="strict").start()
    yield process
    process.stop()


@pytest.mark.clients
def test_python_quickstart_creates_everything_and_is_repeatable(strict: EmulatorProcess) -> None:
    code = _example("python-quickstart")
    env = _banner_env(strict)
    for _ in range(2):  # the second run finds everything in place
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            "Succeeded https://demows-demodicom.dicom.azurehealthcareapis.com",
            "Succeeded demo-account.api.adu.microsoft.com",
            "Succeeded demo-account",
        ]


@pytest.mark.clients
def test_python_fhir_and_iot_connector_example_runs_and_is_repeatable(strict: EmulatorProcess) -> None:
    code = _example("python-fhir-iot")
    for _ in range(2):  # the second run finds everything in place
        result = subprocess.run(
            [sys.executable, "-c", code], env=_banner_env(strict), capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            "Succeeded https://demows-demofhir.fhir.azurehealthcareapis.com",
            "Succeeded True",
        ]


def readme_template() -> str:
    """The README's deployment template, as its readers save it (hds.json)."""
    readme = (REPO_ROOT / "README.md").read_text()
    match = re.search(r"<!-- example:deploy-template .*?-->\n```json\n(.*?)```", readme, re.S)
    assert match, "README has no deployment template"
    return match.group(1)


@pytest.mark.clients
def test_python_deployment_example_runs_and_is_repeatable(strict: EmulatorProcess, tmp_path: Path) -> None:
    (tmp_path / "hds.json").write_text(readme_template())
    code = _example("python-deploy")
    for _ in range(2):  # a second deployment of the same template updates everything in place
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=_banner_env(strict),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["True https://hdspy-dicom.dicom.azurehealthcareapis.com"]
