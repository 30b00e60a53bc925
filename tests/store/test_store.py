"""The store on a real database (a SQLite file; PostgreSQL under `make test-postgres`): conditional
transitions, subtree deletes, keyset pages, the shared controls and journal."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy
from databases import fresh_database_url, make_commits_refusable

from arm_emulator.store.repository import JournalRecord, OperationRecord, ResourceRecord, SqlStore, SubscriptionRecord


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return fresh_database_url(tmp_path)


@pytest.fixture
def store(database_url: str) -> SqlStore:
    store = SqlStore(database_url)
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


def test_evolve_changes_only_the_named_fields_and_refuses_unknown_ones() -> None:
    op = _operation()
    done = op.evolve(status="Succeeded", due_at=None)
    assert (done.status, done.due_at, done.id, op.status) == ("Succeeded", None, "op1", "Running")
    record = _resource("/p")
    assert record.evolve(body={"a": 1}).raw is None  # the old text is not the new body's
    with pytest.raises(TypeError, match="no field stauts"):
        op.evolve(stauts="Succeeded")


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


def test_a_failed_inner_block_undoes_its_own_writes_and_keeps_what_came_before(store: SqlStore) -> None:
    """A request's handler runs its store blocks inside the request's one transaction: a block that
    fails (and is caught) leaves the database as if it had been a transaction of its own."""
    with store.transaction() as outer:
        outer.put_resource(_resource("/rg/before"))
        with pytest.raises(RuntimeError), store.transaction() as inner:
            inner.put_resource(_resource("/rg/failed"))
            raise RuntimeError("the block failed after its write")
        assert outer.get_resource("/rg/failed") is None and outer.get_resource("/rg/before") is not None
        with store.transaction() as inner:
            inner.put_resource(_resource("/rg/after"))
    with store.transaction() as tx:
        assert [tx.get_resource(k) is not None for k in ("/rg/before", "/rg/failed", "/rg/after")] == [
            True,
            False,
            True,
        ]


def test_a_failed_first_writing_block_is_undone_and_the_transaction_goes_on(store: SqlStore) -> None:
    with store.transaction() as outer:
        assert outer.get_resource("/rg/x") is None  # reads only so far
        with pytest.raises(RuntimeError), store.transaction() as inner:
            inner.put_resource(_resource("/rg/failed"))
            with store.transaction() as nested:
                nested.put_resource(_resource("/rg/failed/child"))
            raise RuntimeError("the block failed after its writes")
        assert outer.get_resource("/rg/failed") is None and outer.get_resource("/rg/failed/child") is None
        outer.put_resource(_resource("/rg/kept"))
    with store.transaction() as tx:
        assert tx.get_resource("/rg/kept") is not None and tx.get_resource("/rg/failed") is None


def test_a_failed_statement_inside_a_block_leaves_the_transaction_usable(store: SqlStore) -> None:
    """On PostgreSQL a failed statement aborts the transaction; the block's undo clears that."""
    with store.transaction() as outer:
        outer.put_resource(_resource("/rg/first"))
        # The driver's own error (the hot statements run on its cursor): sqlite3's or psycopg's.
        with pytest.raises(Exception, match=r"(?i)unique"), store.transaction() as inner:
            inner.put_resource(_resource("/rg/first"), new=True)  # the key is taken
        outer.put_resource(_resource("/rg/second"))
    with store.transaction() as tx:
        assert tx.get_resource("/rg/first") is not None and tx.get_resource("/rg/second") is not None


def test_a_second_store_on_the_same_file_sees_committed_writes(store: SqlStore, database_url: str) -> None:
    other = SqlStore(database_url)
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


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("setting", "pragma"), [("off", 0), ("normal", 1), ("full", 2)])
def test_sqlite_synchronous_is_set_on_the_connection(tmp_path: Path, setting: str, pragma: int) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'sync.db'}", sqlite_synchronous=setting)
    store.open()
    try:
        with store.transaction() as tx:
            tx.put_resource(_resource("/rg/one"))
        assert store._connect().exec_driver_sql("PRAGMA synchronous").scalar() == pragma
    finally:
        store.close()
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        SqlStore("sqlite://", sqlite_synchronous="sometimes")


