"""create_app(settings): the composition root. Wiring only; behaviour lives in the modules it wires."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from . import __version__, control
from .arm import (
    cloud_metadata,
    deployments,
    error_handlers,
    generic_resources,
    locations,
    locks,
    resource_groups,
    resource_lists,
    resource_providers,
    role_definitions,
    subscriptions,
    tags,
)
from .arm.actions import register_provider_actions
from .arm.auth import Authenticator
from .arm.controls import SharedControls
from .arm.dispatch import DirectRoutes
from .arm.endpoints import document_parameters
from .arm.journal import Journal
from .arm.middleware import ArmMiddleware, FrontDoorApp
from .arm.operation_routes import register_operation_status
from .arm.operations import run_walker
from .arm.registry import Registry
from .arm.resource_id import PathCanonicalizer
from .arm.resource_type import Provider
from .arm.routes import ResourceRoutes
from .arm.runtime import Runtime
from .arm.scopes import RESOURCE_GROUP_TYPE_KEY
from .clock import Clock
from .control.state import import_state, read_seed_file
from .identity import routes as identity_routes
from .identity.directory import load_directory
from .identity.keys import load_signing_key
from .identity.tokens import TokenService
from .providers import GENERIC_TYPES, PROVIDERS
from .settings import Settings
from .store.repository import SqlStore


def create_app(
    settings: Settings, *, clock: Clock | None = None, providers: Sequence[Provider] = PROVIDERS
) -> FrontDoorApp:
    """The emulator's app; `providers` other than the served ones are for the engine's own tests."""
    clock = clock or Clock()
    directory = load_directory(
        settings.data_dir, tenant_id=settings.tenant_id, registrations_file=settings.registrations_file
    )
    tokens = TokenService(load_signing_key(settings.data_dir), clock, settings.token_lifetime_seconds)
    registry = Registry(providers, GENERIC_TYPES)
    store = SqlStore(
        settings.resolved_database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        # What every write checks and seldom changes: kept in memory under the shared change counter.
        cached_types=frozenset({RESOURCE_GROUP_TYPE_KEY, locks.LOCK_TYPE_KEY}),
    )
    runtime = Runtime(
        settings,
        store,
        clock,
        registry,
        directory,
        tokens,
        controls=SharedControls(store, clock),
        journal=Journal(store, settings.journal_size),
    )
    seed = read_seed_file(settings.seed) if settings.seed else None  # a bad seed fails before serving

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The store opens before the first request; the walker resumes any operation left due.
        runtime.store.open()
        runtime.controls.refresh()
        subscriptions.register_known_subscriptions(runtime)
        stop = asyncio.Event()
        walker = asyncio.create_task(run_walker(runtime, stop))
        # Renews this process's deployment leases; resumes deployments whose process died or stopped.
        sweeper = asyncio.create_task(runner.maintain(stop))
        app.state.live = True
        if seed is not None:
            import_state(runtime, seed, seeding=True)
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = app.state.live = False
            stop.set()
            await walker
            await sweeper
            await runner.stop()
            runtime.journal.flush()
            runtime.store.close()

    app = FrontDoorApp(
        title="ARM emulator",
        version=__version__,
        lifespan=lifespan,
        docs_url="/_emulator/docs",
        redoc_url=None,
        openapi_url="/_emulator/openapi.json",
        swagger_ui_oauth2_redirect_url="/_emulator/docs/oauth2-redirect",
    )
    app.state.runtime = runtime
    # Template deployments run as tasks of a process (this one, or any replica that resumes them),
    # writing through the app's own front door.
    runner = app.state.deployment_runner = deployments.DeploymentRunner(app, runtime)
    app.state.live = app.state.ready = False

    # Routes, matched in this order: each provider's declared types first (the busiest), ARM's own
    # APIs, cloud discovery, the emulator's own, the fake Entra ID (its paths start with a tenant),
    # then every type no provider declares (stored generically; it stands behind all the others).
    router = app.router
    for provider in registry.providers:
        for resource_type in provider.resource_types:
            ResourceRoutes(provider, resource_type).register(router)
        register_operation_status(router, provider)
        register_provider_actions(router, provider)
    deployments.register(router)  # Microsoft.Resources is ARM's own: before the generic fallback
    resource_groups.register(router)
    subscriptions.register(router)
    tags.register(router)
    locks.register(router)
    resource_lists.register(router)
    locations.register(router)
    resource_providers.register(router)
    cloud_metadata.register(router)
    control.register(router)
    identity_routes.register(router)
    role_definitions.register(router)
    generic_resources.register(router)

    # The OpenAPI document names every path parameter, though the endpoints only take the request.
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_parameters(
                get_openapi(title=app.title, version=app.version, routes=app.routes)
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    # Every failure leaves as an ARM error envelope.
    error_handlers.install(app, registry)

    # Request ids and headers, case-insensitive paths, body limit and auth, before any route; ARM's
    # own routes are then called directly, the rest through FastAPI.
    canonicalizer = PathCanonicalizer(getattr(route, "path", "") for route in app.routes)
    authenticator = Authenticator(
        settings.auth_mode,
        tokens,
        directory.default_tenant.tenant_id,
        settings.public_url,
        settings.tls_hostnames,
    )
    app.front_door = ArmMiddleware(
        app.behind_front_door,
        registry=registry,
        canonicalizer=canonicalizer,
        authenticator=authenticator,
        public_url=settings.public_url,
        journal=runtime.journal,
        controls=runtime.controls,
        direct=DirectRoutes(app.routes, registry),
        registration_check=lambda method, path: resource_providers.check_registration(runtime, method, path),
        lock_check=lambda method, path: locks.check_locks(runtime, method, path),
        store=runtime.store,
    )
    return app
