"""The request journal: what clients sent and were told, so tests can assert on their behaviour.

It is kept in the store, so every replica on one database writes to and reads the same journal. An
entry is written once its answer has gone, in one transaction with every other entry that finished
in the same turn of the event loop: under load, one write serves many requests. A request served in
one store transaction (a PUT, PATCH or DELETE) writes its entry in that transaction instead."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..clock import iso8601
from ..store.repository import JournalRecord, SqlStore

log = logging.getLogger(__name__)

# The response headers the journal reports: the polling instructions an answer carried.
_POLLING_HEADERS = {
    b"azure-asyncoperation": "azure_async_operation",
    b"location": "location",
    b"retry-after": "retry_after",
}
# A `since` beyond any sequence number (and within every database's integers) means the same as this.
_LARGEST = 2**63 - 1
# How often a replica trims the journal to its capacity (every this many of its own entries).
_TRIM_EVERY = 200


def polling_of(response_headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The polling headers of an answer, as JournalRecord fields (the first of each)."""
    polling: dict[str, str] = {}
    for name, value in response_headers:
        field = _POLLING_HEADERS.get(name.lower())
        if field is not None and field not in polling:
            polling[field] = value.decode("latin-1")
    return polling


def entry_json(record: JournalRecord) -> dict[str, Any]:
    return {
        "sequence": record.sequence,
        "time": iso8601(record.epoch_seconds),
        "method": record.method,
        "url": record.url,
        "path": record.path,
        "status": record.status,
        "durationMs": round(record.duration_ms, 3),
        "requestId": record.request_id,
        "correlationId": record.correlation_id,
        "clientRequestId": record.client_request_id,
        "azureAsyncOperation": record.azure_async_operation,
        "location": record.location,
        "retryAfter": record.retry_after,
    }


class Journal:
    """The last `capacity` ARM requests of every replica, oldest first (kept across restarts)."""

    def __init__(self, store: SqlStore, capacity: int) -> None:
        self._store = store
        self.capacity = capacity
        self._pending: list[JournalRecord] = []
        self._added = 0

    def add(self, record: JournalRecord) -> None:
        """Queue an entry; written by the next turn of the event loop (or at once without one)."""
        if self.capacity == 0:
            return
        self._pending.append(record)
        if len(self._pending) > 1:
            return  # a flush is already scheduled
        try:
            asyncio.get_running_loop().call_soon(self.flush)
        except RuntimeError:
            self.flush()

    def write(self, record: JournalRecord) -> None:
        """Record an entry with the store's current transaction (a write's own): it commits with the
        write, in one statement with the other entries of the write's batch."""
        if self.capacity == 0:
            return
        self._record([record])

    def _record(self, records: list[JournalRecord]) -> None:
        """Hand entries to the store, with its open transaction or in one of their own; every
        `_TRIM_EVERY` entries the journal is trimmed to its capacity with them."""
        self._added += len(records)
        trim = self._added >= _TRIM_EVERY
        if trim:
            self._added = 0
        self._store.journal_with_write(records, trim_to=self.capacity if trim else None)

    def flush(self) -> None:
        """Write what is queued. A failure is logged: the clients already have their answers."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            self._record(pending)
        except Exception:
            log.exception("the journal could not record %d requests", len(pending))

    def clear(self) -> None:
        self._pending.clear()
        with self._store.transaction() as tx:
            tx.clear_journal()

    def query(
        self,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        status: int | None = None,
        client_request_id: str | None = None,
        since: int | None = None,
    ) -> list[JournalRecord]:
        if self.capacity == 0:
            return []
        if status is not None and not 0 <= status <= 999:
            return []
        self.flush()
        with self._store.transaction() as tx:
            return tx.query_journal(
                capacity=self.capacity,
                method=method,
                path_prefix=path_prefix,
                status=status,
                client_request_id=client_request_id,
                since=None if since is None else max(min(since, _LARGEST), -_LARGEST),  # fits the column
            )