@pytest.mark.sqlite_only
def test_a_writing_transaction_holds_sqlites_write_lock_from_its_first_read(store: SqlStore, tmp_path: Path) -> None:
    """Another process on the file cannot write between a write's checks and its writes; a reading
    transaction leaves it free (pysqlite's own transaction begins only at a write)."""

    def another_process_can_write() -> bool:
        with closing(sqlite3.connect(tmp_path / "store.db", timeout=0, isolation_level=None)) as other:
            try:
                other.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                assert "locked" in str(error)
                return False
            other.execute("ROLLBACK")
            return True

    with store.transaction() as tx:
        assert tx.get_resource("/rg/one") is None
        assert another_process_can_write()
    with store.transaction(writing=True) as tx:
        assert tx.get_resource("/rg/one") is None
        assert not another_process_can_write()
        with pytest.raises(LookupError), store.transaction():  # a failed block, nothing written before it
            raise LookupError
        assert not another_process_can_write()  # its rollback took the lock again
        tx.put_resource(_resource("/rg/one"))
    assert another_process_can_write()
    with store.transaction() as tx:
        assert tx.get_resource("/rg/one") is not None


@pytest.mark.sqlite_only
def test_an_in_memory_store_has_no_snapshots() -> None:
    store = SqlStore("sqlite://")
    store.open()
    try:
        assert not store.has_snapshots
        with pytest.raises(RuntimeError, match="single connection"), store.snapshot():
            pass
    finally:
        store.close()


@pytest.mark.sqlite_only
def test_a_failed_commit_leaves_nothing_pending_for_the_next_one(store: SqlStore, tmp_path: Path) -> None:
    refused_at_commit = make_commits_refusable(store, tmp_path / "store.db")
    with pytest.raises(sqlalchemy.exc.IntegrityError), store.transaction() as tx:
        tx.put_resource(_resource("/rg/refused"))
        tx._c.exec_driver_sql(refused_at_commit)
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


def test_close_waits_for_a_snapshot_still_being_read(database_url: str) -> None:
    store = SqlStore(database_url)
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


def test_opening_a_database_made_before_an_index_existed_adds_it(database_url: str) -> None:
    first = SqlStore(database_url)
    first.open()
    first.close()
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.begin() as db:
            db.exec_driver_sql("DROP INDEX ix_resources_subscription_order")
            db.exec_driver_sql("DROP TABLE control_state")  # as made before the shared controls
        reopened = SqlStore(database_url)
        reopened.open()
        with reopened.transaction() as tx:
            assert tx.control_version() >= 1
        reopened.close()
        names = {index["name"] for index in sqlalchemy.inspect(engine).get_indexes("resources")}
    finally:
        engine.dispose()
    assert {"ix_resources_subscription_order", "ix_resources_group_order"} <= names


def test_opening_a_database_with_the_old_full_indexes_replaces_them_with_partial_ones(database_url: str) -> None:
    first = SqlStore(database_url)
    first.open()
    first.close()
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.begin() as db:  # the indexes as earlier versions made them
            db.exec_driver_sql("DROP INDEX ix_resources_child")
            db.exec_driver_sql("DROP INDEX ix_operations_running_due")
            db.exec_driver_sql("CREATE INDEX ix_resources_parent ON resources (parent_key, type_key, seq)")
            db.exec_driver_sql("CREATE INDEX ix_operations_due ON operations (due_at)")
            db.exec_driver_sql("CREATE INDEX ix_operations_resource ON operations (resource_key)")
        reopened = SqlStore(database_url)
        reopened.open()
        with reopened.transaction() as tx:
            tx.put_resource(_resource("/p"))
            tx.put_resource(_resource("/p/c", parent="/p"))
            tx.add_operation(_operation())
            assert tx.has_children("/p") and tx.due_operation_ids(now=10.0) == ["op1"]
        reopened.close()
        inspector = sqlalchemy.inspect(engine)
        resource_indexes = {index["name"] for index in inspector.get_indexes("resources")}
        operation_indexes = {index["name"] for index in inspector.get_indexes("operations")}
    finally:
        engine.dispose()
    assert "ix_resources_child" in resource_indexes and "ix_resources_parent" not in resource_indexes
    assert operation_indexes == {"ix_operations_running_due"}


