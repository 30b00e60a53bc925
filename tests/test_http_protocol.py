"""The emulator protocol's write coalescing (arm_emulator.coalesced_writes), on a real event loop with
uvicorn's own protocol code and a transport that records what it is given: an answer's head and body
leave in one write, writes keep their order, and a close sends what is pending first."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from arm_emulator.http_protocol import ArmHttpToolsProtocol


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8443)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    body = f"answer to {scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


async def serve(requests: bytes) -> RecordingTransport:
    config = Config(app, ws="none", lifespan="off", log_level="warning")
    config.load()
    protocol = ArmHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(requests)
    for _ in range(100):  # turns of the loop until the answers are out (a few are enough)
        await asyncio.sleep(0)
    return transport


def test_an_answers_head_and_body_leave_in_one_write() -> None:
    transport = asyncio.run(serve(b"GET /one HTTP/1.1\r\nHost: a\r\n\r\n"))
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert transport.writes[0].endswith(b"\r\n\r\nanswer to /one")
    assert not transport.closed  # kept alive


def test_pipelined_answers_keep_their_order() -> None:
    transport = asyncio.run(serve(b"GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n"))
    sent = b"".join(transport.writes)
    assert sent.count(b"HTTP/1.1 200 OK") == 2
    assert sent.index(b"answer to /one") < sent.index(b"answer to /two")


def test_a_close_sends_what_is_pending_first() -> None:
    transport = asyncio.run(serve(b"GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
    assert transport.closed
    assert len(transport.writes) == 1 and transport.writes[0].endswith(b"answer to /last")


def test_an_unparseable_request_is_answered_before_the_close() -> None:
    transport = asyncio.run(serve(b"GET /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n"))
    assert transport.closed
    assert len(transport.writes) == 1 and b"InvalidRequestFormat" in transport.writes[0]
