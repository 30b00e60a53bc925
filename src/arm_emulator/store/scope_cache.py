"""What every write checks before it writes, kept in memory: the subscription, the resource group's
state and the subscription's locks. They change seldom and are read by every PUT, PATCH and DELETE.

The cache belongs to one process and is kept true by the shared change counter (`control_state`)
that every request reads first anyway: a transaction that changes a subscription or a resource of a
cached type moves the counter when it commits, and a process that reads a counter other than the one
its entries were read under drops them all. Another replica's change is therefore seen from the next
request on, exactly as the shared test controls are. Until a counter has been read (and within a
transaction that changed one of these rows, or after one rolled back) nothing is answered from it.
"""

from __future__ import annotations

from typing import Any


class ScopeCache:
    def __init__(self, cached_types: frozenset[str]) -> None:
        # Type keys whose rows are kept (resource groups, locks): every write of them moves the counter.
        self.cached_types = cached_types
        # The counter the entries were read under; None: not usable until the counter is read again.
        self.version: int | None = None
        self.subscriptions: dict[str, Any] = {}
        self.states: dict[str, str] = {}
        self.of_type: dict[tuple[str, str], tuple[Any, ...]] = {}

    def seen(self, version: int) -> None:
        """The counter as a request just read it: entries read under another value are dropped."""
        if version != self.version:
            self.clear()
            self.version = version

    def clear(self) -> None:
        """Drop everything, and answer nothing until the counter is read again."""
        self.version = None
        self.subscriptions.clear()
        self.states.clear()
        self.of_type.clear()
