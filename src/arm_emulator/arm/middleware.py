"""The ARM front door, as one ASGI middleware, in request order: request ids and ARM's standard
headers, case-insensitive routing, the 4 MB body limit, auth, injected faults, the direct routes
(arm.dispatch) or else FastAPI; then the journal."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store.repository import JournalRecord, SqlStore
from . import errors
from .auth import Authenticator
from .controls import SharedControls
from .dispatch import DirectRoutes, Handler
from .error_handlers import render
from .errors import ArmError
from .faults import ErrorAction, FailOperationAction, LatencyAction, target_of
from .journal import Journal, polling_of
from .registry import Registry
from .resource_id import PathCanonicalizer

log = logging.getLogger(__name__)

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


# The request headers the front door reads, taken in the one pass that also measures them.
_READ_HEADERS = frozenset(
    {
        b"host",
        b"authorization",
        b"content-length",
        b"x-ms-correlation-request-id",
        b"x-ms-client-request-id",
        b"x-ms-return-client-request-id",
    }
)


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
        controls: SharedControls,
        direct: DirectRoutes,
        registration_check: Callable[[str, str], None] | None = None,
        lock_check: Callable[[str, str], None] | None = None,
        store: SqlStore | None = None,
    ) -> None:
        self.app = app
        self.registry = registry
        self.canonicalizer = canonicalizer
        self.authenticator = authenticator
        self.public_url = public_url
        self.journal = journal
        self.controls = controls
        self.direct = direct
        # ARM's check that the subscription registered the namespace a write goes to (may raise).
        self.registration_check = registration_check
        # ARM's management locks: a write or delete a lock forbids is refused here (may raise).
        self.lock_check = lock_check
        # The store whose one transaction a marked write handler shares with the checks (arm.dispatch).
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers, oversized = read_headers(scope["headers"])
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        correlation = caller_correlation_id(headers)
        extra = standard_headers(scope.get("scheme"), headers, request_id, correlation)
        path = scope["path"] = self.canonicalizer.canonicalize(scope["path"])
        arm_request = needs_token(path)
        answered: list[Any] = []
        journaled = False

        def journal_entry(status: int, response_headers: list[tuple[bytes, bytes]]) -> JournalRecord:
            query = scope.get("query_string", b"").decode("latin-1")
            url = f"{scope.get('scheme', 'https')}://{headers.get(b'host', 'localhost')}{path}"
            return JournalRecord(
                epoch_seconds=time.time(),
                method=scope["method"],
                url=url + (f"?{query}" if query else ""),
                path=path,
                status=status,
                duration_ms=(time.perf_counter() - started) * 1000,
                request_id=request_id,
                correlation_id=correlation,
                client_request_id=headers.get(b"x-ms-client-request-id"),
                **polling_of(response_headers),
            )

        async def send_answered(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = response_headers = [*message.get("headers", ()), *extra]
                answered[:] = (message["status"], response_headers)
            await send(message)

        route = self.direct.match(scope["method"], path)
        try:
            try:
                if oversized:
                    raise _headers_too_large()
                length = headers.get(b"content-length")
                if length is not None and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
                    raise errors.request_too_large(MAX_REQUEST_BYTES)
                if arm_request:
                    base = self.public_url or f"{scope.get('scheme', 'https')}://{headers.get(b'host', 'localhost')}"
                    self.authenticator.check(headers.get(b"authorization"), base)
                    if route is not None and self.store is not None and self.direct.in_one_transaction(route[0]):
                        journaled = await self._serve_in_one_transaction(
                            *route, scope, receive, send_answered, journal_entry if self.journal else None
                        )
                        return
                    # Another replica may have changed the controls (one integer read when none did).
                    self.controls.refresh()
                    await self._checks(scope, path)
            except ArmError as error:
                await render(error, path, self.registry)(scope, receive, send_answered)
                return
            if route is not None:
                await self.direct.serve(*route, scope, _limited(receive), send_answered)
            else:
                await self.app(scope, _limited(receive), send_answered)
        except Exception:
            if answered:
                raise  # the answer has begun (FastAPI's own 500, or a broken stream): the server logs it
            # A failure of the front door itself: still an ARM error, as everywhere behind it.
            log.exception("unhandled error on %s %s", scope["method"], path)
            await render(errors.internal_error(), path, self.registry)(scope, receive, send_answered)
        finally:
            if arm_request and self.journal is not None and not journaled:
                self.journal.add(journal_entry(*(answered or (500, []))))

    async def _checks(self, scope: Scope, path: str) -> None:
        """The front door's checks after auth: injected faults, provider registration, locks (may raise)."""
        if self.controls.faults.active:
            await self._inject_faults(scope)
        self._store_checks(scope["method"], path)

    def _store_checks(self, method: str, path: str) -> None:
        if self.registration_check is not None:
            self.registration_check(method, path)
        if self.lock_check is not None:
            self.lock_check(method, path)

    async def _serve_in_one_transaction(
        self,
        handler: Handler,
        params: dict[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
        journal_entry: Callable[[int, list[tuple[bytes, bytes]]], JournalRecord] | None,
    ) -> bool:
        """A write whose checks and handler share one store transaction: the body is read first (a
        transaction never spans a wait), then the controls' counter, the registration and lock checks,
        the handler, and the request's journal entry run in the transaction; the answer goes out once
        it has committed. With fault rules stored, the usual steps follow instead (a latency fault
        waits). Whether the journal entry was written."""
        path = scope["path"]
        receive, body = await _buffered(receive)
        assert self.store is not None
        response: Response | None = None
        with self.store.batched_write() as committed:
            self.controls.refresh()
            faults = self.controls.faults.active
            if not faults:
                try:
                    self._store_checks(scope["method"], path)
                except ArmError as error:
                    response = render(error, path, self.registry)
                else:
                    response = self.direct.answer_now(handler, params, scope, receive, body)
                if response is not None and journal_entry is not None and self.journal is not None:
                    self.journal.write(journal_entry(response.status_code, response.raw_headers))
        if faults:
            try:
                await self._checks(scope, path)
            except ArmError as error:
                await render(error, path, self.registry)(scope, receive, send)
                return False
            await self.direct.serve(handler, params, scope, receive, send)
            return False
        if response is None:
            return False
        try:
            await committed
        except Exception:  # logged by the store; nothing of this write was kept
            await render(errors.internal_error(), path, self.registry)(scope, receive, send)
            return False
        await response(scope, receive, send)
        return journal_entry is not None

    async def _inject_faults(self, scope: Scope) -> None:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        target = target_of(scope["method"], scope["path"], query.get("api-version"))
        fired = self.controls.fire(target)
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


def new_request_id() -> str:
    """A random version-4 GUID, as ARM's request ids are. Only an id, never a secret: drawn from
    `random`, about a quarter of `uuid.uuid4()`'s time (two per request)."""
    digits = (random.getrandbits(128) & _GUID_CLEAR | _GUID_SET).to_bytes(16, "big").hex()
    return "-".join((digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:]))


