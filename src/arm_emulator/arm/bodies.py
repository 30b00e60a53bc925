"""Request bodies: JSON parsing, validation against the generated models, tags, merge-patch."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from .errors import invalid_request_content, invalid_tag_name, invalid_tags, unsupported_media_type

MAX_TAGS = 50
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256
_RESERVED_TAG_CHARACTERS = re.compile(r"[<>%&\\?/\x00-\x1f\x7f]")
# 19 digits or more in a row: a number orjson would read as a float where `json` keeps the integer.
_LONG_DIGITS = re.compile(rb"\d{19}")
# How deeply a body may nest objects and arrays. Real ones stay under 20 levels; a limit keeps every
# later step (copies, merge-patches, views) within Python's recursion limit, whatever was stored.
MAX_JSON_DEPTH = 100


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (objects, arrays, scalars): what a write copies a body with, at a
    quarter of `copy.deepcopy`'s cost (which keeps a memo for shared and cyclic objects JSON has not)."""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value


def parse_json_object(raw: bytes, content_type: str | None) -> dict[str, Any]:
    if content_type:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in ("application/json", "text/json") and not media_type.endswith("+json"):
            raise unsupported_media_type(content_type)
    if not raw.strip():
        raise invalid_request_content("The request content was empty")
    value = _parsed_strictly(raw)
    strict = value is not _REFUSED
    if not strict:
        value = _parsed_by_json(raw)
    if not isinstance(value, dict):
        raise invalid_request_content(f"Expected a JSON object, got {type(value).__name__}")
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise invalid_request_content(f"The request content is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        # `"\ud800"` parses to a lone surrogate that could be stored but never sent back. orjson refuses
        # those; with `json`, only a `\u` escape, an encoded surrogate (json.loads decodes with
        # surrogatepass: 0xED...) or UTF-16/32 (which json.loads also reads, and which has NULs) can
        # make one; other bodies skip the check.
        if not strict and (b"\\u" in raw or b"\xed" in raw or b"\x00" in raw):
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_request_content("The request content has an unpaired UTF-16 surrogate escape") from None
    return value


_REFUSED: Any = object()


def _parsed_strictly(raw: bytes) -> Any:
    """`raw` read by orjson, several times faster than `json`; `_REFUSED` for anything it refuses or
    reads differently (long integers; NaN, a BOM, UTF-16, lone surrogates, deep nesting), which `json`
    then reads, or refuses with its line and column."""
    if _LONG_DIGITS.search(raw):
        return _REFUSED
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _REFUSED


def _parsed_by_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise invalid_request_content("The request content is not valid UTF-8") from None
    except json.JSONDecodeError as error:
        raise invalid_request_content(f"{error.msg} at line {error.lineno}, position {error.colno}") from None
    except ValueError as error:  # e.g. an integer beyond Python's digit limit
        raise invalid_request_content(str(error)) from None
    except RecursionError:
        raise invalid_request_content("The request content is nested too deeply") from None


def _depth(value: Any) -> int:
    """How deeply objects and arrays nest in a parsed JSON value (without recursion)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def blank(value: Any) -> bool:
    """Absent, null or whitespace: what ARM calls a missing value (a wrong type is a different error)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _describe(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"])
    return f"{path}: {first['msg']}" if path else first["msg"]


def validate(model: type[BaseModel], body: dict[str, Any], *, patch: bool = False) -> dict[str, Any]:
    """Validate with a generated request model; read-only and unknown fields are dropped.

    A PUT body gets the spec's defaults filled in; a PATCH body keeps only what was sent,
    explicit nulls included (they delete in a merge-patch).
    """
    try:
        instance = model.model_validate(body)
    except ValidationError as error:
        raise invalid_request_content(_describe(error)) from None
    except RecursionError:
        raise invalid_request_content("The request content is nested too deeply") from None
    if patch:
        return instance.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return instance.model_dump(by_alias=True, exclude_none=True, mode="json")


def check_tags(tags: Any) -> None:
    if tags is None:
        return
    if len(tags) > MAX_TAGS:
        raise invalid_tags(f"The number of tags ({len(tags)}) exceeds the maximum of {MAX_TAGS}.")
    reserved = [name for name in tags if _RESERVED_TAG_CHARACTERS.search(name)]
    if reserved:
        raise invalid_tag_name(reserved)
    for name, value in tags.items():
        if not name or len(name) > MAX_TAG_NAME:
            raise invalid_tags(f"Tag name '{name[:64]}' must be 1 to {MAX_TAG_NAME} characters long.")
        if len(value) > MAX_TAG_VALUE:
            raise invalid_tags(f"The value of tag '{name}' exceeds {MAX_TAG_VALUE} characters.")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge-patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def digest(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
