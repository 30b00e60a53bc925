"""ETags and conditional requests (If-Match / If-None-Match), as in the ARM RPC's ETag addendum."""

from __future__ import annotations

import random

from .errors import precondition_failed


def new_etag(now: float) -> str:
    # Cosmos-style, as the real RPs send: random, then the write time in hex seconds.
    # Only a version marker, never a secret: `random` spares the system call of `secrets`.
    return f'"{random.getrandbits(32):08x}-0000-0400-0000-{int(now):08x}0000"'


def _tags(header: str) -> list[str]:
    values = []
    for item in header.split(","):
        item = item.strip()
        if item.startswith("W/"):
            item = item[2:]
        values.append(item.strip('"'))
    return values


def _matches(header: str, etag: str) -> bool:
    tags = _tags(header)
    return "*" in tags or etag.strip('"') in tags


def check_write(current_etag: str | None, if_match: str | None, if_none_match: str | None) -> None:
    """For PUT (current_etag None: the resource does not exist)."""
    if if_match is not None and (current_etag is None or not _matches(if_match, current_etag)):
        raise precondition_failed(
            "The specified precondition 'If-Match' failed: "
            + ("the resource does not exist." if current_etag is None else "the ETag does not match.")
        )
    if if_none_match is not None and current_etag is not None and _matches(if_none_match, current_etag):
        raise precondition_failed("The specified precondition 'If-None-Match' failed: the resource already exists.")


def check_existing(current_etag: str, if_match: str | None) -> None:
    """For PATCH and DELETE of an existing resource."""
    if if_match is not None and not _matches(if_match, current_etag):
        raise precondition_failed("The specified precondition 'If-Match' failed: the ETag does not match.")
