"""The database the tests run on: SQLite files by default; with ARM_EMULATOR_TEST_DATABASE_URL (set by
`make test-postgres`, see tools/with-private-postgres), a fresh PostgreSQL database per store or server."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from arm_emulator.store.server_databases import create_empty_database

TEST_DATABASE_URL = os.environ.get("ARM_EMULATOR_TEST_DATABASE_URL")


def on_postgres() -> bool:
    return TEST_DATABASE_URL is not None


def fresh_database_url(directory: Path) -> str:
    """An empty database: a SQLite file in `directory`, or a new database on the test server."""
    if TEST_DATABASE_URL is None:
        return f"sqlite:///{(directory / 'store.db').as_posix()}"
    return create_empty_database(TEST_DATABASE_URL, f"arm_{uuid.uuid4().hex[:16]}")
