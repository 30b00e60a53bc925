"""What every request handler needs: settings, store, clock and providers, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ..clock import Clock
from ..identity.directory import Directory
from ..identity.tokens import TokenService
from ..settings import Settings
from ..store.repository import SqlStore
from .registry import Registry


@dataclass
class Runtime:
    settings: Settings
    store: SqlStore
    clock: Clock
    registry: Registry
    directory: Directory
    tokens: TokenService

    def tenant_of(self, subscription_id: str) -> str:
        return self.directory.tenant_of_subscription(subscription_id)


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]
