"""uvicorn's httptools protocol, answering requests its parser refuses with ARM errors.

uvicorn answers a request httptools cannot parse (a URL over 64 KB, a non-numeric Content-Length,
a bad method or version) with its own `400 text/plain` before the app sees it. This subclass
answers the same requests, at the same point, with the ARM error envelope instead: 414
`RequestUriTooLong` for a URL over the parser's limit, else 400 `InvalidRequestFormat` with the
parser's reason, both as gateway errors; and it closes the connection as uvicorn does (the rest of
the stream cannot be framed). Only that error path differs: requests that parse take the inherited
code unchanged, and the journal never sees these requests (its middleware does not run). Its writes
are coalesced (arm_emulator.coalesced_writes)."""

from __future__ import annotations

import sys
import uuid

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE

from .arm import errors
from .arm.errors import ArmError
from .arm.middleware import caller_correlation_id, read_headers, standard_headers
from .arm.responses import error_response
from .coalesced_writes import CoalescingHttpToolsProtocol

# httptools.parse_url keeps offsets in 16 bits, so uvicorn cannot route a longer URL.
MAX_URL_BYTES = 0xFFFF
# The parser's reason may quote the URL ("invalid url b'...'"), which can be 64 KB.
_MAX_REASON_CHARS = 200


class ArmHttpToolsProtocol(CoalescingHttpToolsProtocol):
    def _unsupported_upgrade_warning(self) -> None:
        """Silent: with `ws="none"` (server.prepare) an upgrade request is served as plain HTTP, as
        ARM serves it; uvicorn would log two warnings per such request, one suggesting an install."""

    def send_400_response(self, msg: str) -> None:
        # uvicorn calls this inside its `except httptools.HttpParserError`: the exception says why.
        error = _arm_error(sys.exception(), getattr(self, "url", b""), msg)
        response = error_response(error)
        content = [STATUS_LINE[error.status]]
        for name, value in [
            *self.server_state.default_headers,
            *response.raw_headers,
            *_standard_headers(self.scheme, self.headers or []),
            (b"connection", b"close"),
        ]:
            content += [name, b": ", value, b"\r\n"]
        content += [b"\r\n", response.body]
        self.transport.write(b"".join(content))
        self.transport.close()


def _standard_headers(scheme: str | None, request_headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """ARM's standard headers, as the front door (arm.middleware, which does not run for these
    requests) adds them, from the headers parsed so far. on_message_begin has dropped a previous
    request's, so nothing of it is echoed."""
    headers, _ = read_headers(request_headers)
    return standard_headers(scheme, headers, str(uuid.uuid4()), caller_correlation_id(headers))


def _arm_error(exc: BaseException | None, url: bytes, fallback: str) -> ArmError:
    # A callback's own exception (uvicorn parses the URL in on_headers_complete) is the context of
    # httptools' generic HttpParserCallbackError.
    cause = exc.__context__ if isinstance(exc, httptools.HttpParserCallbackError) else exc
    if isinstance(cause, httptools.HttpParserInvalidURLError) and len(url) > MAX_URL_BYTES:
        return errors.request_uri_too_long(len(url), MAX_URL_BYTES)
    if isinstance(cause, httptools.HttpParserError):
        reason = str(cause).rstrip(".") or fallback.rstrip(".")
    else:  # not the parser's own words: nothing of it goes to the client
        reason = fallback.rstrip(".")
    if len(reason) > _MAX_REASON_CHARS:
        reason = reason[:_MAX_REASON_CHARS] + "..."
    return errors.invalid_request_format(reason)
