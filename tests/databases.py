"""The database the tests run on: SQLite files by default; with ARM_EMULATOR_TEST_DATABASE_URL (set by
`make test-postgres`, see tools/with-private-postgres), a fresh PostgreSQL database per store or server."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from arm_emulator.store.repository import SqlStore
from arm_emulator.store.server_databases import create_empty_database

TEST_DATABASE_URL = os.environ.get("ARM_EMULATOR_TEST_DATABASE_URL")


def on_postgres() -> bool:
    return TEST_DATABASE_URL is not None


def fresh_database_url(directory: Path) -> str:
    """An empty database: a SQLite file in `directory`, or a new database on the test server."""
    if TEST_DATABASE_URL is None:
        return f"sqlite:///{(directory / 'store.db').as_posix()}"
    return create_empty_database(TEST_DATABASE_URL, f"arm_{uuid.uuid4().hex[:16]}")


def make_commits_refusable(store: SqlStore, database_file: Path) -> str:
    """Give a SQLite store a way to have a COMMIT refused, the one way to make SQLite refuse one here
    (disk full and I/O errors are the others): a deferred foreign key, checked at COMMIT itself. The
    statement that, run in a transaction, makes its COMMIT fail."""
    with closing(sqlite3.connect(database_file)) as other:
        other.executescript(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
            "CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);"
        )
    with store.transaction() as tx:
        tx._c.exec_driver_sql("PRAGMA foreign_keys = ON")  # not a transaction of its own in SQLite
    return "INSERT INTO child VALUES (42)"


@contextmanager
def sqlite_statements(store: SqlStore) -> Iterator[list[str]]:
    """The statements a SQLite store's connection runs inside the block (SQLite's trace callback)."""
    seen: list[str] = []
    connection = store._connect().connection.driver_connection
    connection.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        connection.set_trace_callback(None)
