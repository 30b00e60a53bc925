"""Template deployments on replicas sharing one PostgreSQL database (README, "A shared emulator"): a
deployment runs on the replica that took its PUT, holding a lease; starting another replica leaves it
alone, a cancel through another replica stops it, and when its replica is SIGKILLed another one
resumes it to the end, outputs included.

Runs under `make test-postgres` only (a private server: tools/with-private-postgres)."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION, unique
from databases import fresh_database_url
from deployment_templates import account_then_workspace, plain, slow_account
from emulator_process import EmulatorProcess

pytestmark = pytest.mark.postgres

API = "api-version=2025-04-01"
DAY = 24 * 3600
LEASE = "2"  # seconds without a renewal before another replica takes a run over


def deployment_path(group: str, name: str) -> str:
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.Resources/deployments/{name}"


def state_of(http: httpx.Client, path: str) -> str:
    state: str = http.get(f"{path}?{API}").json()["properties"]["provisioningState"]
    return state


def operations_of(http: httpx.Client, path: str) -> dict[str, dict[str, Any]]:
    listed = http.get(f"{path}/operations?{API}").json()["value"]
    return {op["properties"]["targetResource"]["resourceName"]: op for op in listed}


def until(check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[tuple[str, Path, list[EmulatorProcess]]]:
    """The database and data dir replicas share, and the replicas a test starts (stopped after it)."""
    started: list[EmulatorProcess] = []
    try:
        yield fresh_database_url(tmp_path), tmp_path / "shared", started
    finally:
        for process in started:
            process.stop()


def replica(shared: tuple[str, Path, list[EmulatorProcess]]) -> EmulatorProcess:
    url, data_dir, started = shared
    process = EmulatorProcess(data_dir, database_url=url, deployment_lease_seconds=LEASE)
    started.append(process)
    return process


def test_a_deployment_survives_a_new_replica_a_cancel_elsewhere_and_the_kill_of_its_own(
    shared: tuple[str, Path, list[EmulatorProcess]],
) -> None:
    first, second = replica(shared), replica(shared)
    for process in (first, second):
        process.start_without_health_check()
    for process in (first, second):
        process.wait_healthy(process.verify)
    a, b = first.client(), second.client()
    with a, b:
        group = unique("rg-")
        group_url = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01"
        assert a.put(group_url, json={"location": "eastus"}).status_code == 201
        account, space, doomed = unique("adu"), unique("ws"), unique("adu")
        template = account_then_workspace(account, space)
        kept, canceled = deployment_path(group, "kept"), deployment_path(group, "canceled")
        for path, body in ((kept, template), (canceled, plain(slow_account(doomed)))):
            created = a.put(f"{path}?{API}", json={"properties": {"mode": "Incremental", "template": body}})
            assert created.status_code == 201, created.text
        until(lambda: account in operations_of(a, kept) and doomed in operations_of(a, canceled))
        begun = operations_of(a, kept)[account]["operationId"]

        # A third replica starting (and sweeping, a few times a lease) leaves the first one's runs alone.
        third = replica(shared).start()
        with third.client() as c:
            time.sleep(1.5 * float(LEASE))
            assert state_of(c, kept) == state_of(c, canceled) == "Running"
            assert operations_of(c, kept)[account]["properties"]["provisioningState"] == "Running"

            # A cancel through the third replica stops the run on the first: it closes its operation.
            assert c.post(f"{canceled}/cancel?{API}").status_code == 204
            until(lambda: operations_of(b, canceled)[doomed]["properties"]["provisioningState"] == "Canceled")
            assert state_of(b, canceled) == "Canceled"

            # The first replica dies with the other deployment's write in progress; a day passes; a
            # surviving replica takes the run over when the lease lapses and finishes it.
            assert first.process is not None
            first.process.send_signal(signal.SIGKILL)
            first.process.wait(10)
            assert b.post("/_emulator/clock/advance", json={"seconds": DAY}).status_code == 200
            until(lambda: state_of(c, kept) in ("Succeeded", "Failed", "Canceled"), timeout=60)
            shown = b.get(f"{kept}?{API}").json()["properties"]
            assert shown["provisioningState"] == "Succeeded", shown
            assert shown["outputs"] == {"accountState": {"type": "String", "value": "Succeeded"}}
            operations = operations_of(c, kept)
            assert {name: op["properties"]["provisioningState"] for name, op in operations.items()} == {
                account: "Succeeded",
                space: "Succeeded",
            }
            assert operations[account]["operationId"] == begun  # the same operation, finished, not a second one
            assert state_of(c, canceled) == "Canceled"  # a canceled run is not resumed
