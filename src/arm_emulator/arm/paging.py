"""List paging: opaque `$skipToken`s bound to the list they came from, and absolute `nextLink`s."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import urlencode

from .errors import invalid_skip_token, invalid_top


def _scope_tag(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:12]


def encode_skip_token(scope: str, after_seq: int) -> str:
    raw = json.dumps({"s": _scope_tag(scope), "a": after_seq}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skip_token(scope: str, token: str | None) -> int | None:
    """The position after which the page starts; a token from another list is rejected."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = int(data["a"])
        if data["s"] != _scope_tag(scope):
            raise ValueError("token from another list")
    except (ValueError, KeyError, TypeError):
        raise invalid_skip_token() from None
    return after


def page_size(top: str | None, default: int) -> int:
    if top is None:
        return default
    try:
        value = int(top)
    except ValueError:
        raise invalid_top(top) from None
    if value < 1:
        raise invalid_top(top)
    return min(value, default)


def next_link(base: str, path: str, api_version: str, top: str | None, token: str) -> str:
    query = {"api-version": api_version}
    if top is not None:
        query["$top"] = top
    query["$skipToken"] = token
    return f"{base}{path}?{urlencode(query)}"
