"""The request journal: what clients sent and were told, so tests can assert on their behaviour."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from typing import Any

from ..clock import iso8601

# The response headers the journal reports: the polling instructions an answer carried.
_POLLING_HEADERS = {
    b"azure-asyncoperation": "azureAsyncOperation",
    b"location": "location",
    b"retry-after": "retryAfter",
}


@dataclass(frozen=True)
class JournalEntry:
    """One request, kept as it was seen (raw values, formatted only when someone reads the journal:
    every ARM request makes an entry, few are ever read)."""

    sequence: int
    epoch_seconds: float
    method: str
    scheme: str
    host: str
    path: str
    query: bytes
    status: int
    duration_ms: float
    request_id: str
    correlation_id: str | None
    client_request_id: str | None
    response_headers: list[tuple[bytes, bytes]]

    @property
    def url(self) -> str:
        query = self.query.decode("latin-1")
        return f"{self.scheme}://{self.host}{self.path}" + (f"?{query}" if query else "")

    def to_json(self) -> dict[str, Any]:
        polling: dict[str, str | None] = dict.fromkeys(_POLLING_HEADERS.values())
        for name, value in self.response_headers:
            field = _POLLING_HEADERS.get(name.lower())
            if field is not None and polling[field] is None:
                polling[field] = value.decode("latin-1")
        return {
            "sequence": self.sequence,
            "time": iso8601(self.epoch_seconds),
            "method": self.method,
            "url": self.url,
            "path": self.path,
            "status": self.status,
            "durationMs": round(self.duration_ms, 3),
            "requestId": self.request_id,
            "correlationId": self.correlation_id,
            "clientRequestId": self.client_request_id,
            **polling,
        }


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
