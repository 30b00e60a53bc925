"""The image from docker/Dockerfile, run as a user runs it: on the host network, healthy by its own
HEALTHCHECK, driven by the official Python SDKs from the host, restarted with its data volume, non-root."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.healthcareapis import HealthcareApisManagementClient
from azure.mgmt.healthcareapis.models import DicomService, DicomServicePatchResource, Workspace
from azure.mgmt.resource.resources import ResourceManagementClient
from docker_engine import IMAGE, copy_out, docker, free_port, identity, image_size_mb, wait_healthy

pytestmark = pytest.mark.docker


@dataclass
class Container:
    name: str
    url: str
    ca_file: Path
    identity: dict[str, str]


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """One emulator container with a named data volume; removed with its volume however the tests end."""
    name = f"arm-emulator-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    try:
        docker(
            "run", "--detach", "--name", name, "--network", "host",
            "--volume", f"{name}-data:/data",
            # The port by variable, not flag: the HEALTHCHECK reads it too. Loopback only.
            "--env", f"ARM_EMULATOR_PORT={port}", "--env", "ARM_EMULATOR_HOST=127.0.0.1",
            IMAGE,
        )  # fmt: skip
        wait_healthy(name)
        directory = tmp_path_factory.mktemp("container")
        stored = identity(name, directory)
        ca_file = copy_out(name, "/data/tls/ca.pem", directory / "ca.pem")
        yield Container(name, f"https://127.0.0.1:{port}", ca_file, {
            "tenant": stored["tenantId"], "client_id": stored["app"]["client_id"],
            "secret": stored["app"]["client_secret"], "subscription": stored["subscriptionId"],
        })  # fmt: skip
    finally:
        docker("rm", "--force", "--volumes", name, check=False)
        docker("volume", "rm", f"{name}-data", check=False)


def _clients(container: Container) -> tuple[ResourceManagementClient, HealthcareApisManagementClient]:
    """As the README's Python example makes them: the emulator is the Entra ID authority and ARM."""
    verify = {"connection_verify": str(container.ca_file)}
    credential = ClientSecretCredential(
        container.identity["tenant"], container.identity["client_id"], container.identity["secret"],
        authority=container.url, disable_instance_discovery=True, **verify,
    )  # fmt: skip
    options = {"base_url": container.url, "credential_scopes": [f"{container.url}/.default"], **verify}
    subscription = container.identity["subscription"]
    return (
        ResourceManagementClient(credential, subscription, **options),
        HealthcareApisManagementClient(credential, subscription, **options),
    )


def test_image_size_is_reported() -> None:
    size = image_size_mb(IMAGE)
    print(f"image {IMAGE}: {size:.0f} MB")
    assert size > 0


def test_carries_the_postgresql_driver_for_replicas(container: Container) -> None:
    # The README's shared emulator runs this image with a postgresql+psycopg:// database URL.
    out = docker("exec", container.name, "/opt/venv/bin/python", "-c", "import psycopg; print(psycopg.__version__)")
    assert out.strip().split(".")[0] == "3"


def test_runs_as_uid_10001_and_owns_its_data(container: Container) -> None:
    assert docker("inspect", "--format", "{{.Config.User}}", container.name).strip() == "10001:10001"
    # PID 1 is the server itself (exec-form ENTRYPOINT): its real, effective, saved and fs uids.
    status = docker("exec", container.name, "cat", "/proc/1/status")
    uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    assert uid_line.split()[1:] == ["10001"] * 4
    owners = docker("exec", container.name, "stat", "--format", "%u:%g %n", "/data/emulator.db", "/data/tls/ca.pem")
    assert [line.split()[0] for line in owners.splitlines()] == ["10001:10001", "10001:10001"]


def test_sdk_lifecycle_survives_a_container_restart(container: Container) -> None:
    groups, health = _clients(container)
    groups.resource_groups.create_or_update("docker-rg", {"location": "eastus"})
    health.workspaces.begin_create_or_update("docker-rg", "dockerws", Workspace(location="eastus")).result()
    created = health.dicom_services.begin_create_or_update(
        "docker-rg", "dockerws", "dockerdicom", DicomService(location="eastus")
    ).result()
    assert created.provisioning_state == "Succeeded"
    tagged = health.dicom_services.begin_update(
        "docker-rg", "dockerdicom", "dockerws", DicomServicePatchResource(tags={"kept": "yes"})
    ).result()
    assert tagged.tags == {"kept": "yes"}

    started_before = docker("inspect", "--format", "{{.State.StartedAt}}", container.name)
    docker("restart", container.name)
    assert docker("inspect", "--format", "{{.State.StartedAt}}", container.name) != started_before
    wait_healthy(container.name)

    # New clients: nothing from before the restart but the CA and the service principal, both kept in /data.
    groups, health = _clients(container)
    kept = health.dicom_services.get("docker-rg", "dockerws", "dockerdicom")
    assert (kept.id, kept.etag, kept.tags, kept.service_url) == (
        created.id,
        tagged.etag,
        {"kept": "yes"},
        created.service_url,
    )
    assert [w.name for w in health.workspaces.list_by_resource_group("docker-rg")] == ["dockerws"]

    health.dicom_services.begin_delete("docker-rg", "dockerdicom", "dockerws").result()
    health.workspaces.begin_delete("docker-rg", "dockerws").result()
    with pytest.raises(ResourceNotFoundError):
        health.workspaces.get("docker-rg", "dockerws")
    groups.resource_groups.begin_delete("docker-rg").result()
    assert "docker-rg" not in [g.name for g in groups.resource_groups.list()]
