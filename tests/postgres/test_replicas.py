"""Several `arm-emulator serve` processes on one PostgreSQL database behave as one emulator (README,
"A shared emulator"): real processes over HTTPS sharing a data dir, load spread across them, a SIGKILL
of one in the middle; the test controls set through one replica take effect on the others.

Runs under `make test-postgres` only (a private server: tools/with-private-postgres)."""

from __future__ import annotations

import signal
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import SUBSCRIPTION, arm_path, unique
from databases import fresh_database_url
from emulator_process import EmulatorProcess

pytestmark = pytest.mark.postgres

HC = "api-version=2022-06-01"
GROUPS = "api-version=2021-04-01"
DAY = 24 * 3600


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[EmulatorProcess]]:
    """Three replicas started together on one new database and one shared data dir (so one CA, one
    signing key, one identity). Operations take an hour a step: only a clock advance ends them."""
    url = fresh_database_url(tmp_path)
    data_dir = tmp_path / "shared"
    processes = [EmulatorProcess(data_dir, database_url=url, lro_step_seconds="3600") for _ in range(3)]
    try:
        for process in processes:
            process.start_without_health_check()
        for process in processes:
            process.wait_healthy(process.verify)
        yield processes
    finally:
        for process in processes:
            process.stop()


def new_group(http: httpx.Client) -> str:
    name = unique("rg-")
    response = http.put(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}?{GROUPS}", json={"location": "eastus"})
    assert response.status_code == 201, response.text
    return name


def test_replicas_share_one_ca_and_one_database(replicas: list[EmulatorProcess]) -> None:
    # Every replica's certificate verifies against the one CA file of the shared data dir.
    first, second, third = (replica.client() for replica in replicas)
    with first, second, third:
        group = new_group(first)
        name = unique("ws")
        assert second.put(f"{arm_path(group, 'workspaces', name)}?{HC}", json={"location": "eastus"}).status_code == 201
        fetched = third.get(f"{arm_path(group, 'workspaces', name)}?{HC}")
        assert fetched.status_code == 200 and fetched.json()["name"] == name
        # One identity and one token-signing key: a token one replica issues verifies on the others.
        tenant = replicas[0].identity["tenantId"]
        keys = [client.get(f"/{tenant}/discovery/v2.0/keys").json() for client in (first, second, third)]
        assert keys[0]["keys"] and keys[0] == keys[1] == keys[2]


def test_a_fault_rule_set_through_one_replica_fires_on_the_others_and_is_spent_once(
    replicas: list[EmulatorProcess],
) -> None:
    first, second, third = (replica.client() for replica in replicas)
    with first, second, third:
        group = new_group(first)
        rule = {
            "match": {"resourceType": "workspaces", "method": "PUT"},
            "action": {"type": "error", "status": 429, "code": "TooManyRequests", "message": "Slow down."},
            "times": 2,
        }
        created = first.post("/_emulator/faults", json=rule)
        assert created.status_code == 201
        url = f"{arm_path(group, 'workspaces', unique('ws'))}?{HC}"
        assert second.put(url, json={"location": "eastus"}).status_code == 429
        assert third.put(url, json={"location": "eastus"}).status_code == 429
        assert first.put(url, json={"location": "eastus"}).status_code == 201  # spent on the others
        listed = second.get("/_emulator/faults").json()["value"]
        assert [(r["id"], r["fired"]) for r in listed] == [(created.json()["id"], 2)]
        assert third.delete(f"/_emulator/faults/{created.json()['id']}").status_code == 204
        assert first.get("/_emulator/faults").json() == {"value": []}


