"""Graceful shutdown: SIGTERM lets in-flight requests finish, stops the walker, closes the database
(SQLite checkpoints and removes its WAL file when the last connection closes), and operations that
fall due while the server is down complete after the next start, without anyone polling them."""

from __future__ import annotations

import contextlib
import gc
import signal
import sqlite3
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION
from emulator_process import EmulatorProcess

from arm_emulator.server import GRACEFUL_SHUTDOWN_SECONDS as GRACE

HC = "api-version=2022-06-01"
DU = "api-version=2023-07-01"
GROUP = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/term-rg"
WORKSPACES = f"{GROUP}/providers/Microsoft.HealthcareApis/workspaces"
ACCOUNTS = f"{GROUP}/providers/Microsoft.DeviceUpdate/accounts"
# Timings relative to the server's graceful-shutdown timeout: a request that fits in it, one that
# does not, and how long an exit may take (the timeout plus process start-up and teardown).
FITS_MS = int(GRACE * 1000 * 3 / 4)
CUT_MS = GRACE * 1000 * 3
EXIT_LIMIT = GRACE + 3


def make_group(http: httpx.Client) -> None:
    assert http.put(f"{GROUP}?api-version=2021-04-01", json={"location": "eastus"}).is_success


def add_latency(http: httpx.Client, name: str, milliseconds: int) -> str:
    rule = {"match": {"method": "PUT", "name": name}, "action": {"type": "latency", "milliseconds": milliseconds}}
    response = http.post("/_emulator/faults", json=rule)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def wait_fired(http: httpx.Client, rule_id: str, limit: float = 10) -> None:
    """Until the latency rule has fired: the request is inside the server, sleeping."""
    deadline = time.monotonic() + limit
    while not any(r["id"] == rule_id and r["fired"] for r in http.get("/_emulator/faults").json()["value"]):
        assert time.monotonic() < deadline, "the slow request never arrived"
        time.sleep(0.02)


def terminate(process: EmulatorProcess) -> tuple[int, float]:
    """SIGTERM; (exit code, seconds to exit)."""
    started = time.monotonic()
    code = process.stop(signal.SIGTERM)
    assert code is not None
    return code, time.monotonic() - started


def wal_size(data_dir: Path) -> int:
    wal = data_dir / "emulator.db-wal"
    return wal.stat().st_size if wal.exists() else 0


def in_background(call: Any) -> tuple[threading.Thread, dict[str, Any]]:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["response"] = call()
        except httpx.HTTPError as error:
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_sigterm_finishes_the_request_in_flight_refuses_new_ones_and_closes_the_database(tmp_path: Path) -> None:
    process = EmulatorProcess(tmp_path).start()
    url, verify = process.url, process.verify
    assert process.process is not None
    with process.client() as http, process.client() as slow:
        make_group(http)
        rule = add_latency(http, "slow*", FITS_MS)
        thread, result = in_background(
            lambda: slow.put(f"{WORKSPACES}/slow1?{HC}", json={"location": "eastus", "tags": {"kept": "yes"}})
        )
        wait_fired(http, rule)
        started = time.monotonic()
        process.process.send_signal(signal.SIGTERM)
        # New connections are refused while the slow request is still being served.
        refused_in_flight = False
        while thread.is_alive():
            try:
                with httpx.Client(verify=verify, timeout=2) as probe:
                    probe.get(f"{url}/_emulator/health")
            except httpx.TransportError:
                refused_in_flight = thread.is_alive()
                break
            time.sleep(0.02)
        # A probe the closing server cut off mid-handshake can leave its TLS socket to the garbage
        # collector; collect it here, where that is expected, not in whichever test runs next.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        code = process.process.wait(timeout=10)
        took = time.monotonic() - started
        process.stop()
        thread.join(timeout=10)
    assert "error" not in result, result
    assert result["response"].status_code == 201, result["response"].text
    assert refused_in_flight, "new connections were served until the request in flight had finished"
    assert code == 0  # a graceful stop is a clean end
    assert took < EXIT_LIMIT
    assert wal_size(tmp_path) == 0, "the database was not closed (its WAL was not checkpointed)"

    again = EmulatorProcess(tmp_path).start()
    try:
        with again.client() as http:
            body = http.get(f"{WORKSPACES}/slow1?{HC}").json()
            assert body["tags"] == {"kept": "yes"}
            assert body["properties"]["provisioningState"] == "Succeeded"
    finally:
        again.stop()