def _journal_record(path: str, status: int = 200, **fields: object) -> JournalRecord:
    return JournalRecord(
        epoch_seconds=1.0,
        method="GET",
        url=f"https://h{path}",
        path=path,
        status=status,
        duration_ms=1.0,
        request_id="r",
        correlation_id=None,
        client_request_id=None,
        **fields,  # type: ignore[arg-type]
    )


def test_the_journal_keeps_the_newest_entries_and_filters_them(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.add_journal_entries([_journal_record(f"/Subscriptions/S/x{number}", 200 + number) for number in range(5)])
        tx.add_journal_entries([_journal_record("/subscriptions/s/y", 202, location="https://h/op")])
        everything = tx.query_journal(capacity=100)
        assert [e.path for e in everything][-2:] == ["/Subscriptions/S/x4", "/subscriptions/s/y"]
        assert [e.path for e in tx.query_journal(capacity=2)] == ["/Subscriptions/S/x4", "/subscriptions/s/y"]
        assert [e.status for e in tx.query_journal(capacity=100, path_prefix="/subscriptions/s/x")] == [
            200,
            201,
            202,
            203,
            204,
        ]
        accepted = tx.query_journal(capacity=100, status=202)
        assert [e.location for e in accepted] == [None, "https://h/op"]
        since = tx.query_journal(capacity=100, since=everything[3].sequence)
        assert [e.sequence for e in since] == [e.sequence for e in everything[4:]]
        tx.trim_journal(3)
        assert len(tx.query_journal(capacity=100)) == 3


def test_a_fault_rule_with_times_is_spent_once_across_stores(store: SqlStore, database_url: str) -> None:
    other = SqlStore(database_url)
    other.open()
    try:
        with store.transaction() as tx:
            before = tx.control_version()
            rule = tx.add_fault_rule({"action": {"type": "error"}, "times": 2})
            assert tx.control_version() == before + 1
        with store.transaction() as tx:
            assert tx.spend_fault_rule(rule.seq, 2)
        with other.transaction() as tx:
            assert tx.spend_fault_rule(rule.seq, 2)
            assert not tx.spend_fault_rule(rule.seq, 2)
            assert [r.fired for r in tx.read_controls().fault_rules] == [2]
    finally:
        other.close()


def test_the_clock_offset_and_timing_are_shared_and_reset_with_everything(store: SqlStore, database_url: str) -> None:
    other = SqlStore(database_url)
    other.open()
    try:
        with store.transaction() as tx:
            assert tx.move_clock(60) == 60
            tx.set_timing({"default": {"mode": "polls", "stepSeconds": 0}, "types": {}})
        with other.transaction() as tx:
            assert tx.move_clock(30) == 90
            controls = tx.read_controls()
            assert controls.timing == {"default": {"mode": "polls", "stepSeconds": 0}, "types": {}}
            tx.delete_everything()
        with store.transaction() as tx:
            controls = tx.read_controls()
        assert (controls.clock_offset, controls.timing, controls.fault_rules) == (0.0, None, [])
    finally:
        other.close()


@pytest.mark.postgres
def test_an_operation_claimed_by_one_store_is_passed_over_by_another(store: SqlStore, database_url: str) -> None:
    # The claim is a row lock another replica skips (FOR UPDATE SKIP LOCKED). SQLite has no row locks:
    # its writers take turns, and the conditional move keeps a step from doubling (the first test).
    with store.transaction() as tx:
        tx.add_operation(_operation())
    other = SqlStore(database_url)
    other.open()
    try:
        with store.transaction() as tx:
            assert tx.claim_operation("op1") is not None
            with other.transaction() as second:
                assert second.claim_operation("op1") is None
        with other.transaction() as second:
            assert second.claim_operation("op1") is not None  # let go with the first transaction
    finally:
        other.close()


# -- the scope cache ---------------------------------------------------------------------------------

GROUPS = "microsoft.resources/resourcegroups"
LOCKS = "microsoft.authorization/locks"
GROUP_KEY = "/subscriptions/s/resourcegroups/rg"
LOCK_KEY = f"{GROUP_KEY}/providers/microsoft.authorization/locks/nodelete"


def _scoped(key: str, type_key: str, parent: str | None = None, state: str = "Succeeded") -> ResourceRecord:
    return _resource(key, parent, GROUP_KEY).evolve(type_key=type_key, provisioning_state=state)


def _scope_store(database_url: str) -> SqlStore:
    store = SqlStore(database_url, cached_types=frozenset({GROUPS, LOCKS}))
    store.open()
    return store


def _scopes_seen(store: SqlStore) -> tuple[str | None, list[str], bool]:
    """What a write's checks read: the group's state, the subscription's locks, the subscription."""
    store.control_version()  # every request's first read
    with store.transaction() as tx:
        state = tx.resource_state(GROUP_KEY)
        locks = [lock.key for lock in tx.resources_of_type("s", LOCKS)]
        subscription = tx.get_subscription("s") is not None
    return state, locks, subscription


def test_the_scope_cache_follows_changes_made_through_another_store(database_url: str) -> None:
    # Two replicas on one database. What one changes (a group going away, a lock added, a subscription
    # added) the other sees from its next request on: the change moves the counter every request reads.
    first, second = _scope_store(database_url), _scope_store(database_url)
    try:
        with second.transaction() as tx:
            tx.put_resource(_scoped(GROUP_KEY, GROUPS))
        assert _scopes_seen(first) == ("Succeeded", [], False)
        with second.transaction() as tx:
            tx.put_resource(_scoped(LOCK_KEY, LOCKS, parent=GROUP_KEY))
            tx.add_subscription(SubscriptionRecord("s", "t", "S", "Enabled"), 0.0)
        assert _scopes_seen(first) == ("Succeeded", [LOCK_KEY], True)
        with second.transaction() as tx:
            tx.put_resource(_scoped(GROUP_KEY, GROUPS, state="Deleting"))
        assert _scopes_seen(first) == ("Deleting", [LOCK_KEY], True)
        with second.transaction() as tx:
            tx.delete_tree(GROUP_KEY, now=0.0, cancel_error={})
        assert _scopes_seen(first) == (None, [], True)
    finally:
        first.close()
        second.close()


def test_the_scope_cache_answers_from_memory_until_the_counter_moves(database_url: str) -> None:
    store = _scope_store(database_url)
    thing = f"{GROUP_KEY}/providers/ns/things/a"
    try:
        with store.transaction() as tx:
            tx.put_resource(_scoped(GROUP_KEY, GROUPS))
            tx.put_resource(_scoped(thing, "ns/things"))
            tx.add_subscription(SubscriptionRecord("s", "t", "S", "Enabled"), 0.0)
        assert _scopes_seen(store) == ("Succeeded", [], True)
        # Rows changed behind the store's back (no counter moved, as no emulator ever writes):
        # the kept answers stand, a resource of another type (a parent) is read each time.
        engine = sqlalchemy.create_engine(database_url)
        try:
            with engine.begin() as connection:
                connection.execute(sqlalchemy.text("DELETE FROM resources"))
                connection.execute(sqlalchemy.text("DELETE FROM subscriptions"))
        finally:
            engine.dispose()
        assert _scopes_seen(store) == ("Succeeded", [], True)
        with store.transaction() as tx:
            assert tx.resource_state(thing) is None
            tx.set_timing(None)  # any change that moves the counter
        assert _scopes_seen(store) == (None, [], False)
    finally:
        store.close()


def test_a_rolled_back_change_leaves_nothing_of_it_in_the_scope_cache(database_url: str) -> None:
    store = _scope_store(database_url)
    try:
        assert _scopes_seen(store) == (None, [], False)
        with pytest.raises(RuntimeError), store.transaction() as tx:
            tx.put_resource(_scoped(GROUP_KEY, GROUPS))
            assert tx.resource_state(GROUP_KEY) == "Succeeded"  # its own write, not kept
            raise RuntimeError("the write fails after its group was made")
        assert _scopes_seen(store) == (None, [], False)
    finally:
        store.close()