def test_a_lock_or_a_group_deletion_through_one_replica_stops_writes_on_the_others(
    replicas: list[EmulatorProcess],
) -> None:
    """A write's subscription, group and lock checks are answered from each replica's memory; a change
    through another replica still counts from the next request on (it moves the shared counter)."""
    first, second, third = (replica.client() for replica in replicas)
    with first, second, third:
        group = new_group(first)
        group_path = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}"

        def new_workspace(client: httpx.Client) -> httpx.Response:
            return client.put(f"{arm_path(group, 'workspaces', unique('ws'))}?{HC}", json={"location": "eastus"})

        # Every replica has read the group and its (no) locks.
        assert [new_workspace(client).status_code for client in (first, second, third)] == [201, 201, 201]
        lock = f"{group_path}/providers/Microsoft.Authorization/locks/ro?api-version=2020-05-01"
        assert second.put(lock, json={"properties": {"level": "ReadOnly"}}).status_code in (200, 201)
        for client in (first, third):
            refused = new_workspace(client)
            assert refused.status_code == 409 and refused.json()["error"]["code"] == "ScopeLocked"
        assert third.delete(lock).status_code == 200
        assert new_workspace(first).status_code == 201
        # The group's deletion takes an hour a step here: it stays Deleting, and no replica writes into it.
        assert second.delete(f"{group_path}?{GROUPS}").status_code == 202
        for client in (first, third):
            refused = new_workspace(client)
            assert refused.status_code == 404 and refused.json()["error"]["code"] == "ResourceGroupNotFound"


def test_timing_and_the_clock_set_through_one_replica_steer_the_others(replicas: list[EmulatorProcess]) -> None:
    first, second, third = (replica.client() for replica in replicas)
    with first, second, third:
        group = new_group(first)
        workspace = unique("ws")
        created = first.put(f"{arm_path(group, 'workspaces', workspace)}?{HC}", json={"location": "eastus"})
        assert created.status_code == 201
        # A timing override through the second replica: DICOM services walk a step per poll.
        timing = {"types": {"Microsoft.HealthcareApis/workspaces/dicomservices": {"mode": "polls"}}}
        assert second.put("/_emulator/lro-timing", json=timing).status_code == 200
        assert third.get("/_emulator/lro-timing").json()["types"] == {
            "microsoft.healthcareapis/workspaces/dicomservices": {"mode": "polls", "stepSeconds": 0.0}
        }
        dicom = f"{arm_path(group, 'workspaces', workspace, 'dicomservices', 'polled')}?{HC}"
        assert third.put(dicom, json={"location": "eastus"}).status_code == 201
        assert first.get(dicom).json()["properties"]["provisioningState"] == "Succeeded"  # one step, one poll
        changed = third.put(dicom, json={"location": "eastus", "properties": {"corsConfiguration": {"maxAge": 5}}})
        assert changed.json()["properties"]["provisioningState"] == "Accepted"
        status = urlsplit(changed.headers["azure-asyncoperation"])
        seen = [replica.get(f"{status.path}?{status.query}").json()["status"] for replica in (first, second, first)]
        assert seen == ["Running", "Succeeded", "Succeeded"]  # a step per poll, whichever replica is polled
        # The clock, moved through the first replica, is every replica's: an hour-a-step write ends.
        assert second.put("/_emulator/lro-timing", json={}).status_code == 200
        timed = f"{arm_path(group, 'workspaces', workspace, 'dicomservices', 'timed')}?{HC}"
        assert third.put(timed, json={"location": "eastus"}).status_code == 201
        assert second.get(timed).json()["properties"]["provisioningState"] != "Succeeded"
        advanced = first.post("/_emulator/clock/advance", json={"seconds": DAY})
        assert advanced.status_code == 200
        assert third.get("/_emulator/clock").json()["offsetSeconds"] == advanced.json()["offsetSeconds"] >= DAY
        assert second.get(timed).json()["properties"]["provisioningState"] == "Succeeded"
        # The journal is one: a request to one replica is found through another, and a reset through any
        # replica clears the clock, the journal and the overrides on all of them.
        marker = str(uuid.uuid4())
        third.get(f"{arm_path(group, 'workspaces', workspace)}?{HC}", headers={"x-ms-client-request-id": marker})
        found = first.get("/_emulator/requests", params={"clientRequestId": marker}).json()["value"]
        assert [(e["method"], e["status"]) for e in found] == [("GET", 200)]
        assert second.post("/_emulator/reset").status_code == 204
        assert third.get("/_emulator/clock").json()["offsetSeconds"] == 0
        assert first.get("/_emulator/requests", params={"clientRequestId": marker}).json() == {"value": []}


