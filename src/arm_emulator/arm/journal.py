"""The request journal: what clients sent and were told, so tests can assert on their behaviour."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class JournalEntry:
    sequence: int
    time: str
    method: str
    url: str
    path: str
    status: int
    duration_ms: float
    request_id: str
    correlation_id: str | None
    client_request_id: str | None
    # The polling instructions the answer carried, if any.
    azure_async_operation: str | None
    location: str | None
    retry_after: str | None

    def to_json(self) -> dict[str, Any]:
        names = {
            "azure_async_operation": "azureAsyncOperation",
            "retry_after": "retryAfter",
            "duration_ms": "durationMs",
            "request_id": "requestId",
            "correlation_id": "correlationId",
            "client_request_id": "clientRequestId",
        }
        return {names.get(k, k): v for k, v in asdict(self).items()}


class Journal:
    """The last `capacity` ARM requests, oldest first (in memory: a restart starts a new one)."""

    def __init__(self, capacity: int) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._sequence = itertools.count(1)

    def next_sequence(self) -> int:
        return next(self._sequence)

    def add(self, entry: JournalEntry) -> None:
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()

    def query(
        self,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        status: int | None = None,
        client_request_id: str | None = None,
        since: int | None = None,
    ) -> list[JournalEntry]:
        prefix = path_prefix.lower() if path_prefix else None
        return [
            e
            for e in self._entries
            if (method is None or e.method == method.upper())
            and (prefix is None or e.path.lower().startswith(prefix))
            and (status is None or e.status == status)
            and (client_request_id is None or e.client_request_id == client_request_id)
            and (since is None or e.sequence > since)
        ]
