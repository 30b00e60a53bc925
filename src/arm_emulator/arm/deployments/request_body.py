"""A deployment request's body, as clients send it, including the one az sends for `--template-file`.

az does not send JSON there: it serialises the body without the template and splices the template
file's raw text back in as `, template:<text>}}` (azure-cli's JsonCTemplatePolicy): an unquoted key,
and the file's comments, trailing commas, raw newlines inside strings and a BOM come along. Real ARM
reads it, so the emulator does too: comments and BOMs are dropped, bare keys quoted and trailing
commas removed, each outside strings only, then the text is parsed with control characters allowed
in strings. Plain JSON takes the ordinary path first.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import errors
from ..bodies import MAX_JSON_DEPTH, parse_json_object

# A string, or an unterminated one to the end of the text: every scan that starts ends in a match,
# so no text (4 MB of `\"`, of `/*`, of letters) makes the patterns rescan it from each position.
_STRING = r'"(?:[^"\\]|\\[\s\S]?)*+(?:"|\Z)'
# Strings (kept as they are), comments and stray BOMs (dropped).
_COMMENTS = re.compile(_STRING + r"|//[^\n]*|/\*(?:[\s\S]*?\*/|[\s\S]*\Z)|\ufeff")
# Strings (kept), a comma before a closing bracket (dropped), a bare key (quoted).
_LOOSE_SYNTAX = re.compile(_STRING + r"|,(?=\s*+[}\]])|(?<![\w$])([A-Za-z_$][\w$]*+)(?=\s*+:)")


def _without_comments(match: re.Match[str]) -> str:
    token = match.group(0)
    return token if token.startswith('"') else " " if token != "\ufeff" else ""


def _strict_syntax(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.startswith('"'):
        return token
    if match.group(1) is not None:
        return f'"{token}"'
    return ""


def lenient_json(text: str) -> Any:
    """JSON with comments, trailing commas, bare keys, raw control characters in strings and BOMs."""
    cleaned = _LOOSE_SYNTAX.sub(_strict_syntax, _COMMENTS.sub(_without_comments, text))
    return json.loads(cleaned, strict=False)


def parse_deployment_body(raw: bytes, content_type: str | None) -> dict[str, Any]:
    try:
        return parse_json_object(raw, content_type)
    except errors.ArmError as error:
        if error.code != "InvalidRequestContent" or not raw.strip():
            raise
        first_error = error
    try:
        value = lenient_json(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise errors.invalid_request_content("The request content is not valid UTF-8") from None
    except RecursionError:
        raise errors.invalid_request_content("The request content is nested too deeply") from None
    except ValueError:
        raise first_error from None  # what strict JSON parsing found first is the clearer message
    if not isinstance(value, dict):
        raise errors.invalid_request_content(f"Expected a JSON object, got {type(value).__name__}")
    # The same bound as for every other body, checked on what parsed (the raw text may hold comments).
    return parse_json_object(json.dumps(value).encode(), None) if _nesting_may_exceed(raw) else value


def _nesting_may_exceed(raw: bytes) -> bool:
    return raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH
