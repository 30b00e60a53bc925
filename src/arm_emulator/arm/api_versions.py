"""api-version checks for ARM's own APIs (resource groups, subscriptions, providers)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.requests import Request

from . import errors

_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})(-preview)?")


def require_dated_api_version(request: Request, known: Sequence[str]) -> str:
    """Any dated version from the first known one on is accepted: clients move to new versions
    of these stable APIs often, and their contract has not changed."""
    value = request.query_params.get("api-version")
    if not value:
        raise errors.missing_api_version()
    match = _DATED.fullmatch(value)
    if not match or match.group(1) < known[0]:
        raise errors.invalid_api_version(value, known)
    return value
