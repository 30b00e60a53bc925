"""The data dir's start-up lock: replicas sharing one data dir (the CA, server certificate, token
signing key and identity made on first start) make and read that material one process at a time, so
that replicas started together all use the first one's."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".start.lock"


@contextmanager
def startup_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # let go when the file closes, or the process dies
        yield
