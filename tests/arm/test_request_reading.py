"""The front door's cheap readings of a request: its api-version and its new request id."""

from __future__ import annotations

import uuid

import pytest
from starlette.requests import Request

from arm_emulator.arm.api_versions import api_version_of
from arm_emulator.arm.middleware import new_request_id


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
