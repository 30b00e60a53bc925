"""A write transaction's resource states (`StoreTransaction.resource_state`, what a write checks of its
parent): read once while SQLite's write lock is held, so a batch of creates under one parent reads
the parent's once, and never stale after the transaction's own writes or a failed block's undo. On a
real database (a SQLite file; PostgreSQL under `make test-postgres`, where every read goes to it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import fresh_database_url, sqlite_statements

from arm_emulator.store.repository import ResourceRecord, SqlStore

GROUP = "/subscriptions/s/resourcegroups/rg"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(fresh_database_url(tmp_path))
    store.open()
    yield store
    store.close()


def _resource(path: str, state: str = "Succeeded") -> ResourceRecord:
    key = f"{GROUP}/providers/ns/{path}"
    return ResourceRecord(
        key=key,
        id=key,
        subscription_key="s",
        resource_group_key=GROUP,
        parent_key=key.rsplit("/", 2)[0] if path.count("/") > 1 else None,
        type_key="ns/things" if path.count("/") == 1 else "ns/things/parts",
        body={"name": path.rsplit("/", 1)[1]},
        etag='"e"',
        provisioning_state=state,
    )


PARENT = _resource("things/p")


def test_a_state_read_in_a_write_transaction_follows_its_own_writes(store: SqlStore) -> None:
    with store.transaction(writing=True) as tx:
        assert tx.resource_state(PARENT.key) is None
        tx.put_resource(PARENT, new=True)
        assert tx.resource_state(PARENT.key) == "Succeeded"
        tx.put_resource(PARENT.evolve(provisioning_state="Deleting"), new=False)
        assert tx.resource_state(PARENT.key) == "Deleting"
        tx.delete_tree(PARENT.key, now=0.0, cancel_error={})
        assert tx.resource_state(PARENT.key) is None


@pytest.mark.parametrize("written_before", [False, True], ids=["first-block", "after-a-write"])
def test_a_failed_block_leaves_no_state_of_what_it_undid(store: SqlStore, written_before: bool) -> None:
    with store.transaction(writing=True) as tx:
        if written_before:  # the block then goes back to a savepoint, not to the start
            tx.put_resource(_resource("things/other"), new=True)
        assert tx.resource_state(PARENT.key) is None
        with pytest.raises(RuntimeError), store.transaction() as block:
            block.put_resource(PARENT, new=True)
            assert block.resource_state(PARENT.key) == "Succeeded"
            raise RuntimeError("the block fails")
        assert tx.resource_state(PARENT.key) is None


@pytest.mark.sqlite_only
def test_creates_under_one_parent_read_its_state_once_under_the_write_lock(store: SqlStore) -> None:
    with store.transaction(writing=True) as tx:
        tx.put_resource(PARENT, new=True)
    with sqlite_statements(store) as statements, store.transaction(writing=True) as tx:
        for name in ("a", "b", "c"):
            assert tx.resource_state(PARENT.key) == "Succeeded"
            tx.put_resource(_resource(f"things/p/parts/{name}"), new=True)
    state_reads = [s for s in statements if s.startswith("SELECT resources.provisioning_state")]
    assert len(state_reads) == 1, statements
    # A read transaction keeps nothing: it asks every time.
    with store.transaction() as tx, sqlite_statements(store) as statements:
        tx.resource_state(PARENT.key)
        tx.resource_state(PARENT.key)
    assert len([s for s in statements if s.startswith("SELECT resources.provisioning_state")]) == 2
