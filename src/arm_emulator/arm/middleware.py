"""The ARM front door, as one ASGI middleware, in request order: request ids and ARM's standard
headers, case-insensitive routing, the 4 MB body limit, auth, injected faults; then the journal."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..clock import iso8601
from . import errors
from .auth import Authenticator
from .error_handlers import render
from .errors import ArmError
from .faults import ErrorAction, FailOperationAction, FaultRules, LatencyAction, target_of
from .journal import Journal, JournalEntry
from .registry import Registry
from .resource_id import PathCanonicalizer

MAX_REQUEST_BYTES = 4 * 1024 * 1024
# ARM's front end refuses oversized headers (IIS limits: 16 KB a field, 64 KB in all).
MAX_HEADER_FIELD_BYTES = 16 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADER_FIELDS = 200
# Paths that are not ARM and need no token: the emulator's own, cloud metadata, and Entra ID's
# (`/{tenant}/oauth2/...`, `/{tenant}/v2.0/...`, `/{tenant}/discovery/...`).
OPEN_PREFIXES = ("/_emulator", "/metadata")
ENTRA_SEGMENTS = frozenset({"oauth2", "v2.0", "discovery", ".well-known"})


def needs_token(path: str) -> bool:
    if path.startswith(OPEN_PREFIXES):
        return False
    segments = path.split("/", 3)
    return not (len(segments) > 2 and segments[2] in ENTRA_SEGMENTS)


class ArmMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        registry: Registry,
        canonicalizer: PathCanonicalizer,
        authenticator: Authenticator,
        public_url: str | None,
        journal: Journal | None,
        faults: FaultRules,
    ) -> None:
        self.app = app
        self.registry = registry
        self.canonicalizer = canonicalizer
        self.authenticator = authenticator
        self.public_url = public_url
        self.journal = journal
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        extra = self._standard_headers(scope, headers, request_id)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        scope["path"] = self.canonicalizer.canonicalize(scope["path"])
        arm_request = needs_token(scope["path"])
        started = time.perf_counter()
        answered: dict[str, Any] = {}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
                answered["headers"] = Headers(raw=message["headers"])
            await send_with_headers(message)

        try:
            try:
                self._check_headers(scope)
                self._check_length(headers)
                if arm_request:
                    base = self.public_url or f"{scope.get('scheme', 'https')}://{headers.get('host', 'localhost')}"
                    self.authenticator.check(headers.get("authorization"), base)
                    if self.faults.active:
                        await self._inject_faults(scope, headers)
            except ArmError as error:
                await render(error, scope["path"], self.registry)(scope, receive, send_and_note)
                return
            await self.app(scope, _limited(receive), send_and_note)
        finally:
            if arm_request and self.journal is not None:
                self._record(scope, headers, request_id, answered, started)

    async def _inject_faults(self, scope: Scope, headers: Headers) -> None:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        target = target_of(scope["method"], scope["path"], query.get("api-version"))
        fired = self.faults.fire(target)
        delay = sum(r.spec.action.milliseconds for r in fired if isinstance(r.spec.action, LatencyAction))
        if delay:
            await asyncio.sleep(delay / 1000)
        for rule in fired:
            action = rule.spec.action
            if isinstance(action, ErrorAction):
                retry = action.retry_after or (1 if action.status in (429, 503) else None)
                raise ArmError(
                    action.status, action.code, action.message, headers={"Retry-After": str(retry)} if retry else None
                )
            if isinstance(action, FailOperationAction):
                scope["state"]["operation_outcome"] = {
                    "status": action.status,
                    "error": {"code": action.code, "message": action.message},
                }

    def _record(
        self, scope: Scope, headers: Headers, request_id: str, answered: dict[str, Any], started: float
    ) -> None:
        assert self.journal is not None
        response_headers: Headers = answered.get("headers") or Headers()
        query = scope.get("query_string", b"").decode("latin-1")
        host = headers.get("host", "localhost")
        url = f"{scope.get('scheme', 'https')}://{host}{scope['path']}" + (f"?{query}" if query else "")
        self.journal.add(
            JournalEntry(
                sequence=self.journal.next_sequence(),
                time=iso8601(time.time()),
                method=scope["method"],
                url=url,
                path=scope["path"],
                status=answered.get("status", 500),
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                request_id=request_id,
                correlation_id=response_headers.get("x-ms-correlation-request-id"),
                client_request_id=headers.get("x-ms-client-request-id"),
                azure_async_operation=response_headers.get("azure-asyncoperation"),
                location=response_headers.get("location"),
                retry_after=response_headers.get("retry-after"),
            )
        )

    @staticmethod
    def _check_headers(scope: Scope) -> None:
        raw = scope["headers"]
        sizes = [len(name) + len(value) for name, value in raw]
        if (
            len(raw) > MAX_HEADER_FIELDS
            or sum(sizes) > MAX_HEADER_BYTES
            or max(sizes, default=0) > MAX_HEADER_FIELD_BYTES
        ):
            raise errors.ArmError(
                431,
                "RequestHeaderFieldsTooLarge",
                f"The request headers are too large: at most {MAX_HEADER_FIELDS} fields, "
                f"{MAX_HEADER_FIELD_BYTES} bytes a field and {MAX_HEADER_BYTES} bytes in all.",
                gateway=True,
            )

    @staticmethod
    def _check_length(headers: Headers) -> None:
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            raise errors.request_too_large(MAX_REQUEST_BYTES)

    @staticmethod
    def _standard_headers(scope: Scope, headers: Headers, request_id: str) -> list[tuple[bytes, bytes]]:
        correlation = headers.get("x-ms-correlation-request-id") or ""
        if not 0 < len(correlation) <= 256:  # echo a caller's id, not a payload
            correlation = str(uuid.uuid4())
        routing = f"LOCAL:{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}:{request_id}"
        extra = [
            (b"x-ms-request-id", request_id.encode()),
            (b"x-ms-correlation-request-id", correlation.encode("latin-1", "replace")),
            (b"x-ms-routing-request-id", routing.encode()),
            (b"cache-control", b"no-cache"),
            (b"pragma", b"no-cache"),
            (b"expires", b"-1"),
            (b"x-content-type-options", b"nosniff"),
        ]
        client_request_id = headers.get("x-ms-client-request-id")
        if client_request_id and headers.get("x-ms-return-client-request-id", "").lower() == "true":
            extra.append((b"x-ms-client-request-id", client_request_id.encode("latin-1", "replace")))
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        return extra


def _limited(receive: Receive) -> Receive:
    """Counts a streamed (chunked) body, which has no Content-Length to check up front."""
    received = 0

    async def wrapped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_REQUEST_BYTES:
                raise errors.request_too_large(MAX_REQUEST_BYTES)
        return message

    return wrapped
