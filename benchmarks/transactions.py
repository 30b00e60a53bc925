"""How many times each kind of request enters the store: outermost transactions and the shared
controls' counter read outside one (`SqlStore.control_version`). In-process, on a temporary SQLite file.

    .venv/bin/python benchmarks/transactions.py
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from arm_emulator.app import create_app
from arm_emulator.arm.journal import Journal
from arm_emulator.settings import Settings
from arm_emulator.store.repository import SqlStore

SUB = "00000000-0000-0000-0000-0000000000b1"
HC = "api-version=2024-03-31"
GROUP = f"/subscriptions/{SUB}/resourceGroups/tx-rg"
WORKSPACES = f"{GROUP}/providers/Microsoft.HealthcareApis/workspaces"
GENERIC = f"{GROUP}/providers/Contoso.Widgets/gadgets"


class Counter:
    def __init__(self) -> None:
        self.transactions = 0
        self.counter_reads = 0

    def install(self) -> None:
        original_transaction = SqlStore.transaction
        original_version = SqlStore.control_version
        counter = self

        @contextlib.contextmanager
        def transaction(store: SqlStore) -> Iterator[Any]:
            if store._current is None:
                counter.transactions += 1
            with original_transaction(store) as tx:
                yield tx

        def control_version(store: SqlStore) -> int:
            if store._current is None:
                counter.counter_reads += 1
            return original_version(store)

        # The journal's batched write (one per event-loop turn, for every request of that turn) is not counted.
        original_flush = Journal.flush

        def flush(journal: Journal) -> None:
            before = counter.transactions
            original_flush(journal)
            counter.transactions = before

        Journal.flush = flush  # type: ignore[method-assign]
        SqlStore.transaction = transaction  # type: ignore[method-assign]
        SqlStore.control_version = control_version  # type: ignore[method-assign]

    def take(self) -> tuple[int, int]:
        found = (self.transactions, self.counter_reads)
        self.transactions = self.counter_reads = 0
        return found


def main() -> None:
    counter = Counter()
    counter.install()
    with tempfile.TemporaryDirectory() as data:
        app = create_app(Settings(data_dir=Path(data), port=0))
        headers = {"Authorization": "Bearer x"}
        with TestClient(app, base_url="https://testserver", headers=headers) as client:
            ok = client.put(f"{GROUP}?api-version=2021-04-01", json={"location": "eastus"}).status_code
            assert ok in (200, 201), ok
            client.put(f"{WORKSPACES}/parent?{HC}", json={"location": "eastus"})
            client.get("/_emulator/health")
            requests = [
                ("PUT create, synchronous (workspace)", "PUT", f"{WORKSPACES}/ws1?{HC}", {"location": "eastus"}),
                (
                    "PUT replace (workspace, new tag)",
                    "PUT",
                    f"{WORKSPACES}/ws1?{HC}",
                    {"location": "eastus", "tags": {"a": "1"}},
                ),
                (
                    "PUT create with LRO (DICOM service)",
                    "PUT",
                    f"{WORKSPACES}/parent/dicomservices/dicom1?{HC}",
                    {"location": "eastus"},
                ),
                ("PATCH (workspace tags)", "PATCH", f"{WORKSPACES}/ws1?{HC}", {"tags": {"b": "2"}}),
                ("GET (workspace)", "GET", f"{WORKSPACES}/ws1?{HC}", None),
                ("PUT create, generic type", "PUT", f"{GENERIC}/g1?api-version=2024-01-01", {"location": "eastus"}),
                ("DELETE (workspace)", "DELETE", f"{WORKSPACES}/ws1?{HC}", None),
                ("DELETE with LRO (DICOM service)", "DELETE", f"{WORKSPACES}/parent/dicomservices/dicom1?{HC}", None),
                ("DELETE, generic type", "DELETE", f"{GENERIC}/g1?api-version=2024-01-01", None),
            ]
            print("| request | status | transactions | counter reads outside one |")
            print("|---|---|---|---|")
            for label, method, url, body in requests:
                counter.take()
                response = client.request(method, url, json=body)
                status = response.status_code
                assert status < 300, (label, response.text)
                transactions, reads = counter.take()
                print(f"| {label} | {status} | {transactions} | {reads} |")


if __name__ == "__main__":
    main()
