"""api-version checks for ARM's own APIs (resource groups, subscriptions, providers)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.requests import Request

from . import errors

_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})(-preview)?")


def api_version_of(request: Request) -> str | None:
    """The request's api-version query parameter, as `request.query_params` reads it; a query that is
    only a plain `api-version=...` (what clients send) is read without parsing the query string."""
    raw: bytes = request.scope.get("query_string", b"")
    if raw.startswith(b"api-version=") and not any(c in raw for c in b"&%+;"):
        return raw[12:].decode("latin-1")
    return request.query_params.get("api-version")


def require_dated_api_version(request: Request, known: Sequence[str]) -> str:
    """Any dated version from the first known one on is accepted: clients move to new versions
    of these stable APIs often, and their contract has not changed."""
    value = api_version_of(request)
    if not value:
        raise errors.missing_api_version()
    match = _DATED.fullmatch(value)
    if not match or match.group(1) < known[0]:
        raise errors.invalid_api_version(value, known)
    return value
