"""List pages: `{value, nextLink}` with opaque `$skipToken`s bound to their list and absolute `nextLink`s."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import ListedResource
from .errors import invalid_skip_token, invalid_top
from .responses import base_url, raw_json_response
from .runtime import Runtime


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
        if data["s"] != _scope_tag(scope) or not 0 <= after < 2**63:
            raise ValueError("token from another list, or a position no list has")
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
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


def next_link(
    base: str, path: str, api_version: str, top: str | None, token: str, carried: Mapping[str, str] | None = None
) -> str:
    """`carried`: the client's other query options (`$filter`, `$expand`), which the next page needs
    too (clients follow a nextLink as it is)."""
    query = {"api-version": api_version}
    if top is not None:
        query["$top"] = top
    query.update(carried or {})
    query["$skipToken"] = token
    return f"{base}{path}?{urlencode(query)}"


def list_response(
    request: Request,
    runtime: Runtime,
    *,
    api_version: str,
    scope: str,
    type_key: str,
    render: Callable[[ListedResource], str],
    **filters: str,
) -> Response:
    """One page of a list; `scope` names the list (its skip tokens are valid for it alone)."""
    top = request.query_params.get("$top")
    list_name = f"{scope}|{type_key}"
    after = decode_skip_token(list_name, request.query_params.get("$skipToken"))
    with runtime.store.transaction() as tx:
        page = tx.list_resources(
            type_key=type_key, after_seq=after, limit=page_size(top, runtime.settings.page_size), **filters
        )
    # Items are sent as stored (JSON text), not parsed and dumped again.
    text = '{"value":[' + ",".join(render(record) for record in page.records) + "]"
    if page.more and page.last_seq is not None:
        token = encode_skip_token(list_name, page.last_seq)
        link = next_link(base_url(request, runtime.settings.public_url), request.url.path, api_version, top, token)
        text += ',"nextLink":' + json.dumps(link)
    return raw_json_response(text + "}")
