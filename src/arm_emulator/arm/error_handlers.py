"""One place that turns every failure into an ARM error envelope: no stack trace reaches a client."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .api_versions import api_version_of
from .endpoints import FALLBACK_ROUTE_TAG
from .errors import ArmError
from .generic_writes import is_generic_namespace
from .registry import Registry
from .responses import error_response

log = logging.getLogger(__name__)


def render(error: ArmError, path: str, registry: Registry) -> Response:
    """Errors under a provider's namespace use that provider's envelope; the rest ARM's."""
    provider = None if error.gateway else registry.provider_for_path(path)
    return error_response(error, provider.error_envelope if provider else None)


def _unrouted(request: Request, registry: Registry, status: int) -> ArmError:
    path = request.url.path
    if status == 405:
        return errors.method_not_allowed(request.method, path)
    segments = path.strip("/").split("/")
    lowered = [s.lower() for s in segments]
    if "providers" in lowered:
        index = lowered.index("providers")
        if index + 1 < len(segments):
            namespace = segments[index + 1]
            provider = registry.provider(namespace)
            if provider is None and _stored_generically(request, namespace):
                return errors.no_route(request.method, path)  # e.g. a POST action: generic types have none
            if provider is None:
                return errors.invalid_resource_namespace(namespace)
            types = segments[index + 2 :: 2]
            if types:
                return errors.invalid_resource_type("/".join(types), provider.namespace, api_version_of(request))
    return errors.no_route(request.method, path)


def _stored_generically(request: Request, namespace: str) -> bool:
    runtime = getattr(request.app.state, "runtime", None)
    return runtime is not None and runtime.settings.generic_resources and is_generic_namespace(runtime, namespace)


def allowed_methods(request: Request) -> str:
    """Every method some route serves on this path (each verb is its own route here, so Starlette's
    own Allow header names only the first); the generic routes behind all others do not count."""
    path = request.url.path
    methods: set[str] = set()
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        fallback = FALLBACK_ROUTE_TAG in (getattr(route, "tags", None) or ())
        if regex is not None and not fallback and regex.match(path):
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def error_response_for(request: Request, error: Exception, registry: Registry) -> Response:
    """The ARM answer to any exception a handler raised (also used by the direct routes)."""
    if isinstance(error, ArmError):
        return render(error, request.url.path, registry)
    if isinstance(error, HTTPException):
        if error.status_code in (404, 405):
            allowed = allowed_methods(request) if error.status_code == 405 else ""
            arm_error = _unrouted(request, registry, 405 if allowed else 404)
            if allowed:
                arm_error.headers["Allow"] = allowed
        else:
            arm_error = ArmError(error.status_code, "BadRequest", str(error.detail))
        return render(arm_error, request.url.path, registry)
    if isinstance(error, RequestValidationError):
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        detail = f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg')}"
        return render(errors.invalid_request_content(detail), request.url.path, registry)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return render(errors.internal_error(), request.url.path, registry)


def install(app: FastAPI, registry: Registry) -> None:
    async def handle(request: Request, error: Exception) -> Response:
        return error_response_for(request, error, registry)

    for kind in (ArmError, HTTPException, RequestValidationError, Exception):
        app.add_exception_handler(kind, handle)
