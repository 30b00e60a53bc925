"""The README's compose sidecar, run with Debian's docker-compose on the host network: docker/compose.yaml
with docker/compose.host-network.yaml, as the README shows it, then an SDK call from the host."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from azure.identity import ClientSecretCredential
from azure.mgmt.healthcareapis import HealthcareApisManagementClient
from docker_engine import BASE_IMAGE, DOCKER_COMPOSE, copy_out, free_port, identity, wait_healthy

pytestmark = pytest.mark.docker

DOCKER_DIR = Path(__file__).resolve().parents[2] / "docker"
SEED = yaml.safe_load((DOCKER_DIR / "seed.yaml").read_text())


class ComposeProject:
    """One `docker-compose -p NAME -f … ` project; `down` removes its containers, volume and built image."""

    def __init__(self, name: str, files: list[Path], port: int) -> None:
        self.name = name
        self.files = files
        # The legacy builder (no buildx here); the port for both services by the override's variable.
        self.env = {
            **os.environ,
            "ARM_EMULATOR_PORT": str(port),
            "DOCKER_BUILDKIT": "0",
            "COMPOSE_DOCKER_CLI_BUILD": "0",
        }

    def __call__(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        command = [DOCKER_COMPOSE, "--ansi", "never", "-p", self.name, *(f"--file={f}" for f in self.files), *args]
        return subprocess.run(command, cwd=DOCKER_DIR, env=self.env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ComposeProject]:
    # Only what this machine lacks: a registry for the base image and the placeholder test image.
    offline = tmp_path_factory.mktemp("compose") / "compose.offline.yaml"
    offline.write_text(
        yaml.safe_dump({
            "services": {
                "arm-emulator": {"build": {"args": {"PYTHON_IMAGE": BASE_IMAGE}}},
                "tests": {"image": BASE_IMAGE},
            }
        })
    )  # fmt: skip
    files = [DOCKER_DIR / "compose.yaml", DOCKER_DIR / "compose.host-network.yaml", offline]
    project = ComposeProject(f"armemulatortest{uuid.uuid4().hex[:8]}", files, free_port())
    try:
        yield project
    finally:
        down = project("down", "--volumes", "--rmi", "local", timeout=120)
        assert down.returncode == 0, down.stderr


def test_sidecar_on_the_host_network_then_an_sdk_call_from_the_host(project: ComposeProject, tmp_path: Path) -> None:
    # The README's command: the tests service waits for the emulator's health check, trusts the CA
    # from the shared volume and reaches the emulator on loopback.
    up = project("up", "--build", "--exit-code-from", "tests")
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    tests_output = [line for line in up.stdout.splitlines() if line.startswith("tests_1")]
    assert any('200 {"status":"ok"' in line for line in tests_output), up.stdout[-3000:]

    # `--exit-code-from` stopped the emulator with the tests; start it again with the same volume and
    # read the seeded workspace with the official SDK, from the host.
    start = project("start", "arm-emulator")
    assert start.returncode == 0, start.stderr
    container = project("ps", "-q", "arm-emulator").stdout.strip()
    wait_healthy(container)
    ca_file = copy_out(container, "/data/tls/ca.pem", tmp_path / "ca.pem")
    stored = identity(container, tmp_path)
    url = f"https://localhost:{project.env['ARM_EMULATOR_PORT']}"
    credential = ClientSecretCredential(
        stored["tenantId"], stored["app"]["client_id"], stored["app"]["client_secret"],
        authority=url, disable_instance_discovery=True, connection_verify=str(ca_file),
    )  # fmt: skip
    (subscription,) = SEED["subscriptions"]
    health = HealthcareApisManagementClient(
        credential, subscription, base_url=url, credential_scopes=[f"{url}/.default"], connection_verify=str(ca_file)
    )
    seeded = [w.id for w in health.workspaces.list_by_resource_group("ci")]
    assert seeded == [r["id"] for r in SEED["resources"]]
    assert health.workspaces.get("ci", "ciworkspace").properties.provisioning_state == "Succeeded"
