"""arm.bodies.json_copy, which writes copy bodies with: what `copy.deepcopy` gives for JSON data,
sharing no object or array with the original, at any depth a request may send."""

from __future__ import annotations

import copy
import json
from typing import Any

from arm_emulator.arm.bodies import MAX_JSON_DEPTH, json_copy

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
