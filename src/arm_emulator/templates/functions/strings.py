"""String functions (template-functions-string)."""

from __future__ import annotations

import base64
import urllib.parse
import uuid
from typing import Any

from ..errors import ExpressionFailure
from ..evaluator import Context, function
from ..formatting import composite_format
from ..hashing import arm_guid, unique_string
from ..values import compact_json, parse_json_text, to_text
from . import _checks as c


@function("base64", 1, grows=True)
def _base64(ctx: Context, value: Any) -> str:
    return base64.b64encode(c.text("base64", value).encode("utf-8")).decode("ascii")


def _b64decode(name: str, value: Any) -> str:
    try:
        return base64.b64decode(c.text(name, value), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as error:
        raise c.fail(name, f"the value '{value}' is not valid base64: {error}.") from None


@function("base64ToString", 1)
def _base64_to_string(ctx: Context, value: Any) -> str:
    return _b64decode("base64ToString", value)


@function("base64ToJson", 1)
def _base64_to_json(ctx: Context, value: Any) -> Any:
    return _parse_json("base64ToJson", _b64decode("base64ToJson", value))


@function("dataUri", 1, grows=True)
def _data_uri(ctx: Context, value: Any) -> str:
    encoded = base64.b64encode(c.text("dataUri", value).encode("utf-8")).decode("ascii")
    return f"data:text/plain;charset=utf8;base64,{encoded}"


@function("dataUriToString", 1)
def _data_uri_to_string(ctx: Context, value: Any) -> str:
    text = c.text("dataUriToString", value)
    if not text.startswith("data:") or "," not in text:
        raise c.fail("dataUriToString", f"the value '{text}' is not a valid data URI.")
    header, payload = text[5:].split(",", 1)
    if header.endswith(";base64"):
        return _b64decode("dataUriToString", payload)
    return urllib.parse.unquote(payload)


@function("endsWith", 2)
def _ends_with(ctx: Context, value: Any, suffix: Any) -> bool:
    return c.text("endsWith", value).lower().endswith(c.text("endsWith", suffix).lower())


@function("startsWith", 2)
def _starts_with(ctx: Context, value: Any, prefix: Any) -> bool:
    return c.text("startsWith", value).lower().startswith(c.text("startsWith", prefix).lower())


@function("format", 1, None, grows=True)
def _format(ctx: Context, template: Any, *args: Any) -> str:
    return composite_format(c.text("format", template), args)


@function("guid", 1, None)
def _guid(ctx: Context, *parts: Any) -> str:
    return arm_guid(*[_text_arg("guid", p) for p in parts])


@function("uniqueString", 1, None)
def _unique_string(ctx: Context, *parts: Any) -> str:
    return unique_string(*[_text_arg("uniqueString", p) for p in parts])


def _text_arg(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ExpressionFailure(
            f"The template language function '{name}' expects its parameters to be of type string. "
            f"The provided value is of type '{c.type_name(value)}'."
        )
    return value


@function("newGuid", 0)
def _new_guid(ctx: Context) -> str:
    _generator_only(ctx, "newGuid")
    return str(uuid.uuid4())


def _generator_only(ctx: Context, name: str) -> None:
    if not ctx.allow_generators:
        raise ExpressionFailure(
            f"The template function '{name}' is not expected at this location. The function can only be used "
            "with parameter default values."
        )


@function("padLeft", 2, 3)
def _pad_left(ctx: Context, value: Any, total: Any, padding: Any = " ") -> str:
    text = to_text(value) if isinstance(value, (int, float)) else c.text("padLeft", value)
    total = c.integer("padLeft", total)
    padding = c.text("padLeft", padding)
    if len(padding) != 1:
        raise c.fail("padLeft", "the padding character must be a single character.")
    if total > 16 * 1024:
        raise c.fail("padLeft", f"the total length '{total}' is too large.")
    return text.rjust(total, padding)


@function("replace", 3, grows=True)
def _replace(ctx: Context, value: Any, old: Any, new: Any) -> str:
    old = c.text("replace", old)
    if not old:
        raise c.fail("replace", "the old string must not be empty.")
    return c.text("replace", value).replace(old, c.text("replace", new))


@function("split", 2)
def _split(ctx: Context, value: Any, delimiter: Any) -> list[str]:
    text = c.text("split", value)
    delimiters = delimiter if isinstance(delimiter, list) else [c.text("split", delimiter)]
    parts = [text]
    for sep in delimiters:
        sep = c.text("split", sep)
        if sep:
            parts = [piece for part in parts for piece in part.split(sep)]
    return parts


@function("string", 1, grows=True)
def _string(ctx: Context, value: Any) -> str:
    if isinstance(value, (dict, list)):
        return compact_json(value)
    return to_text(value)


@function("substring", 2, 3)
def _substring(ctx: Context, value: Any, start: Any, length: Any = None) -> str:
    text = c.text("substring", value)
    start = c.integer("substring", start)
    if start < 0 or start > len(text):
        raise c.fail("substring", f"the index parameter '{start}' is out of range of the string length.")
    if length is None:
        return text[start:]
    length = c.integer("substring", length)
    if length < 0 or start + length > len(text):
        raise c.fail(
            "substring",
            f"the index and length parameters must refer to a location within the string. "
            f"The index parameter: '{start}', the length parameter: '{length}', the length of the string "
            f"parameter: '{len(text)}'.",
        )
    return text[start : start + length]


@function("toLower", 1)
def _to_lower(ctx: Context, value: Any) -> str:
    return c.text("toLower", value).lower()


@function("toUpper", 1)
def _to_upper(ctx: Context, value: Any) -> str:
    return c.text("toUpper", value).upper()


@function("trim", 1)
def _trim(ctx: Context, value: Any) -> str:
    return c.text("trim", value).strip()


@function("uri", 2)
def _uri(ctx: Context, base: Any, relative: Any) -> str:
    return urllib.parse.urljoin(c.text("uri", base), c.text("uri", relative))


@function("uriComponent", 1, grows=True)
def _uri_component(ctx: Context, value: Any) -> str:
    return urllib.parse.quote(c.text("uriComponent", value), safe="-_.!~*'()")


@function("uriComponentToString", 1)
def _uri_component_to_string(ctx: Context, value: Any) -> str:
    return urllib.parse.unquote(c.text("uriComponentToString", value))


def _parse_json(name: str, text: str) -> Any:
    try:
        return parse_json_text(text)
    except ValueError as error:
        raise c.fail(name, f"the value '{text[:200]}' is not valid JSON: {error}.") from None


@function("json", 1, grows=True)
def _json(ctx: Context, value: Any) -> Any:
    text = c.text("json", value)
    if text.strip() == "null":
        return None
    return _parse_json("json", text)


@function("join", 2, grows=True)
def _join(ctx: Context, items: Any, delimiter: Any) -> str:
    if not isinstance(items, list):
        raise c.wrong_type("join", "Array", items)
    delimiter = c.text("join", delimiter)
    return delimiter.join(to_text(item) if not isinstance(item, str) else item for item in items)
