"""The test controls every replica on one database shares: fault rules, LRO timing overrides and the
clock offset live in the store; each replica keeps a copy for the requests it serves.

Faults and timing are consulted on every request, so the copy is checked, not reloaded: one integer
(the store's change counter) per request, a reload only when another change has moved it."""

from __future__ import annotations

import random
from typing import Any

from ..clock import Clock
from ..store.repository import ControlsRecord, FaultRuleRecord, SqlStore
from .faults import FaultRule, FaultRules, FaultRuleSpec, Target
from .lro_timing import LroTiming, TimingOverrides


def _rule(record: FaultRuleRecord) -> FaultRule:
    spec = FaultRuleSpec.model_validate(record.spec)
    return FaultRule(f"rule-{record.seq}", spec, record.fired, _random=random.Random(spec.seed))


def _timing(document: dict[str, Any] | None) -> LroTiming | None:
    return None if document is None else LroTiming(document["mode"], document["stepSeconds"])


def _timing_document(timing: LroTiming | None) -> dict[str, Any] | None:
    return None if timing is None else {"mode": timing.mode, "stepSeconds": timing.step_seconds}


class SharedControls:
    def __init__(self, store: SqlStore, clock: Clock) -> None:
        self._store = store
        self.clock = clock
        self.faults = FaultRules()
        self.timing = TimingOverrides()
        self._version: int | None = None

    def refresh(self) -> None:
        """Bring this replica's copy up to date (a request's first step, and the walker's)."""
        if self._store.control_version() == self._version:
            return
        with self._store.transaction() as tx:
            record = tx.read_controls()
        self._take(record)

    def _take(self, record: ControlsRecord) -> None:
        self.clock.offset = record.clock_offset
        timing = record.timing or {}
        self.timing.default = _timing(timing.get("default"))
        self.timing.by_type = {name: _timing(value) for name, value in timing.get("types", {}).items()}  # type: ignore[misc]
        self.faults.load([_rule(rule) for rule in record.fault_rules])
        self._version = record.version

    def _reload(self) -> None:
        self._version = None
        self.refresh()

    # -- fault rules -------------------------------------------------------------------------------

    def add_fault(self, spec: FaultRuleSpec, *, unless_present: bool = False) -> FaultRule:
        """`unless_present`: not again if a rule with this very spec is stored (a seed file's rules,
        loaded by every start of every replica)."""
        document = spec.model_dump(by_alias=True, exclude_none=True)
        with self._store.transaction() as tx:
            record = tx.add_fault_rule(document, unless_present=unless_present)
        self._reload()
        return next(rule for rule in self.faults.all() if rule.id == f"rule-{record.seq}")

    def remove_fault(self, rule_id: str) -> bool:
        prefix, _, number = rule_id.partition("-")
        if prefix != "rule" or not number.isdigit() or len(number) > 9:  # no id is that long
            return False
        with self._store.transaction() as tx:
            removed = tx.delete_fault_rule(int(number))
        self._reload()
        return removed

    def clear_faults(self) -> None:
        with self._store.transaction() as tx:
            tx.clear_fault_rules()
        self._reload()

    def fault_rules(self) -> list[FaultRule]:
        """Every rule with its firings on every replica (read now: firings move no change counter)."""
        with self._store.transaction() as tx:
            record = tx.read_controls()
        self._take(record)
        return self.faults.all()

    def fire(self, target: Target) -> list[FaultRule]:
        """The rules that fire for this request; each firing is counted in the store, where a rule with
        `times` is spent up across every replica."""
        candidates = self.faults.candidates(target)
        if not candidates:
            return []
        fired = []
        with self._store.transaction() as tx:
            for rule in candidates:
                if tx.spend_fault_rule(int(rule.id.partition("-")[2]), rule.spec.times):
                    rule.fired += 1
                    fired.append(rule)
                elif rule.spec.times is not None:
                    rule.fired = rule.spec.times  # spent on another replica
        return fired

    # -- LRO timing overrides ------------------------------------------------------------------------

    def set_timing(self, default: LroTiming | None, by_type: dict[str, LroTiming]) -> None:
        document = {
            "default": _timing_document(default),
            "types": {name.lower(): _timing_document(value) for name, value in by_type.items()},
        }
        with self._store.transaction() as tx:
            tx.set_timing(document)
        self._reload()

    # -- the clock -----------------------------------------------------------------------------------

    def advance_clock(self, seconds: float) -> None:
        with self._store.transaction() as tx:
            self.clock.offset = tx.move_clock(seconds)
        self._reload()
