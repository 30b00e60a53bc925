"""The front door's cheap readings of a request: its api-version, its headers and body as direct routes
read them, and the ids it draws (request ids, HealthcareApis operation ids)."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest
from starlette.requests import Request

from arm_emulator.arm.api_versions import api_version_of
from arm_emulator.arm.dispatch import ArmRequest
from arm_emulator.arm.middleware import new_request_id
from arm_emulator.providers.healthcareapis import ids as operation_ids
from arm_emulator.providers.healthcareapis.ids import new_operation_id


@pytest.mark.parametrize(
    "query",
    [
        b"api-version=2024-03-31",
        b"api-version=",
        b"",
        b"api-version=2024-03-31&$top=5",
        b"$top=5&api-version=2021-04-01",
        b"api-version=2024-03-31-preview",
        b"api-version=2024%2D03%2D31",
        b"api-version=a+b",
        b"api-version=x;y",
        b"api-versions=2024-03-31",
        b"api-version=1&api-version=2",
    ],
)
def test_the_api_version_is_read_as_starlette_reads_it(query: bytes) -> None:
    request = Request({"type": "http", "method": "GET", "path": "/", "query_string": query, "headers": []})
    assert api_version_of(request) == request.query_params.get("api-version")


def test_request_ids_are_distinct_version_4_guids() -> None:
    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_a_direct_routes_headers_answer_as_starlettes() -> None:
    raw = [
        (b"content-type", b"application/json"),
        (b"x-ms-client-request-id", b"first"),
        (b"x-ms-client-request-id", b"second"),
        (b"if-match", b'"etag \xe9"'),
    ]
    scope = {"type": "http", "method": "PUT", "path": "/", "headers": raw}
    ours, theirs = ArmRequest(dict(scope), _no_body).headers, Request(dict(scope)).headers
    for name in ("Content-Type", "content-type", "X-MS-Client-Request-Id", "If-Match", "if-none-match", "x"):
        assert ours.get(name) == theirs.get(name)
        assert (name in ours) == (name in theirs)
        assert ours.get(name, "default") == theirs.get(name, "default")
    assert ours["IF-MATCH"] == theirs["IF-MATCH"]
    with pytest.raises(KeyError):
        ours["absent"]
    assert ours.getlist("x-ms-client-request-id") == ["first", "second"]
    assert dict(ours) == dict(theirs) and ours.items() == theirs.items()


async def _no_body() -> dict[str, object]:
    return {"type": "http.request", "body": b"", "more_body": False}


def test_a_direct_route_reads_the_body_the_front_door_read_or_else_the_stream() -> None:
    chunks = iter([b'{"a":', b"1}"])

    async def receive() -> dict[str, object]:
        chunk = next(chunks)
        return {"type": "http.request", "body": chunk, "more_body": chunk != b"1}"}

    scope = {"type": "http", "method": "PUT", "path": "/", "headers": []}
    assert asyncio.run(ArmRequest(scope, _no_body, b'{"read": 1}').body()) == b'{"read": 1}'
    assert asyncio.run(ArmRequest(scope, receive).body()) == b'{"a":1}'


def test_healthcareapis_operation_ids_are_25_base36_characters_all_drawn() -> None:
    ids = {new_operation_id("request") for _ in range(4000)}
    assert len(ids) == 4000
    assert all(re.fullmatch(r"[a-z0-9]{25}", value) for value in ids)
    assert set("".join(ids)) == set("abcdefghijklmnopqrstuvwxyz0123456789")


def test_healthcareapis_operation_ids_sort_as_their_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """So that the operations' index takes new ids next to the last ones (see the module)."""

    def made_at(now_ns: int) -> str:
        monkeypatch.setattr(operation_ids.time, "time_ns", lambda: now_ns)
        return new_operation_id("request")

    made = [made_at(now_ns) for now_ns in (0, 2**20, 36 * 2**20, 36**5 * 2**20, 1_800_000_000 * 10**9, 10**20)]
    assert made == sorted(made) and len(set(made)) == len(made)
    assert all(re.fullmatch(r"[a-z0-9]{25}", value) for value in made)
    same_step = made_at(2**20 + 2**19)  # a step is 2**20 ns: the same 9 characters, the rest drawn
    assert same_step[:9] == made[1][:9] and same_step != made[1]
