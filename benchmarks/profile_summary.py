"""Summarise a py-spy `--format raw` (collapsed stacks) profile: where the samples went.

    python benchmarks/profile_summary.py profile.txt [--top 25] [--group]

Prints the functions with the most inclusive samples (on the stack at all) and the most self samples
(on top of the stack), as percentages of all samples. `--group` also sums inclusive samples by area
(TLS, HTTP parsing, Starlette/FastAPI, SQLAlchemy, sqlite3, pydantic, JSON, the emulator's own code).
`--focus arm_emulator` adds the inclusive list restricted to the emulator's own functions.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# Areas, checked in order against a frame's "function (file:line)" text; the first match wins.
AREAS: list[tuple[str, re.Pattern[str]]] = [
    # uvloop's transport (TLS encryption and the socket write) is C: py-spy charges it to this frame.
    ("response write (uvloop transport: TLS + socket)", re.compile(r"^RequestResponseCycle\.send \(")),
    ("request read (httptools parser callbacks)", re.compile(r"^HttpToolsProtocol\.")),
    ("sqlite3 (the C library, under do_execute/do_commit)", re.compile(r"^DefaultDialect\.do_\w+ \(")),
    ("SQLAlchemy (statement building, compile cache, pool, rows)", re.compile(r"/sqlalchemy/")),
    ("pydantic (validate/dump)", re.compile(r"/pydantic(_core)?/")),
    ("json (dumps/loads)", re.compile(r"/json/")),
    ("ssl module (handshake, Python side)", re.compile(r"/ssl\.py:")),
    ("uvicorn (protocol, other)", re.compile(r"/uvicorn/")),
    ("FastAPI (routing, dependencies, params)", re.compile(r"/fastapi/")),
    ("Starlette (routing, middleware, responses)", re.compile(r"/starlette/")),
    ("arm_emulator (own code)", re.compile(r"/arm_emulator/")),
    ("uuid", re.compile(r"/uuid\.py:")),
    ("asyncio / event loop", re.compile(r"/asyncio/|uvloop")),
]


def parse(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        frames, _, count = line.rpartition(" ")
        if not count.isdigit():  # a frame whose text ran onto a new line; rare, and dropped
            continue
        stacks.append((frames.split(";"), int(count)))
    return stacks


def short(frame: str) -> str:
    """`handler (/long/path/to/pkg/module.py:12)` → `handler (pkg/module.py:12)`."""
    match = re.match(r"^(.*) \((.*):(\d+)\)$", frame)
    if not match:
        return frame
    name, file, line = match.groups()
    parts = file.split("/")
    for anchor in ("site-packages", "src", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    return f"{name} ({'/'.join(parts[-3:])}:{line})"


def function_of(frame: str) -> str:
    """A frame without its line number: one entry per function."""
    return re.sub(r":\d+\)$", ")", short(frame))


def summarise(path: Path, top: int = 25, group: bool = False, focus: str | None = None) -> str:
    stacks = parse(path)
    total = sum(count for _, count in stacks) or 1
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    for frames, count in stacks:
        seen = {function_of(f) for f in frames}
        for name in seen:
            inclusive[name] += count
        own[function_of(frames[-1])] += count
        # The innermost frame's area, so each sample is counted in exactly one area.
        for frame in reversed(frames):
            area = next((a for a, pattern in AREAS if pattern.search(frame)), None)
            if area:
                areas[area] += count
                break
        else:
            areas["other"] += count
    lines = [f"{total} samples", "", "inclusive %  function"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in inclusive.most_common(top)]
    if focus:
        lines += ["", f"inclusive %  function, only frames from '{focus}'"]
        mine = [(name, n) for name, n in inclusive.most_common() if focus in name]
        lines += [f"{100 * n / total:10.1f}  {name}" for name, n in mine[:top]]
    lines += ["", "self %       function"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in own.most_common(top)]
    if group:
        lines += ["", "self % by area (innermost frame that belongs to an area)"]
        lines += [f"{100 * n / total:10.1f}  {name}" for name, n in areas.most_common()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--group", action="store_true")
    parser.add_argument("--focus", help="also list inclusive time of frames whose file contains this")
    args = parser.parse_args()
    print(summarise(args.profile, args.top, args.group, args.focus))


if __name__ == "__main__":
    main()
