"""A write (PUT, PATCH, DELETE) reads, checks and writes in one store transaction: the front door's
checks, the controls' counter and the handler share it (in-process, counting the store's entries)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy
from starlette.testclient import TestClient

from arm_emulator.app import create_app
from arm_emulator.arm.journal import Journal
from arm_emulator.settings import Settings
from arm_emulator.store.repository import SqlStore

SUB = "00000000-0000-4000-8000-0000000000c1"
HC = "api-version=2024-03-31"
GROUP = f"/subscriptions/{SUB}/resourceGroups/one-tx"
WORKSPACES = f"{GROUP}/providers/Microsoft.HealthcareApis/workspaces"
GENERIC = f"{GROUP}/providers/Contoso.Widgets/gadgets"
LOCKS = "api-version=2020-05-01"


class Entries:
    """Outermost transactions (a request's batched write counts as one) and counter reads outside one,
    since the last `take` (the journal's batched write, one per event-loop turn for all requests of
    that turn, is not a request's)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original_transaction, original_version = SqlStore.transaction, SqlStore.control_version
        original_batched = SqlStore.batched_write
        original_flush = Journal.flush

        @contextlib.contextmanager
        def transaction(store: SqlStore, **options: Any) -> Iterator[Any]:
            self.count += store._current is None
            with original_transaction(store, **options) as tx:
                yield tx

        @contextlib.contextmanager
        def batched_write(store: SqlStore) -> Iterator[Any]:
            self.count += 1
            with original_batched(store) as committed:
                yield committed

        def control_version(store: SqlStore) -> int:
            self.count += store._current is None
            return original_version(store)

        def flush(journal: Journal) -> None:
            before = self.count
            original_flush(journal)
            self.count = before

        monkeypatch.setattr(SqlStore, "transaction", transaction)
        monkeypatch.setattr(SqlStore, "batched_write", batched_write)
        monkeypatch.setattr(SqlStore, "control_version", control_version)
        monkeypatch.setattr(Journal, "flush", flush)

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    # The walker waits an hour between rounds: its own transactions are not a request's.
    app = create_app(Settings(data_dir=tmp_path, port=0, walker_interval_seconds=3600))
    with TestClient(app, base_url="https://emulator", headers={"Authorization": "Bearer t"}) as client:
        assert client.put(f"{GROUP}?api-version=2021-04-01", json={"location": "eastus"}).status_code == 201
        assert client.put(f"{WORKSPACES}/parent?{HC}", json={"location": "eastus"}).status_code == 201
        yield client


def test_every_write_is_one_transaction(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = Entries(monkeypatch)
    writes = [
        ("PUT", f"{WORKSPACES}/ws1?{HC}", {"location": "eastus"}, 201),  # synchronous create
        ("PUT", f"{WORKSPACES}/ws1?{HC}", {"location": "eastus", "tags": {"a": "1"}}, 200),  # replace
        ("PUT", f"{WORKSPACES}/parent/dicomservices/dicom1?{HC}", {"location": "eastus"}, 201),  # starts an LRO
        ("PATCH", f"{WORKSPACES}/ws1?{HC}", {"tags": {"b": "2"}}, 200),
        ("PUT", f"{GENERIC}/g1?api-version=2024-01-01", {"location": "eastus"}, 201),  # a generic type
        ("DELETE", f"{GENERIC}/g1?api-version=2024-01-01", None, 200),
        ("DELETE", f"{WORKSPACES}/parent/dicomservices/dicom1?{HC}", None, 202),
        ("DELETE", f"{WORKSPACES}/nothing?{HC}", None, 204),
    ]
    for method, url, body, status in writes:
        entries.take()
        response = client.request(method, url, json=body)
        assert response.status_code == status, (method, url, response.text)
        assert entries.take() == 1, (method, url)


def test_a_write_refused_at_the_front_door_is_one_transaction_and_the_same_error(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = f"{GROUP}/providers/Microsoft.Authorization/locks/ro?{LOCKS}"
    assert client.put(lock, json={"properties": {"level": "ReadOnly"}}).status_code in (200, 201)
    entries = Entries(monkeypatch)
    response = client.put(f"{WORKSPACES}/ws2?{HC}", json={"location": "eastus"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "ScopeLocked"
    assert entries.take() == 1
    assert client.get(f"{WORKSPACES}/ws2?{HC}").status_code == 404  # nothing written


def test_a_failed_scope_check_leaves_nothing_behind(client: TestClient) -> None:
    """As when the scope check had a transaction of its own: the subscription it registers on first use
    goes with its failure (the group does not exist), though the request's transaction goes on."""
    other = "00000000-0000-4000-8000-0000000000c2"
    path = f"/subscriptions/{other}/resourceGroups/missing/providers/Microsoft.HealthcareApis/workspaces/w1?{HC}"
    response = client.put(path, json={"location": "eastus"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "ResourceGroupNotFound"
    listed = client.get("/subscriptions?api-version=2022-12-01").json()["value"]
    assert SUB in [s["subscriptionId"] for s in listed]
    assert other not in [s["subscriptionId"] for s in listed]


def _stored(client: TestClient, key: str) -> tuple[Any, Any]:
    """The resource row and its operation as the store holds them (the walker is not running)."""
    with client.app.state.runtime.store.snapshot() as tx:  # type: ignore[attr-defined]
        resource = tx.get_resource(key.lower())
        operation = tx.get_operation(resource.operation_id) if resource.operation_id else None
    return resource, operation


def test_in_fast_mode_a_create_stores_its_operation_ended_and_answers_its_first_step(client: TestClient) -> None:
    """No walker and no poll needed: the write that starts a fast operation stores where it ends."""
    path = f"{WORKSPACES}/parent/dicomservices/fast1"
    response = client.put(f"{path}?{HC}", json={"location": "eastus"})
    assert response.status_code == 201
    assert response.json()["properties"]["provisioningState"] == "Creating"
    status_url = response.headers["Azure-AsyncOperation"]
    resource, _ = _stored(client, path)
    assert resource.provisioning_state == "Succeeded" and resource.operation_id is None
    assert resource.body["properties"]["provisioningState"] == "Succeeded"
    assert resource.body["properties"]["serviceUrl"]  # the provider's own step ran
    assert client.get(status_url).json()["status"] == "Succeeded"
    assert client.get(f"{path}?{HC}").json()["properties"]["provisioningState"] == "Succeeded"


def test_a_timed_create_stores_its_first_step_for_the_walker(client: TestClient) -> None:
    path = f"{WORKSPACES}/parent/dicomservices/slow1"
    response = client.put(f"{path}?{HC}", json={"location": "eastus"}, headers={"x-ms-emulator-lro-step-seconds": "60"})
    assert response.status_code == 201
    resource, operation = _stored(client, path)
    assert resource.provisioning_state == "Creating" and operation is not None
    assert operation.status != "Succeeded" and operation.due_at is not None


def test_a_write_records_its_journal_entry_in_its_own_transaction(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No second transaction for the journal: the entry, with the answer's status and polling
    headers, is committed with the write (nothing of it waits for the journal's batched flush)."""
    queued: list[Any] = []
    original_flush = Journal.flush

    def flush(journal: Journal) -> None:
        queued.extend(journal._pending)
        original_flush(journal)

    monkeypatch.setattr(Journal, "flush", flush)
    marker = "journal-in-its-transaction"
    headers = {"x-ms-client-request-id": marker, "x-ms-emulator-lro-step-seconds": "60"}
    created = client.put(f"{WORKSPACES}/parent/dicomservices/noted?{HC}", json={"location": "eastus"}, headers=headers)
    refused = client.put(f"{WORKSPACES}/Bad_Name?{HC}", json={"location": "eastus"}, headers=headers)
    assert (created.status_code, refused.status_code) == (201, 400)
    assert [entry.client_request_id for entry in queued] == []
    entries = client.get("/_emulator/requests", params={"clientRequestId": marker}).json()["value"]
    assert [(e["method"], e["status"]) for e in entries] == [("PUT", 201), ("PUT", 400)]
    assert entries[0]["azureAsyncOperation"] == created.headers["Azure-AsyncOperation"]
    assert entries[0]["location"] == created.headers.get("Location")
    assert entries[0]["requestId"] == created.headers["x-ms-request-id"]


@contextlib.asynccontextmanager
async def _served(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, SqlStore]]:
    """The app on this event loop: requests sent together reach it in the same turn."""
    app = create_app(Settings(data_dir=tmp_path, port=0, walker_interval_seconds=3600))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="https://emulator", headers={"Authorization": "Bearer t"}
        ) as client:
            assert (await client.put(f"{GROUP}?api-version=2021-04-01", json={"location": "eastus"})).status_code == 201
            yield client, app.state.runtime.store


def test_writes_sent_together_share_one_commit_and_a_refused_one_changes_nothing(tmp_path: Path) -> None:
    async def main() -> None:
        async with _served(tmp_path) as (client, store):
            commits: list[None] = []
            sqlalchemy.event.listen(store._engine, "commit", lambda _connection: commits.append(None))
            names = [f"together{i}" for i in range(8)]
            sent = [client.put(f"{WORKSPACES}/{name}?{HC}", json={"location": "eastus"}) for name in names]
            refused = client.put(f"{WORKSPACES}/Bad_Name?{HC}", json={"location": "eastus"})
            *created, bad = await asyncio.gather(*sent, refused)
            assert [r.status_code for r in created] == [201] * 8 and bad.status_code == 400
            assert 1 <= len(commits) < len(names)  # (a commit for the journal's flush may come between)
            listed = (await client.get(f"{WORKSPACES}?{HC}")).json()["value"]
            assert sorted(r["name"] for r in listed) == names

    asyncio.run(main())


def test_when_a_shared_commit_fails_every_write_in_it_is_a_500_and_nothing_is_kept(tmp_path: Path) -> None:
    async def main() -> None:
        async with _served(tmp_path) as (client, store):
            refused: list[None] = []

            def refuse_once(connection: Any) -> None:
                """Refuse the first commit holding the writes below (as a full disk would)."""
                driver = connection.connection.driver_connection
                holds = driver.execute("SELECT count(*) FROM resources WHERE key LIKE '%/lost_'").fetchone()[0]
                if holds and not refused:
                    refused.append(None)
                    raise sqlalchemy.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

            sqlalchemy.event.listen(store._engine, "commit", refuse_once)
            names = ["lost1", "lost2", "lost3"]
            answers = await asyncio.gather(
                *(client.put(f"{WORKSPACES}/{n}?{HC}", json={"location": "eastus"}) for n in names)
            )
            assert [a.status_code for a in answers] == [500] * 3
            assert {a.json()["error"]["code"] for a in answers} == {"InternalServerError"}
            assert (await client.get(f"{WORKSPACES}?{HC}")).json()["value"] == []
            journal = (await client.get("/_emulator/requests", params={"method": "PUT"})).json()["value"]
            assert [(e["status"]) for e in journal if "/lost" in e["path"]] == [500] * 3
            assert len(refused) == 1
            again = await client.put(f"{WORKSPACES}/lost1?{HC}", json={"location": "eastus"})
            assert again.status_code == 201

    asyncio.run(main())
