"""arm.bodies: json_copy, which writes copy bodies with (what `copy.deepcopy` gives for JSON data,
sharing no object or array with the original, at any depth a request may send), and parse_json_object
(what `json.loads` reads, refused as ARM refuses it)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from arm_emulator.arm.bodies import MAX_JSON_DEPTH, json_copy, parse_json_object
from arm_emulator.arm.errors import ArmError

DOCUMENT = json.loads(
    """{"location": "eastus", "tags": {"env": "test", "empty": ""},
        "properties": {"corsConfiguration": {"origins": ["*"], "maxAge": null, "allowCredentials": false},
                       "privateEndpointConnections": [
                           {"id": "/a", "properties": {"n": 1.5, "big": 12345678901234567890}}],
                       "nested": [[1, 2], [], {}], "unicode": "\u00e9\u4e2d"}}"""
)


def _containers(value: Any) -> list[Any]:
    found = [value] if isinstance(value, dict | list) else []
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        found += _containers(item)
    return found


def test_a_copy_equals_deepcopys_and_shares_no_container() -> None:
    copied = json_copy(DOCUMENT)
    assert copied == copy.deepcopy(DOCUMENT)
    originals = {id(c) for c in _containers(DOCUMENT)}
    assert originals.isdisjoint(id(c) for c in _containers(copied))
    copied["properties"]["corsConfiguration"]["origins"].append("x")
    copied["properties"]["privateEndpointConnections"][0]["properties"]["n"] = 0
    assert DOCUMENT["properties"]["corsConfiguration"]["origins"] == ["*"]
    assert DOCUMENT["properties"]["privateEndpointConnections"][0]["properties"]["n"] == 1.5


def test_the_deepest_body_a_request_may_send_is_copied() -> None:
    deepest: Any = {}
    for _ in range(MAX_JSON_DEPTH):
        deepest = {"a": [deepest]}
    assert json_copy(deepest) == deepest


# Bodies orjson reads (the fast path) and bodies it refuses or would read differently (`json` then).
_BODIES = [
    b'{"location": "eastus", "tags": {"a": "b"}, "properties": {"n": 1, "f": 1.5, "x": null}}',
    b'{"a": 1, "a": 2}',
    b'{"big": 123456789012345678901234567890, "neg": -98765432109876543210}',
    b'{"s": "digits 12345678901234567890 in a string"}',
    b'{"nan": NaN, "inf": Infinity}',
    b'{"tiny": 1.5e-400, "huge": 1e400, "zero": -0.0}',
    b'{"emoji": "\\ud83d\\ude00", "plain": "\xc3\xa9"}',
    b'\xef\xbb\xbf{"bom": true}',
    '{"utf16": "x"}'.encode("utf-16"),
]


def test_a_body_parses_as_json_loads_would() -> None:
    for raw in _BODIES:
        expected = json.loads(raw)
        parsed = parse_json_object(raw, "application/json")
        assert json.dumps(parsed, sort_keys=True) == json.dumps(expected, sort_keys=True), raw
        assert [type(v) for v in parsed.values()] == [type(v) for v in expected.values()], raw


def test_what_orjson_refuses_is_refused_as_json_refused_it() -> None:
    for raw, message in [
        (b'{"a": }', "Expecting value at line 1, position 7"),
        (b'{"a": "\\ud800"}', "unpaired UTF-16 surrogate"),
        (b'{"a": "\xed\xa0\x80"}', "unpaired UTF-16 surrogate"),
        (b"[1, 2]", "Expected a JSON object, got list"),
        (b"null", "Expected a JSON object, got NoneType"),
        (b"[" * 2000 + b"]" * 2000, "nested"),
    ]:
        with pytest.raises(ArmError) as refused:
            parse_json_object(raw, "application/json")
        assert refused.value.status == 400 and message in refused.value.message, (raw, refused.value.message)
