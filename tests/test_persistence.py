"""Real process restarts on the same SQLite file: nothing acknowledged is lost, operations resume."""

from __future__ import annotations

import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
from conftest import SUBSCRIPTION, arm_path, unique
from emulator_process import EmulatorProcess

HC = "api-version=2022-06-01"


def _moved(url: str, emulator: EmulatorProcess) -> str:
    """The same polling URL on the restarted server (it listens on a new port)."""
    parsed = httpx.URL(url)
    return str(httpx.URL(emulator.url).copy_with(path=parsed.path, query=parsed.query))


def test_kill_mid_operation_then_restart_completes_it(tmp_path: Path) -> None:
    # Each step takes an hour, so the kill surely lands while the create is still running.
    first = EmulatorProcess(tmp_path, lro_step_seconds="3600").start()
    group, workspace = unique("rg-"), unique("ws")
    with first.client() as http:
        assert (
            http.put(
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01",
                json={"location": "eastus"},
            ).status_code
            == 201
        )
        assert (
            http.put(f"{arm_path(group, 'workspaces', workspace)}?{HC}", json={"location": "eastus"}).status_code == 201
        )
        created = http.put(
            f"{arm_path(group, 'workspaces', workspace, 'dicomservices', 'dcm1')}?{HC}",
            json={"location": "eastus", "tags": {"kept": "yes"}},
        )
        assert created.status_code == 201
        status_url = created.headers["azure-asyncoperation"]
    first.stop(signal.SIGKILL)
    with closing(sqlite3.connect(tmp_path / "emulator.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    second = EmulatorProcess(tmp_path).start()
    try:
        with second.client() as http:
            resource = f"{arm_path(group, 'workspaces', workspace, 'dicomservices', 'dcm1')}?{HC}"
            assert http.get(_moved(status_url, second)).json()["status"] == "Running"
            # The operation keeps its own step length (an hour) across the restart; a day later it is done.
            assert http.post("/_emulator/clock/advance", json={"seconds": 24 * 3600}).status_code == 200
            assert http.get(_moved(status_url, second)).json()["status"] == "Succeeded"
            body = http.get(resource).json()
            assert body["properties"]["provisioningState"] == "Succeeded"
            assert body["tags"] == {"kept": "yes"}
            assert body["properties"]["serviceUrl"]
            assert http.get(f"{arm_path(group, 'workspaces', workspace)}?{HC}").status_code == 200
    finally:
        second.stop()


def test_operations_due_while_the_server_was_down_complete_without_a_poll(tmp_path: Path) -> None:
    # Steps fall due 50 ms apart, but this server's walker never runs and nobody polls: the
    # operation is due, not done, when the process dies, and a restart takes longer than that.
    first = EmulatorProcess(tmp_path, lro_step_seconds="0.05", walker_interval_seconds="3600").start()
    group = unique("rg-")
    with first.client() as http:
        http.put(
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01",
            json={"location": "eastus"},
        )
        url = arm_path(group, "accounts", "acct1", namespace="Microsoft.DeviceUpdate") + "?api-version=2023-07-01"
        assert http.put(url, json={"location": "westus2"}).status_code == 201
    first.stop(signal.SIGKILL)

    second = EmulatorProcess(tmp_path, lro_step_seconds="0.05").start()
    try:
        with second.client() as http:
            listing = http.get(
                f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.DeviceUpdate/accounts?api-version=2023-07-01"
            ).json()["value"]
            assert [a["properties"]["provisioningState"] for a in listing if group in a["id"]] == ["Succeeded"]
    finally:
        second.stop()
