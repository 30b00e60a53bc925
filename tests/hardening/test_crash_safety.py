"""Crash safety: kill -9 the server at random points while writers are busy, restart it on the same
data, and check, round after round, that no acknowledged write was lost and no operation is stuck.

Each writer owns its resources and writes them one request at a time, so per resource the writes
are ordered: after a restart a resource must show its last acknowledged write, or the one write
that was in flight when the server died (which may or may not have been committed). A 4xx means
"not applied"; a 5xx fails the test.
"""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION
from emulator_process import EmulatorProcess

HC = "api-version=2022-06-01"
DU = "api-version=2023-07-01"
GROUP = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/crash-rg"
WORKSPACES = f"{GROUP}/providers/Microsoft.HealthcareApis/workspaces"
ACCOUNTS = f"{GROUP}/providers/Microsoft.DeviceUpdate/accounts"
TERMINAL = {"Succeeded", "Failed", "Canceled"}
WRITERS = 6
# Steps short enough that operations finish between kills, long enough that kills land mid-operation.
SETTINGS = {"lro_step_seconds": "0.15", "walker_interval_seconds": "0.05"}
GONE = "gone"


@dataclass
class Tracked:
    """What a resource must look like: its last acknowledged state, or the in-flight one."""

    path: str
    confirmed: Any = GONE  # tags dict, or GONE
    in_flight: list[Any] = field(default_factory=list)

    def allowed(self) -> list[Any]:
        return [self.confirmed, *self.in_flight]


@dataclass
class Ledger:
    resources: dict[str, Tracked] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    acknowledged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def track(self, path: str) -> Tracked:
        with self.lock:
            return self.resources.setdefault(path, Tracked(path))


def resources_of(writer: int) -> list[tuple[str, str]]:
    """(kind, path) of what writer `writer` owns: a workspace, two DICOM services in it, an account."""
    workspace = f"{WORKSPACES}/crash-w{writer}"
    return [
        ("workspace", f"{workspace}?{HC}"),
        ("dicom", f"{workspace}/dicomservices/dcm{writer}a?{HC}"),
        ("dicom", f"{workspace}/dicomservices/dcm{writer}b?{HC}"),
        ("account", f"{ACCOUNTS}/crashacct{writer}?{DU}"),
    ]


def write(http: httpx.Client, ledger: Ledger, rng: random.Random, writer: int, seq: int) -> None:
    """One write; raises httpx.TransportError when the server is gone."""
    owned = resources_of(writer)
    kind, path = rng.choice(owned)
    tracked = ledger.track(path)
    workspace = ledger.track(owned[0][1])
    tags = {"writer": str(writer), "seq": str(seq)}
    if kind == "dicom" and workspace.confirmed is GONE:
        kind, path, tracked = owned[0][0], owned[0][1], workspace  # the parent first
    verb = rng.choice(["PUT", "PUT", "PUT", "PATCH", "DELETE"] if kind != "workspace" else ["PUT", "PUT", "PATCH"])
    if verb == "PATCH" and tracked.confirmed is GONE:
        verb = "PUT"
    location = "westus2" if kind == "account" else "eastus"
    expected: Any = GONE if verb == "DELETE" else tags
    # In flight until answered: if the server dies first, it may or may not have been committed.
    tracked.in_flight = [expected]
    if verb == "PUT":
        response = http.put(path, json={"location": location, "tags": tags})
    elif verb == "PATCH":
        response = http.patch(path, json={"tags": tags})
    else:
        response = http.delete(path)
    if response.status_code >= 500:
        ledger.server_errors.append(f"{verb} {path}: {response.status_code} {response.text[:200]}")
    if response.is_success:
        tracked.confirmed = expected
        with ledger.lock:
            ledger.acknowledged += 1
    tracked.in_flight = []  # answered: applied (2xx) or refused (4xx), nothing pending


def writer_loop(process: EmulatorProcess, ledger: Ledger, writer: int, seed: int, stop: threading.Event) -> None:
    rng = random.Random(seed)
    seq = 0
    with process.client() as http:
        while not stop.is_set() and seq < 10_000:
            seq += 1
            try:
                write(http, ledger, rng, writer, seq)
            except httpx.TransportError:
                return


def check_database(data_dir: Path) -> None:
    with contextlib.closing(sqlite3.connect(f"file:{data_dir / 'emulator.db'}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def settle(http: httpx.Client, limit: float = 20) -> None:
    """Every operation terminal (the walker alone moves them: nothing polls)."""
    deadline = time.monotonic() + limit
    while (active := http.get("/_emulator/operations", params={"active": "true"}).json()["value"]) != []:
        assert time.monotonic() < deadline, f"operations stuck after restart: {active[:3]}"
        time.sleep(0.1)
    for op in http.get("/_emulator/operations", params={"active": "false"}).json()["value"]:
        assert op["status"] in TERMINAL, op


def verify_ledger(http: httpx.Client, ledger: Ledger) -> None:
    """Every resource is in an allowed state; the in-flight outcome becomes the confirmed one."""
    problems = []
    for tracked in ledger.resources.values():
        response = http.get(tracked.path)
        if response.status_code == 404:
            observed: Any = GONE
        else:
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["properties"]["provisioningState"] in TERMINAL, body
            observed = body.get("tags")
        if observed not in tracked.allowed():
            problems.append(f"{tracked.path}: found {observed}, expected one of {tracked.allowed()}")
        tracked.confirmed, tracked.in_flight = observed, []
    assert not problems, "acknowledged writes lost:\n" + "\n".join(problems)


def crash_rounds(data_dir: Path, rounds: int, seed: int) -> Ledger:
    rng = random.Random(seed)
    ledger = Ledger()
    for number in range(rounds + 1):
        if number:
            check_database(data_dir)
        process = EmulatorProcess(data_dir, **SETTINGS).start()
        try:
            with process.client() as http:
                settle(http)
                verify_ledger(http, ledger)
                if number == rounds:
                    break
                if number == 0:
                    assert http.put(f"{GROUP}?api-version=2021-04-01", json={"location": "eastus"}).is_success
            stop = threading.Event()
            threads = [
                threading.Thread(
                    target=writer_loop,
                    args=(process, ledger, w, seed * 1000 + number * 100 + w, stop),
                )
                for w in range(WRITERS)
            ]
            # Kill -9 after a random number of acknowledged writes (not after a time, which a busy machine
            # would fill with fewer), wherever the writers and the walker then are.
            target = ledger.acknowledged + rng.randint(15, 60)
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 60
            while ledger.acknowledged < target and time.monotonic() < deadline and not ledger.server_errors:
                time.sleep(0.005)
            process.stop(signal.SIGKILL)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
                assert not thread.is_alive()
        finally:
            process.stop(signal.SIGKILL)
    assert not ledger.server_errors, ledger.server_errors
    return ledger


def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    ledger = crash_rounds(tmp_path, rounds=2, seed=7)
    assert ledger.acknowledged > 20  # the rounds did write something


@pytest.mark.hardening
@pytest.mark.parametrize("seed", [11, 23, 42])
def test_kill_9_many_rounds(tmp_path: Path, seed: int) -> None:
    ledger = crash_rounds(tmp_path, rounds=8, seed=seed)
    assert ledger.acknowledged > 100
