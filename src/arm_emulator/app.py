"""create_app(settings): the composition root. Wiring only; behaviour lives in the modules it wires."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import __version__, control
from .arm import error_handlers, resource_groups
from .arm.middleware import ArmMiddleware
from .arm.operation_routes import register_operation_status
from .arm.operations import run_walker
from .arm.registry import Registry
from .arm.resource_id import PathCanonicalizer
from .arm.routes import ResourceRoutes
from .arm.runtime import Runtime
from .clock import Clock
from .providers import PROVIDERS
from .settings import Settings
from .store.repository import SqlStore


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    registry = Registry(PROVIDERS)
    runtime = Runtime(settings, SqlStore(settings.resolved_database_url), clock or Clock(), registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The store opens before the first request; the walker resumes any operation left due.
        runtime.store.open()
        stop = asyncio.Event()
        walker = asyncio.create_task(run_walker(runtime, stop))
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            stop.set()
            await walker
            runtime.store.close()

    app = FastAPI(
        title="ARM emulator",
        version=__version__,
        lifespan=lifespan,
        docs_url="/_emulator/docs",
        redoc_url=None,
        openapi_url="/_emulator/openapi.json",
        swagger_ui_oauth2_redirect_url="/_emulator/docs/oauth2-redirect",
    )
    app.state.runtime = runtime
    app.state.ready = False

    # Routes: the emulator's own, ARM's resource groups, then each provider's declared types.
    router = app.router
    control.register(router)
    resource_groups.register(router)
    for provider in registry.providers:
        for resource_type in provider.resource_types:
            ResourceRoutes(provider, resource_type).register(router)
        register_operation_status(router, provider)

    # Every failure leaves as an ARM error envelope.
    error_handlers.install(app, registry)

    # Request ids and headers, case-insensitive paths, body limit and auth, before any route.
    canonicalizer = PathCanonicalizer(getattr(route, "path", "") for route in app.routes)
    app.add_middleware(
        ArmMiddleware, registry=registry, canonicalizer=canonicalizer, tenant_id=settings.tenant_id
    )
    return app
