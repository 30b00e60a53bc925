"""The docker CLI and the image under test, as `make test-docker` names them (tests/docker/)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

# `make test-docker` passes Debian's client (the one first on PATH may need buildx) and the image it built.
DOCKER = os.environ.get("ARM_EMULATOR_DOCKER", "docker")
DOCKER_COMPOSE = os.environ.get("ARM_EMULATOR_DOCKER_COMPOSE", "docker-compose")
IMAGE = os.environ.get("ARM_EMULATOR_DOCKER_IMAGE", "arm-emulator:test")
# An image with python3 that the daemon already has (no registry is reachable in CI).
BASE_IMAGE = os.environ.get("ARM_EMULATOR_DOCKER_BASE_IMAGE", "arm-emulator-base:bookworm")


def docker(*args: str, timeout: float = 120, check: bool = True) -> str:
    """Runs `docker ARGS`; returns its stdout, or fails with its stderr."""
    result = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {result.returncode}:\n{result.stderr}{result.stdout}")
    return result.stdout


def free_port() -> int:
    """A port nothing listens on now, on loopback (the containers share the host's network)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def health(container: str) -> str:
    """What the container's own HEALTHCHECK says: starting, healthy or unhealthy."""
    return docker("inspect", "--format", "{{.State.Health.Status}}", container).strip()


def wait_healthy(container: str, timeout: float = 120) -> None:
    """Until the image's HEALTHCHECK (`arm-emulator health`) passes; its first run is one interval in."""
    deadline = time.monotonic() + timeout
    status = health(container)
    while status != "healthy":
        running = docker("inspect", "--format", "{{.State.Running}}", container).strip()
        if status == "unhealthy" or running != "true" or time.monotonic() > deadline:
            logs = docker("logs", "--tail", "40", container, check=False)
            raise AssertionError(f"container {container} is {status} (running: {running}):\n{logs}")
        time.sleep(0.5)
        status = health(container)


def copy_out(container: str, path: str, destination: Path) -> Path:
    """A file of the container's data dir, on the host (the CA to trust, identity.json)."""
    docker("cp", f"{container}:{path}", str(destination))
    return destination


def identity(container: str, directory: Path) -> dict[str, Any]:
    """The default tenant, subscription and service principal the emulator made on first start."""
    stored: dict[str, Any] = json.loads(
        copy_out(container, "/data/identity.json", directory / "identity.json").read_text()
    )
    return stored


def image_size_mb(image: str) -> float:
    return int(docker("image", "inspect", "--format", "{{.Size}}", image)) / 1e6
