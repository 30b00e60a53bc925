"""JSON values as the template language sees them: ARM type names, string conversion, equality, size checks."""

from __future__ import annotations

import json
from typing import Any

from .errors import ExpressionFailure


def type_name(value: Any) -> str:
    """The type name ARM uses in its error messages."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return type(value).__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# The largest value printed as text; evaluation never builds bigger ones (Limits.max_value_bytes).
_MAX_PRINTED_BYTES = 64 * 1024 * 1024


def compact_json(value: Any) -> str:
    check_size(value, _MAX_PRINTED_BYTES)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def to_text(value: Any) -> str:
    """How a value prints inside concat/format/string(): bools as .NET prints them, objects as compact JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return _number_text(value)
    return compact_json(value)


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def lookup(obj: dict, name: str) -> tuple[bool, Any]:
    """Property lookup the way ARM does it: exact name first, then case-insensitively."""
    if name in obj:
        return True, obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lowered:
            return True, value
    return False, None


def deep_equals(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(deep_equals(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        for key, value in a.items():
            found, other = lookup(b, key)
            if not found or not deep_equals(value, other):
                return False
        return True
    return type(a) is type(b) and a == b


def check_size(value: Any, limit: int) -> Any:
    """Refuse values whose JSON form would exceed `limit` bytes; stops walking as soon as it knows.

    Shared sub-values (an array holding the same array twice) count every time, as they would when printed."""
    budget = limit
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            budget -= len(current) + 2
        elif isinstance(current, list):
            budget -= len(current) + 2
            stack.extend(current)
        elif isinstance(current, dict):
            budget -= 2
            for key, item in current.items():
                budget -= len(key) + 4
                stack.append(item)
        else:
            budget -= 8
        if budget < 0:
            raise ExpressionFailure(
                f"The language expression result exceeds the maximum size of {limit} bytes and cannot be evaluated."
            )
    return value


def parse_json_text(text: str) -> Any:
    """JSON as ARM's parser (Json.NET) reads it: single-quoted strings, comments and trailing commas allowed."""
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(_normalise_json(text))


def _normalise_json(text: str) -> str:
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            quote = ch
            j = i + 1
            chars: list[str] = []
            while j < n and text[j] != quote:
                if text[j] == "\\" and j + 1 < n:
                    chars.append(text[j : j + 2])
                    j += 2
                    continue
                chars.append('\\"' if text[j] == '"' else text[j])
                j += 1
            out.append('"' + "".join(chars).replace("\\'", "'") + '"')
            i = j + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == ",":
            if not _closes_next(text, i + 1):
                out.append(ch)
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _closes_next(text: str, i: int) -> bool:
    """Whether the next token after position i (skipping blanks and comments) closes an object or array."""
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            return text[i] in "}]"
    return False
