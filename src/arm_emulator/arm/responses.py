"""Turning bodies and ArmErrors into HTTP responses, and building absolute URLs for clients."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import ListedResource, ResourceRecord
from .errors import ArmError

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def dump_json(body: Any) -> bytes:
    """Compact UTF-8 JSON. orjson writes it several times faster than `json` (every write stores and
    sends a body); what it refuses (integers beyond 64 bits, keys that are not strings) `json` writes."""
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(dump_json(body), status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE)


def raw_json_response(text: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A body that is JSON text already (as stored), sent without parsing it again."""
    return Response(text.encode("utf-8"), status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE)


def record_text(record: ResourceRecord | ListedResource, *, etag_in_body: bool) -> str:
    """A stored resource as sent: its JSON text as stored (never parsed and dumped again), with the
    ETag spliced in where the provider puts it in the body."""
    text = record.raw if record.raw is not None else dump_json(record.body).decode()  # type: ignore[union-attr]
    return with_etag(text, record.etag) if etag_in_body else text


def with_etag(text: str, etag: str) -> str:
    """A JSON object's text with `etag` added as its last field."""
    return f'{text[:-1]},"etag":{json.dumps(etag)}}}'


def empty_response(status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(b"", status_code=status, headers=headers)


def error_response(error: ArmError, envelope: type[BaseModel] | None = None) -> Response:
    body: dict[str, Any] = error.error_body()
    if envelope is not None:
        # The provider's own envelope decides which fields survive (HealthcareApis has no `details`).
        body = envelope.model_validate(body).model_dump(by_alias=True, exclude_none=True, mode="json")
    headers = dict(error.headers)
    if error.gateway:
        headers["x-ms-failure-cause"] = "gateway"
    return json_response(body, error.status, headers)


def shape(model: type[BaseModel], body: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a body against a generated model and dump it in wire form (aliases, no nulls)."""
    return model.model_validate(body).model_dump(by_alias=True, exclude_none=True, mode="json")


def base_url(request: Request, public_url: str | None) -> str:
    """Where clients reach us: the configured public URL, else the request's own scheme and host."""
    if public_url:
        return public_url
    host = request.headers.get("host")
    if host:  # the usual case, without building the request's whole URL
        return f"{request.scope.get('scheme', 'http')}://{host}"
    return f"{request.url.scheme}://{request.url.netloc}"
