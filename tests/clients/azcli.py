"""Runs the real Azure CLI (`az`, from ARM_EMULATOR_AZ) against an emulator, in its own config dir."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from emulator_process import EmulatorProcess

AZ_VARIABLE = "ARM_EMULATOR_AZ"
CLOUD = "ArmEmulator"
# az starts in well under a second; with `Retry-After: 1` and fast mode no command needs more than a few
# seconds. A command near 30 s means az fell back to its default poll interval: fail it, don't wait.
TIMEOUT_SECONDS = 20
# Variables of the caller's shell that would point az somewhere else.
_INHERITED_PREFIXES = ("AZURE_", "ARM_", "MSAL_", "IDENTITY_", "MSI_")
_INHERITED = {"REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "PYTHONPATH", "PYTHONHOME"}
_WIRE = re.compile(
    r"Request URL: '(?P<url>[^']+)'\n.*?Request method: '(?P<method>[A-Z]+)'\n.*?Response status: (?P<status>\d+)",
    re.DOTALL,
)


def az_executable() -> str:
    """The az under test. Unset or unusable is a failure: `make test-clients` always sets it."""
    path = os.environ.get(AZ_VARIABLE)
    if not path:
        pytest.fail(f"{AZ_VARIABLE} is not set: run these tests with `make test-clients`, which installs azure-cli")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"{AZ_VARIABLE}={path!r} is not an executable file")
    return path


@dataclass
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.stdout)

    def wire(self) -> list[tuple[str, str, int]]:
        """(method, URL, status) of each ARM call az logged with --debug, in order."""
        return [(m["method"], m["url"], int(m["status"])) for m in _WIRE.finditer(self.stderr)]


@dataclass
class AzCli:
    """One az "user": its own AZURE_CONFIG_DIR, trusting only the emulator's CA."""

    emulator: EmulatorProcess
    config_dir: Path
    executable: str = field(default_factory=az_executable)
    history: list[Result] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PREFIXES) and k.upper() not in _INHERITED
        }
        ca = str(self.emulator.ca_file)
        no_proxy = ",".join(p for p in (os.environ.get("NO_PROXY", ""), "127.0.0.1,localhost") if p)
        env.update(
            {
                "AZURE_CONFIG_DIR": str(self.config_dir),
                # requests (every ARM and token call) reads REQUESTS_CA_BUNDLE; urllib (cloud metadata) SSL_CERT_FILE.
                "REQUESTS_CA_BUNDLE": ca,
                "SSL_CERT_FILE": ca,
                # Otherwise MSAL asks login.microsoftonline.com about the emulator's authority.
                "AZURE_CORE_INSTANCE_DISCOVERY": "false",
                "AZURE_CORE_COLLECT_TELEMETRY": "no",
                "AZURE_CORE_SURVEY_MESSAGE": "no",
                "AZURE_CORE_NO_COLOR": "true",
                "NO_PROXY": no_proxy,
                "no_proxy": no_proxy,
            }
        )
        return env

    def run(self, *args: str, debug: bool = False) -> Result:
        command = [self.executable, *args, "--output", "json", *(["--debug"] if debug else [])]
        started = time.monotonic()
        try:
            completed = subprocess.run(
                command, env=self.env(), capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"`az {' '.join(args)}` did not finish in {TIMEOUT_SECONDS} s: az probably fell back to its "
                "30 s poll interval (a poll answered without Retry-After, or not terminal)"
            )
        seconds = time.monotonic() - started
        result = Result(tuple(args), completed.returncode, completed.stdout, completed.stderr, seconds)
        self.history.append(result)
        return result

    def ok(self, *args: str, debug: bool = False) -> Result:
        result = self.run(*args, debug=debug)
        assert result.returncode == 0, f"az {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
        return result

    def __call__(self, *args: str) -> Any:
        """Runs a command that must succeed; its JSON output."""
        return self.ok(*args).json()

    def use_emulator_cloud(self) -> None:
        """`az cloud register` reads `<url>/metadata/endpoints?api-version=2022-09-01` for every endpoint."""
        self.ok("cloud", "register", "--name", CLOUD, "--endpoint-resource-manager", self.emulator.url)
        self.ok("cloud", "set", "--name", CLOUD)

    def login(self, client_id: str, secret: str, tenant: str) -> Result:
        return self.run(
            "login", "--service-principal", "--username", client_id, "--password", secret, "--tenant", tenant
        )
