"""The store on a real SQLite file: conditional transitions, subtree deletes, keyset pages."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy

from arm_emulator.store.repository import OperationRecord, ResourceRecord, SqlStore


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    store = SqlStore(f"sqlite:///{tmp_path / 'store.db'}")
    store.open()
    yield store  # type: ignore[misc]
    store.close()


def _resource(
    key: str, parent: str | None = None, seq_group: str = "/subscriptions/s/resourcegroups/rg"
) -> ResourceRecord:
    return ResourceRecord(
        key=key,
        id=key,
        subscription_key="s",
        resource_group_key=seq_group,
        parent_key=parent,
        type_key="ns/things",
        body={"name": key.rsplit("/", 1)[1]},
        etag='"e"',
        provisioning_state="Succeeded",
    )


def _operation() -> OperationRecord:
    return OperationRecord(
        id="op1",
        namespace="ns",
        subscription_key="s",
        resource_key="/x",
        resource_id="/x",
        location="l",
        kind="create",
        api_version="v",
        initial_status_code=201,
        steps=(("Creating", "Running"),),
        step_index=0,
        step_seconds=0.0,
        status="Running",
        started_at=0.0,
        due_at=0.0,
    )


def test_a_step_is_applied_once_even_if_two_walkers_race(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.add_operation(_operation())
    done = _operation().evolve(step_index=1, status="Succeeded", due_at=None, ended_at=1.0)
    with store.transaction() as tx:
        assert tx.move_operation(done, expected_step_index=0) is True
    with store.transaction() as tx:
        assert tx.move_operation(done, expected_step_index=0) is False
        assert tx.get_operation("op1") == done
        assert tx.due_operation_ids(now=10.0) == []


def test_delete_tree_takes_children_but_not_look_alike_siblings(store: SqlStore) -> None:
    with store.transaction() as tx:
        for key in ("/rg/a_b", "/rg/a_b/child", "/rg/axb", "/rg/axb/child"):
            tx.put_resource(_resource(key))
        assert tx.delete_tree("/rg/a_b", now=1.0, cancel_error={}) == 2
        remaining = tx.list_resources(type_key="ns/things", subscription_key="s", limit=10).records
    assert [r.key for r in remaining] == ["/rg/axb", "/rg/axb/child"]


def test_pages_keep_insertion_order_and_replacement_keeps_position(store: SqlStore) -> None:
    with store.transaction() as tx:
        for name in ("one", "two", "three"):
            tx.put_resource(_resource(f"/rg/{name}"))
        tx.put_resource(_resource("/rg/one").evolve(etag='"changed"'))
        first = tx.list_resources(type_key="ns/things", subscription_key="s", limit=2)
        second = tx.list_resources(type_key="ns/things", subscription_key="s", after_seq=first.last_seq, limit=2)
    assert [r.key for r in first.records] == ["/rg/one", "/rg/two"] and first.more
    assert first.records[0].etag == '"changed"'
    assert [r.key for r in second.records] == ["/rg/three"] and not second.more


def test_a_transaction_opened_inside_another_joins_it_and_fails_with_it(store: SqlStore) -> None:
    with pytest.raises(RuntimeError), store.transaction() as outer:
        outer.put_resource(_resource("/rg/outer"))
        with store.transaction() as inner:
            assert inner is outer
            inner.put_resource(_resource("/rg/inner"))
        assert outer.get_resource("/rg/inner") is not None  # the inner write is visible at once
        raise RuntimeError("the request failed after both writes")
    with store.transaction() as tx:
        assert tx.get_resource("/rg/outer") is None and tx.get_resource("/rg/inner") is None
        tx.put_resource(_resource("/rg/after"))
    with store.transaction() as tx:
        assert tx.get_resource("/rg/after") is not None


def test_a_second_store_on_the_same_file_sees_committed_writes(store: SqlStore, tmp_path: Path) -> None:
    other = SqlStore(f"sqlite:///{tmp_path / 'store.db'}")
    other.open()
    try:
        with store.transaction() as tx:
            tx.put_resource(_resource("/rg/shared"))
        with other.transaction() as tx:
            assert tx.get_resource("/rg/shared") is not None
            tx.delete_tree("/rg/shared", now=1.0, cancel_error={})
        with store.transaction() as tx:
            assert tx.get_resource("/rg/shared") is None
    finally:
        other.close()


def test_a_snapshot_keeps_seeing_the_store_as_it_was_when_opened(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.put_resource(_resource("/rg/before"))
    with store.snapshot() as snapshot:
        assert snapshot.get_resource("/rg/before") is not None
        with store.transaction() as tx:  # the main connection writes on meanwhile
            tx.put_resource(_resource("/rg/during"))
            tx.delete_tree("/rg/before", now=1.0, cancel_error={})
        assert [r.key for r in snapshot.iter_resources()] == ["/rg/before"]
    with store.snapshot() as snapshot:
        assert [r.key for r in snapshot.iter_resources()] == ["/rg/during"]


def test_an_in_memory_store_has_no_snapshots() -> None:
    store = SqlStore("sqlite://")
    store.open()
    try:
        assert not store.has_snapshots
        with pytest.raises(RuntimeError, match="single connection"), store.snapshot():
            pass
    finally:
        store.close()


def test_a_failed_commit_leaves_nothing_pending_for_the_next_one(store: SqlStore, tmp_path: Path) -> None:
    # A deferred foreign key fails at COMMIT itself: the one way to make SQLite refuse a commit
    # here (disk full and I/O errors are the others).
    with closing(sqlite3.connect(tmp_path / "store.db")) as other:
        other.executescript(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
            "CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);"
        )
    with store.transaction() as tx:
        tx._c.exec_driver_sql("PRAGMA foreign_keys = ON")  # not a transaction of its own in SQLite
    with pytest.raises(sqlalchemy.exc.IntegrityError), store.transaction() as tx:
        tx.put_resource(_resource("/rg/refused"))
        tx._c.exec_driver_sql("INSERT INTO child VALUES (42)")
    with store.transaction() as tx:
        tx.put_resource(_resource("/rg/next"))
    with closing(sqlite3.connect(tmp_path / "store.db")) as other:
        assert other.execute("SELECT key FROM resources").fetchall() == [("/rg/next",)]
        other.execute("INSERT INTO parent VALUES (1)")  # the write lock was let go
        other.commit()


def test_the_connection_belongs_to_the_thread_that_opened_it(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.put_resource(_resource("/rg/mine"))
    failures: list[BaseException] = []

    def elsewhere() -> None:
        try:
            with store.transaction():
                pass
        except RuntimeError as error:
            failures.append(error)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert len(failures) == 1 and "snapshot()" in str(failures[0])


def test_close_waits_for_a_snapshot_still_being_read(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'store.db'}")
    store.open()
    opened, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def export() -> None:
        with store.snapshot() as snapshot:
            opened.set()
            release.wait(10)
            seen.append(len(list(snapshot.iter_resources())))

    reader = threading.Thread(target=export)
    reader.start()
    assert opened.wait(10)
    closer = threading.Thread(target=store.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive()  # still waiting for the reader
    release.set()
    reader.join(10)
    closer.join(10)
    assert not closer.is_alive() and seen == [0]


def test_opening_a_database_made_before_an_index_existed_adds_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    first = SqlStore(url)
    first.open()
    first.close()
    with closing(sqlite3.connect(tmp_path / "old.db")) as db:
        db.execute("DROP INDEX ix_resources_subscription_order")
        db.commit()
    reopened = SqlStore(url)
    reopened.open()
    reopened.close()
    with closing(sqlite3.connect(tmp_path / "old.db")) as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_resources_subscription_order", "ix_resources_group_order"} <= names