# A connection the killed replica resets while Python 3.11 wraps it in TLS leaks its SSLSocket
# (CPython issue 113280: `SSLSocket._create` re-raises the reset without closing): the client's bug, not ours.
@pytest.mark.filterwarnings("ignore:unclosed <ssl.SSLSocket:ResourceWarning")
def test_a_replica_killed_mid_load_loses_no_acknowledged_write_and_the_others_finish_its_operations(
    replicas: list[EmulatorProcess],
) -> None:
    clients = [replica.client() for replica in replicas]
    group = new_group(clients[0])
    workspace = unique("ws")
    put = clients[0].put(f"{arm_path(group, 'workspaces', workspace)}?{HC}", json={"location": "eastus"})
    assert put.status_code == 201
    acknowledged: list[tuple[str, str | None]] = []  # (url, Azure-AsyncOperation of a started LRO)
    unanswered: list[str] = []
    lock = threading.Lock()
    victim = replicas[2]
    killed = threading.Event()

    def write(number: int) -> None:
        # Workspaces answer at once; DICOM services start an operation an hour a step long.
        if number % 2:
            url = f"{arm_path(group, 'workspaces', unique(f'w{number:03d}'))}?{HC}"
        else:
            url = f"{arm_path(group, 'workspaces', workspace, 'dicomservices', f'dcm{number:03d}')}?{HC}"
        if number == 30:
            victim.process.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            killed.set()
        replica = number % 3
        try:
            response = clients[replica].put(url, json={"location": "eastus"})
        except httpx.TransportError:
            assert replica == 2 and killed.is_set()  # the killed one: no answer, nothing acknowledged
            with lock:
                unanswered.append(url)
            return
        assert response.status_code in (200, 201), response.text
        with lock:
            acknowledged.append((url, response.headers.get("azure-asyncoperation")))

    try:
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(write, range(60)))
        victim.process.wait(10)  # type: ignore[union-attr]
        assert victim.process.returncode == -signal.SIGKILL  # type: ignore[union-attr]
        started = [url for url, polling in acknowledged if polling]
        assert len(acknowledged) >= 40 and len(started) >= 18  # what the killed one did not answer is not counted
        survivor, other = clients[0], clients[1]
        # Nothing has ended yet (an hour a step); then a day passes for every replica.
        assert all(survivor.get(url).json()["properties"]["provisioningState"] != "Succeeded" for url in started)
        assert survivor.post("/_emulator/clock/advance", json={"seconds": DAY}).status_code == 200
        for url, polling in acknowledged:
            fetched = other.get(url)
            assert fetched.status_code == 200, url
            assert fetched.json()["properties"]["provisioningState"] == "Succeeded", url
            if polling:
                status = urlsplit(polling)
                assert other.get(f"{status.path}?{status.query}").json()["status"] == "Succeeded"
        # The killed replica's own operations among them, none doubled: one operation per started write.
        # (It may also have committed a write it was killed before answering: that one ends too.)
        operations = other.get("/_emulator/operations", params={"active": "false"}).json()["value"]
        ended = [op for op in operations if op["kind"] == "create" and "/dicomservices/" in op["resourceId"]]
        ended_for = Counter(op["resourceId"].lower() for op in ended)
        assert set(ended_for.values()) == {1} and {op["status"] for op in ended} == {"Succeeded"}
        paths = {urlsplit(url).path.lower() for url in started}
        assert paths <= set(ended_for)
        assert set(ended_for) - paths <= {urlsplit(url).path.lower() for url in unanswered}
        assert other.get("/_emulator/operations").json() == {"value": []}
    finally:
        for client in clients:
            client.close()
