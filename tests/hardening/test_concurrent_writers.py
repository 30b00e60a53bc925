"""Concurrency: 32 writers at once on a handful of resources (fast mode, so most writes succeed).

No 5xx; each successful write gets an ETag no other write got; the final state is one of the
writes; with If-Match, no two writes succeed on the same ETag (no lost update)."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from conftest import SUBSCRIPTION
from emulator_process import EmulatorProcess

HC = "api-version=2022-06-01"
DU = "api-version=2023-07-01"
GROUP = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/busy-rg"
WORKSPACES = f"{GROUP}/providers/Microsoft.HealthcareApis/workspaces"
RESOURCES = {
    "ws1": (f"{WORKSPACES}/busy-ws1?{HC}", "eastus"),
    "ws2": (f"{WORKSPACES}/busy-ws2?{HC}", "eastus"),
    "dicom1": (f"{WORKSPACES}/busy-ws1/dicomservices/dicom1?{HC}", "eastus"),
    "dicom2": (f"{WORKSPACES}/busy-ws2/dicomservices/dicom2?{HC}", "eastus"),
    "account": (f"{GROUP}/providers/Microsoft.DeviceUpdate/accounts/busyacct?{DU}", "westus2"),
}
SYNCHRONOUS = {"ws1", "ws2"}  # no walker step changes their ETag after the write
WRITERS = 32
WRITES_EACH = 12


@dataclass(frozen=True)
class Outcome:
    resource: str
    verb: str
    status: int
    etag: str | None
    tags: dict[str, str]
    code: str | None
    if_match: str | None = None


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("busy")).start()
    with process.client() as http:
        assert http.put(f"{GROUP}?api-version=2021-04-01", json={"location": "eastus"}).is_success
        for path, location in RESOURCES.values():
            assert http.put(path, json={"location": location, "tags": {"initial": "yes"}}).is_success
        settle(http)
    yield process
    process.stop()


def settle(http: httpx.Client, limit: float = 20) -> None:
    deadline = time.monotonic() + limit
    while http.get("/_emulator/operations", params={"active": "true"}).json()["value"]:
        assert time.monotonic() < deadline, "operations did not finish"
        time.sleep(0.05)


def run_writers(process: EmulatorProcess, body_of: object, seed: int) -> list[Outcome]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        rng = random.Random(seed * 100 + number)
        with process.client() as http:
            barrier.wait(timeout=30)
            for n in range(WRITES_EACH):
                outcome = body_of(http, rng, number, n)  # type: ignore[operator]
                with lock:
                    outcomes.append(outcome)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    assert len(outcomes) == WRITERS * WRITES_EACH
    return outcomes


def blind_write(http: httpx.Client, rng: random.Random, writer: int, n: int) -> Outcome:
    name = rng.choice(sorted(RESOURCES))
    path, location = RESOURCES[name]
    tags = {"writer": str(writer), "n": str(n)}
    verb = rng.choice(["PUT", "PUT", "PATCH"])
    if verb == "PUT":
        response = http.put(path, json={"location": location, "tags": tags})
    else:
        response = http.patch(path, json={"tags": tags})
    code = response.json()["error"]["code"] if response.status_code >= 400 else None
    return Outcome(name, verb, response.status_code, response.headers.get("etag"), tags, code)


def test_32_writers_on_a_handful_of_resources(busy: EmulatorProcess) -> None:
    with busy.client() as http:
        initial = {name: http.get(path).headers["etag"] for name, (path, _) in RESOURCES.items()}
    outcomes = run_writers(busy, blind_write, seed=1)

    server_errors = [o for o in outcomes if o.status >= 500]
    assert not server_errors, server_errors
    refused = [o for o in outcomes if o.status >= 400]
    assert all(o.status == 409 and o.code == "AnotherOperationInProgress" for o in refused), refused
    succeeded = [o for o in outcomes if o.status < 400]
    assert len(succeeded) > len(outcomes) * 0.8, f"only {len(succeeded)} of {len(outcomes)} writes succeeded"

    by_resource: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in succeeded:
        by_resource[outcome.resource].append(outcome)
    for name, writes in by_resource.items():
        etags = [o.etag for o in writes]
        assert None not in etags
        assert len(set(etags)) == len(etags), f"{name}: two successful writes answered the same ETag"
        assert initial[name] not in etags, f"{name}: a successful write kept the ETag"

    with busy.client() as http:
        settle(http)
        for name, (path, _) in RESOURCES.items():
            final = http.get(path)
            assert final.status_code == 200
            body = final.json()
            assert body["properties"]["provisioningState"] == "Succeeded", body
            writes = by_resource[name]
            assert body["tags"] in [o.tags for o in writes], f"{name}: final tags {body['tags']} were never written"
            if name in SYNCHRONOUS:
                (last,) = [o for o in writes if o.etag == final.headers["etag"]]
                assert last.tags == body["tags"], f"{name}: ETag {last.etag} belongs to another write"


def conditional_write(http: httpx.Client, rng: random.Random, writer: int, n: int) -> Outcome:
    name = rng.choice(sorted(SYNCHRONOUS))
    path, location = RESOURCES[name]
    etag = http.get(path).headers["etag"]
    tags = {"writer": str(writer), "n": str(n)}
    response = http.put(path, json={"location": location, "tags": tags}, headers={"If-Match": etag})
    code = response.json()["error"]["code"] if response.status_code >= 400 else None
    return Outcome(name, "PUT", response.status_code, response.headers.get("etag"), tags, code, etag)


def test_if_match_lets_one_writer_win_per_etag(busy: EmulatorProcess) -> None:
    outcomes = run_writers(busy, conditional_write, seed=2)
    assert all(o.status in (200, 412) for o in outcomes), [o for o in outcomes if o.status not in (200, 412)]
    assert all(o.code == "PreconditionFailed" for o in outcomes if o.status == 412)
    won = [o for o in outcomes if o.status == 200]
    assert won, "no conditional write succeeded"
    seen: dict[tuple[str, str | None], Outcome] = {}
    for outcome in won:
        key = (outcome.resource, outcome.if_match)
        assert key not in seen, f"lost update: two writes succeeded on {key}: {seen[key]} and {outcome}"
        seen[key] = outcome
    with busy.client() as http:
        for name in SYNCHRONOUS:
            final = http.get(RESOURCES[name][0])
            (last,) = [o for o in won if o.resource == name and o.etag == final.headers["etag"]]
            assert final.json()["tags"] == last.tags
