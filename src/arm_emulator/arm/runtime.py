"""What every request handler needs: settings, store, clock and providers, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from ..clock import Clock
from ..identity.directory import Directory
from ..identity.tokens import TokenService
from ..settings import Settings
from ..store.repository import SqlStore
from .controls import SharedControls
from .faults import FaultRules
from .journal import Journal
from .lro_timing import LroTiming, TimingOverrides
from .registry import Registry


@dataclass
class Runtime:
    settings: Settings
    store: SqlStore
    clock: Clock
    registry: Registry
    directory: Directory
    tokens: TokenService
    # The test controls set through /_emulator, kept in the store (shared by replicas).
    controls: SharedControls
    journal: Journal

    @property
    def timing(self) -> TimingOverrides:
        return self.controls.timing

    @property
    def faults(self) -> FaultRules:
        return self.controls.faults

    @property
    def base_timing(self) -> LroTiming:
        return LroTiming(self.settings.lro_mode, self.settings.lro_step_seconds)

    def tenant_of(self, subscription_id: str) -> str:
        return self.directory.tenant_of_subscription(subscription_id)

    def lookup(self, resource_id: str) -> dict[str, Any] | None:
        """A stored resource's body by id, any casing (what provider hooks may read); None if absent."""
        with self.store.transaction() as tx:
            record = tx.get_resource(resource_id.rstrip("/").lower())
        return record.body if record is not None else None


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]
