"""Adapts `handler(request, path_params)` to a FastAPI endpoint, and documents its parameters.

The endpoint takes only the request: FastAPI then has nothing to validate per call (ARM routes are
hot), and `document_parameters` adds the path parameters and api-version to the OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request, dict[str, str]], Awaitable[Response]]
_PLACEHOLDER = re.compile(r"{(\w+)}")
# Set on each endpoint made here: the handler it calls, which arm.dispatch calls directly.
HANDLER_ATTRIBUTE = "arm_handler"
# Set on handlers that read, check and write in one store transaction (arm.dispatch, `in_one_transaction`).
ONE_TRANSACTION_ATTRIBUTE = "arm_one_transaction"
# The OpenAPI tag of routes that stand behind all others (generic resources): a method they serve
# on a path is not one the path "allows" when telling 405 from 404.
FALLBACK_ROUTE_TAG = "Generic resources"
# Paths whose operations take no api-version.
_NO_API_VERSION = ("/_emulator", "/{tenant}")


def endpoint(handler: Handler) -> Callable[..., Any]:
    """Path parameters and api-version are documented from the path template (`document_parameters`)."""

    async def call(request: Request) -> Response:
        return await handler(request, request.path_params)

    call.__name__ = getattr(handler, "__name__", "endpoint")
    setattr(call, HANDLER_ATTRIBUTE, handler)
    return call


def in_one_transaction(handler: Any) -> Any:
    """Mark a write handler whose every store access can share one transaction, which the front door
    then opens around its checks and the handler (arm.dispatch). Such a handler awaits nothing but
    the request body (read before the transaction): a transaction never spans a wait."""
    setattr(handler, ONE_TRANSACTION_ATTRIBUTE, True)
    return handler


def add_routes(router: Any, routes: Iterable[tuple[str, str, Handler, str]], tag: str) -> None:
    """Declare ARM routes, each `(method, path, handler, operation id)`, under one OpenAPI tag."""
    for method, path, handler, name in routes:
        router.add_api_route(
            path, endpoint(handler), methods=[method], operation_id=name, tags=[tag], response_class=Response
        )


def document_parameters(schema: dict[str, Any]) -> dict[str, Any]:
    """Add each path's `{placeholders}` and, for ARM paths, `api-version` to its operations."""
    for path, operations in schema.get("paths", {}).items():
        wanted = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PLACEHOLDER.findall(path)
        ]
        if not path.startswith(_NO_API_VERSION):
            wanted.append({"name": "api-version", "in": "query", "required": True, "schema": {"type": "string"}})
        for operation in operations.values():
            present = {(p["name"], p["in"]) for p in operation.get("parameters", [])}
            operation["parameters"] = operation.get("parameters", []) + [
                p for p in wanted if (p["name"], p["in"]) not in present
            ]
    return schema