# The version (4) and variant (RFC 4122) bits of a GUID: cleared, then set.
_GUID_CLEAR = 0xFFFFFFFF_FFFF_0FFF_3FFF_FFFFFFFFFFFF
_GUID_SET = 0x00000000_0000_4000_8000_000000000000


def caller_correlation_id(headers: dict[bytes, str]) -> str:
    """The caller's correlation id, echoed if it looks like an id and not a payload; else a new one."""
    correlation = headers.get(b"x-ms-correlation-request-id") or ""
    return correlation if 0 < len(correlation) <= 256 else new_request_id()


@functools.lru_cache(maxsize=4)
def _routing_stamp(second: int) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(second))


def standard_headers(
    scheme: str | None, headers: dict[bytes, str], request_id: str, correlation: str
) -> list[tuple[bytes, bytes]]:
    """ARM's headers on every answer, from the request's (`read_headers`) and its ids."""
    extra = [
        (b"x-ms-request-id", request_id.encode()),
        (b"x-ms-correlation-request-id", correlation.encode("latin-1", "replace")),
        (b"x-ms-routing-request-id", f"LOCAL:{_routing_stamp(int(time.time()))}:{request_id}".encode()),
        (b"cache-control", b"no-cache"),
        (b"pragma", b"no-cache"),
        (b"expires", b"-1"),
        (b"x-content-type-options", b"nosniff"),
    ]
    client_request_id = headers.get(b"x-ms-client-request-id")
    if client_request_id and headers.get(b"x-ms-return-client-request-id", "").lower() == "true":
        extra.append((b"x-ms-client-request-id", client_request_id.encode("latin-1", "replace")))
    if scheme == "https":
        extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return extra


def read_headers(raw: list[tuple[bytes, bytes]]) -> tuple[dict[bytes, str], bool]:
    """The headers the front door reads (the first of each name, as Starlette's `Headers.get`),
    and whether the request's headers exceed ARM's limits."""
    found: dict[bytes, str] = {}
    total = 0
    largest = 0
    for name, value in raw:
        size = len(name) + len(value)
        total += size
        largest = max(largest, size)
        if name in _READ_HEADERS and name not in found:
            found[name] = value.decode("latin-1")
    oversized = len(raw) > MAX_HEADER_FIELDS or total > MAX_HEADER_BYTES or largest > MAX_HEADER_FIELD_BYTES
    return found, oversized


def _headers_too_large() -> ArmError:
    return errors.ArmError(
        431,
        "RequestHeaderFieldsTooLarge",
        f"The request headers are too large: at most {MAX_HEADER_FIELDS} fields, "
        f"{MAX_HEADER_FIELD_BYTES} bytes a field and {MAX_HEADER_BYTES} bytes in all.",
        gateway=True,
    )


class FrontDoorApp(FastAPI):
    """FastAPI with the ARM front door (`ArmMiddleware`) outside FastAPI's own middleware stack:
    requests the front door routes directly (arm.dispatch) never enter that stack."""

    front_door: ArmMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.front_door is not None:
            scope["app"] = self  # as Starlette sets it: handlers find the runtime through it
            await self.front_door(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def behind_front_door(self, scope: Scope, receive: Receive, send: Send) -> None:
        """FastAPI's own handling, for what the front door does not route directly."""
        await super().__call__(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[Receive, bytes | None]:
    """The request body read now (through the size limit), then served again from memory: the same
    messages, and the same error at the same point if the body is too large. With it, the whole body
    (None if it was too large or the client left)."""
    messages: list[Message] = []
    failure: ArmError | None = None
    limited = _limited(receive)
    while True:
        try:
            message = await limited()
        except ArmError as error:
            failure = error
            break
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    pending = iter(messages)

    async def replay() -> Message:
        message = next(pending, None)
        if message is not None:
            return message
        if failure is not None:
            raise failure
        return await receive()

    whole = failure is None and messages[-1]["type"] == "http.request"
    return replay, b"".join(m.get("body", b"") for m in messages) if whole else None


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
