"""Adapts `handler(request, path_params)` to a FastAPI endpoint whose signature documents the route."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence

from fastapi import Path, Query
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request, dict[str, str]], Awaitable[Response]]


def endpoint(
    handler: Handler, path_params: Sequence[str], *, api_version: bool = True
) -> Callable[..., Awaitable[Response]]:
    names = tuple(path_params)

    async def call(request: Request, **kwargs: str) -> Response:
        return await handler(request, {name: kwargs[name] for name in names})

    # FastAPI reads the signature to build its OpenAPI document and to pass path parameters.
    # api-version is declared optional so a missing one reaches our own ARM error, not a 422.
    parameters = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str, default=Path()) for name in names
    ]
    if api_version:
        parameters.append(
            inspect.Parameter(
                "api_version",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=str | None,
                default=Query(None, alias="api-version"),
            )
        )
    call.__signature__ = inspect.Signature(parameters, return_annotation=Response)  # type: ignore[attr-defined]
    call.__name__ = getattr(handler, "__name__", "endpoint")
    return call