@pytest.mark.hardening
def test_sigterm_with_idle_keep_alive_connections_exits_promptly(tmp_path: Path) -> None:
    process = EmulatorProcess(tmp_path).start()
    clients = [process.client() for _ in range(8)]
    try:
        for client in clients:
            assert client.get("/_emulator/health").status_code == 200  # keeps its connection open
        code, took = terminate(process)
    finally:
        for client in clients:
            client.close()
    assert code == 0  # a graceful stop is a clean end
    assert took < EXIT_LIMIT, f"SIGTERM took {took:.1f} s with idle keep-alive connections"
    assert wal_size(tmp_path) == 0


@pytest.mark.hardening
def test_a_request_cut_off_by_the_shutdown_timeout_leaves_no_half_write(tmp_path: Path) -> None:
    """Longer than uvicorn's graceful timeout: the request is cancelled before it writes."""
    process = EmulatorProcess(tmp_path).start()
    with process.client() as http, process.client() as slow:
        make_group(http)
        rule = add_latency(http, "cut*", CUT_MS)
        thread, result = in_background(lambda: slow.put(f"{WORKSPACES}/cut1?{HC}", json={"location": "eastus"}))
        wait_fired(http, rule)
        code, took = terminate(process)
        thread.join(timeout=10)
    assert "error" in result or result["response"].status_code >= 500, result
    assert code == 0  # a graceful stop is a clean end
    assert took < EXIT_LIMIT
    again = EmulatorProcess(tmp_path).start()
    try:
        with again.client() as http:
            assert http.get(f"{WORKSPACES}/cut1?{HC}").status_code == 404
    finally:
        again.stop()


def pending(data_dir: Path) -> list[tuple[str, float]]:
    with contextlib.closing(sqlite3.connect(f"file:{data_dir / 'emulator.db'}?mode=ro", uri=True)) as db:
        return db.execute("SELECT id, due_at FROM operations WHERE due_at IS NOT NULL").fetchall()


def test_operations_due_during_downtime_complete_after_the_next_start(tmp_path: Path) -> None:
    step = {"x-ms-emulator-lro-step-seconds": "0.4"}
    # No walker and no polls: every operation is still running when the server stops.
    process = EmulatorProcess(tmp_path, walker_interval_seconds="3600").start()
    paths = []
    with process.client() as http:
        make_group(http)
        assert http.put(f"{WORKSPACES}/termws?{HC}", json={"location": "eastus"}).status_code == 201
        for i in range(12):
            path = f"{WORKSPACES}/termws/dicomservices/dcm{i}?{HC}"
            assert http.put(path, json={"location": "eastus"}, headers=step).status_code == 201
            paths.append(path)
        for i in range(4):
            path = f"{ACCOUNTS}/termacct{i}?{DU}"
            assert http.put(path, json={"location": "westus2"}, headers=step).status_code == 201
            paths.append(path)
    code, _ = terminate(process)
    assert code == 0  # a graceful stop is a clean end
    left = pending(tmp_path)
    assert len(left) == len(paths)
    # Down until every operation's last step is due (at most 3 steps of 0.4 s after its start).
    time.sleep(max(0.0, max(due for _, due in left) + 1.0 - time.time()))

    again = EmulatorProcess(tmp_path, walker_interval_seconds="0.05").start()
    try:
        deadline = time.monotonic() + 10
        while pending(tmp_path):  # read from the file: nothing polls the server
            assert time.monotonic() < deadline, f"stuck after restart: {pending(tmp_path)}"
            time.sleep(0.05)
        with again.client() as http:
            for path in paths:
                assert http.get(path).json()["properties"]["provisioningState"] == "Succeeded", path
    finally:
        again.stop()
