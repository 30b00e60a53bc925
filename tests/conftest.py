"""Shared fixtures: emulator processes over real HTTPS, unique names, SDK client factories."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from azure.core.credentials import AccessToken
from databases import on_postgres
from emulator_process import EmulatorProcess

SUBSCRIPTION = "6a3c2f1e-0b7d-4c55-9e2a-3f1d2c4b5a60"
# One provisioning step of the stepping emulator, in seconds of its clock.
STEP_SECONDS = 60


class StaticCredential:
    """What a test credential must be: any object with get_token (the emulator accepts any token)."""

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken("test-token", int(time.time()) + 3600)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests about one database are deselected (not skipped) on the other: `postgres` ones need
    ARM_EMULATOR_TEST_DATABASE_URL (`make test-postgres` sets it), `sqlite_only` ones run without it."""
    unwanted = "sqlite_only" if on_postgres() else "postgres"
    deselected = [item for item in items if item.get_closest_marker(unwanted)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(unwanted)]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """The default server: fast mode (the first poll already sees the terminal state)."""
    process = EmulatorProcess(tmp_path_factory.mktemp("emulator")).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def slow_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """Operations never finish during a test: for in-flight states, conflicts and Retry-After."""
    process = EmulatorProcess(tmp_path_factory.mktemp("slow"), lro_step_seconds="3600").start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def stepping_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """Each provisioning step takes a minute of the emulator's clock, which tests move on one step at
    a time (`POST /_emulator/clock/advance`, see `advance_one_step`): each poll sees the next state."""
    process = EmulatorProcess(tmp_path_factory.mktemp("stepping"), lro_step_seconds=str(STEP_SECONDS)).start()
    yield process
    process.stop()


def advance_one_step(http: httpx.Client) -> None:
    """Move the stepping emulator's clock on by one provisioning step."""
    assert http.post("/_emulator/clock/advance", json={"seconds": STEP_SECONDS}).status_code == 200


@pytest.fixture
def http(emulator: EmulatorProcess) -> Iterator[httpx.Client]:
    with emulator.client() as client:
        yield client


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture
def resource_group(http: httpx.Client) -> str:
    name = unique("rg-")
    response = http.put(
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}?api-version=2021-04-01",
        json={"location": "eastus"},
    )
    assert response.status_code == 201, response.text
    return name


def arm_path(resource_group: str, *pairs: str, namespace: str = "Microsoft.HealthcareApis") -> str:
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{resource_group}/providers/{namespace}/" + "/".join(pairs)


REPO_ROOT = Path(__file__).resolve().parent.parent
