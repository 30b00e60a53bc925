"""Writes of two event-loop turns share one commit (`SqlStore.batched_write`): each keeps its own
all-or-nothing, none is visible (or answered) before the commit, and any other transaction commits
the batch first. On a real database (a SQLite file; PostgreSQL under `make test-postgres`)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from databases import fresh_database_url, make_commits_refusable, sqlite_statements

from arm_emulator.store.repository import JournalRecord, ResourceRecord, SqlStore


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return fresh_database_url(tmp_path)


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    store = SqlStore(database_url)
    store.open()
    yield store
    store.close()


def _resource(name: str) -> ResourceRecord:
    key = f"/subscriptions/s/resourcegroups/rg/providers/ns/things/{name}"
    return ResourceRecord(
        key=key,
        id=key,
        subscription_key="s",
        resource_group_key="/subscriptions/s/resourcegroups/rg",
        parent_key=None,
        type_key="ns/things",
        body={"name": name},
        etag='"e"',
        provisioning_state="Succeeded",
    )


def _stored(store: SqlStore) -> list[str]:
    """What another connection sees: only what has been committed."""
    with store.snapshot() as snapshot:
        return sorted(r.body["name"] for r in snapshot.iter_resources())


def _commits(store: SqlStore) -> list[None]:
    seen: list[None] = []
    assert store._engine is not None
    sqlalchemy.event.listen(store._engine, "commit", lambda _connection: seen.append(None))
    return seen


def _entry(name: str) -> JournalRecord:
    return JournalRecord(0.0, "PUT", f"https://e/{name}", f"/{name}", 201, 1.0, name, None, None)


def _journaled(store: SqlStore) -> list[str]:
    """The journal's request ids, oldest first, as another connection sees it."""
    with store.snapshot() as snapshot:
        return [e.request_id for e in snapshot.query_journal(capacity=1000)]


async def _write(store: SqlStore, *names: str, fail: bool = False) -> None:
    """One request's write: its resources and its journal entry, then (if `fail`) an error after
    them; then the answer waits for the commit."""
    with store.batched_write() as committed:
        with store.transaction() as tx:  # as a handler's blocks join the request's transaction
            for name in names:
                tx.put_resource(_resource(name))
        store.journal_with_write([_entry("+".join(names))])
        if fail:
            raise LookupError(names)
    await committed


def test_the_writes_of_two_turns_commit_once_and_only_then_are_seen(store: SqlStore) -> None:
    commits = _commits(store)

    async def main() -> list[list[str]]:
        first = [asyncio.ensure_future(_write(store, f"w{i}", f"x{i}")) for i in range(3)]
        await asyncio.sleep(0)  # a turn: these have run up to their wait for the commit
        seen = [_stored(store)]
        second = [asyncio.ensure_future(_write(store, f"w{i}")) for i in range(3, 5)]  # the next turn's
        await asyncio.sleep(0)
        seen.append(_stored(store))
        await asyncio.gather(*first, *second)
        assert len(commits) == 1
        await _write(store, "later")  # a batch of its own
        return seen

    assert asyncio.run(main()) == [[], []]
    assert len(commits) == 2
    # Their journal entries came with them, in the order of the writes.
    assert _journaled(store) == ["w0+x0", "w1+x1", "w2+x2", "w3", "w4", "later"]
    assert _stored(store) == sorted([f"w{i}" for i in range(5)] + [f"x{i}" for i in range(3)] + ["later"])


def test_a_failed_write_in_a_batch_undoes_its_own_writes_and_nothing_else(store: SqlStore) -> None:
    async def main() -> list[BaseException | None]:
        return await asyncio.gather(
            _write(store, "first"),
            _write(store, "failed-a", "failed-b", fail=True),
            _write(store, "last"),
            return_exceptions=True,
        )

    outcomes = asyncio.run(main())
    assert outcomes[0] is None and isinstance(outcomes[1], LookupError) and outcomes[2] is None
    assert _stored(store) == ["first", "last"]
    assert _journaled(store) == ["first", "last"]  # the failed one's entry went with it


def test_the_first_write_of_a_batch_failing_leaves_the_batch_to_the_others(store: SqlStore) -> None:
    async def main() -> list[BaseException | None]:
        return await asyncio.gather(_write(store, "failed", fail=True), _write(store, "second"), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert isinstance(outcomes[0], LookupError) and outcomes[1] is None
    assert _stored(store) == ["second"]


def test_another_transaction_commits_the_open_batch_first(store: SqlStore) -> None:
    commits = _commits(store)

    async def main() -> None:
        with store.batched_write() as committed, store.transaction() as tx:
            tx.put_resource(_resource("batched"))
        assert not committed.done()
        with store.transaction() as tx:  # a read (a GET) on the same connection: the batch commits first
            assert tx.get_resource(_resource("batched").key) is not None
            assert committed.done() and len(commits) == 1
        await committed
        after_the_read = len(commits)
        with store.batched_write() as committed, store.transaction() as tx:
            tx.put_resource(_resource("then"))
        store.control_version()  # outside a transaction, as every request's first read: it commits too
        assert committed.done() and len(commits) == after_the_read + 1

    asyncio.run(main())
    assert _stored(store) == ["batched", "then"]


def test_a_batched_write_cannot_begin_inside_another_transaction(store: SqlStore) -> None:
    async def main() -> None:
        with store.transaction(), pytest.raises(RuntimeError, match="inside another"), store.batched_write():
            pass

    asyncio.run(main())


@pytest.mark.sqlite_only
def test_a_batch_that_fails_to_commit_tells_every_writer_and_keeps_nothing(store: SqlStore, tmp_path: Path) -> None:
    refused_at_commit = make_commits_refusable(store, tmp_path / "store.db")

    async def refused() -> None:
        with store.batched_write() as committed, store.transaction() as tx:
            tx.put_resource(_resource("refused"))
            tx._c.exec_driver_sql(refused_at_commit)
        await committed

    async def main() -> list[BaseException | None]:
        return await asyncio.gather(_write(store, "before"), refused(), _write(store, "after"), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert all(isinstance(outcome, sqlalchemy.exc.IntegrityError) for outcome in outcomes), outcomes
    assert _stored(store) == []
    asyncio.run(_write(store, "next"))  # nothing of it stays pending
    assert _stored(store) == ["next"]


def test_a_journal_entry_without_a_write_open_is_written_at_once_and_trimmed_as_asked(store: SqlStore) -> None:
    for name in ("one", "two", "three"):
        store.journal_with_write([_entry(name)])
    assert _journaled(store) == ["one", "two", "three"]

    async def main() -> None:
        with store.batched_write() as committed:
            store.journal_with_write([_entry("four")], trim_to=2)
            assert _journaled(store) == ["one", "two", "three"]  # with the commit, not before
        await committed

    asyncio.run(main())
    assert _journaled(store) == ["three", "four"]


@pytest.mark.sqlite_only
def test_a_block_that_succeeds_lets_its_savepoint_go(store: SqlStore) -> None:
    """An open savepoint keeps a copy of every page changed after it until the commit (SQLite's
    sub-journal, in memory): a large import of many joined blocks would hold the database's size."""
    with store.transaction() as tx:
        tx.put_resource(_resource("first"))
        with store.transaction() as inner:  # joins after a write: a savepoint of its own
            inner.put_resource(_resource("second"))
        with pytest.raises(sqlite3.OperationalError, match="no such savepoint"):
            tx._dbapi.execute(f"ROLLBACK TO SAVEPOINT arm_block_{tx._savepoints}")
    assert _stored(store) == ["first", "second"]


def test_the_controls_counter_is_read_once_a_turn_and_again_after_a_change_here(
    store: SqlStore, database_url: str
) -> None:
    """Requests of one turn arrived before its read; a change made through this store is seen at once."""
    other = SqlStore(database_url)  # another replica
    other.open()

    async def main() -> None:
        first = store.control_version()
        with other.transaction() as tx:
            tx.move_clock(1.0)
        assert store.control_version() == first  # the same turn
        await asyncio.sleep(0)
        moved = store.control_version()
        assert moved > first  # the next turn reads it again
        with store.transaction() as tx:
            tx.move_clock(1.0)
        assert store.control_version() > moved

    try:
        asyncio.run(main())
    finally:
        other.close()


@pytest.mark.sqlite_only
def test_under_sqlites_write_lock_a_batch_takes_one_savepoint_not_one_a_write(store: SqlStore) -> None:
    """A savepoint copies every page its block changes into SQLite's sub-journal; the writes of a
    batch change the same pages, so each write's own savepoint would copy them again."""

    async def main() -> list[BaseException | None]:
        return await asyncio.gather(
            *(_write(store, f"w{i}", fail=i == 3) for i in range(6)),
            return_exceptions=True,
        )

    with sqlite_statements(store) as statements:
        outcomes = asyncio.run(main())
    assert [isinstance(outcome, LookupError) for outcome in outcomes] == [False, False, False, True, False, False]
    savepoints = [s for s in statements if s.startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints
    assert _stored(store) == ["w0", "w1", "w2", "w4", "w5"]
    assert _journaled(store) == ["w0", "w1", "w2", "w4", "w5"]


def test_a_failed_write_leaves_the_batch_as_if_it_had_never_run(store: SqlStore) -> None:
    """Undone, the failed write leaves the others' rows as they would be without it: the same row ids
    (list order), the journal's sequence numbers one after another, nothing of its own."""

    async def batch(*names: str) -> None:
        await asyncio.gather(
            *(_write(store, name, fail=name.startswith("failed")) for name in names), return_exceptions=True
        )

    asyncio.run(batch("a", "failed-1", "b", "failed-2", "c"))
    asyncio.run(batch("d"))
    with store.snapshot() as snapshot:
        order = [r.body["name"] for r in snapshot.iter_resources()]
        sequences = [e.sequence for e in snapshot.query_journal(capacity=1000)]
    assert order == ["a", "b", "c", "d"]
    assert sequences == list(range(sequences[0], sequences[0] + 4))


def test_a_failed_block_inside_a_write_undoes_only_that_block(store: SqlStore) -> None:
    """A handler that catches a failure of one of its blocks goes on: what it wrote before and after
    that block is kept, and so are the batch's other writes."""

    async def handler() -> None:
        with store.batched_write() as committed:
            with store.transaction() as tx:
                tx.put_resource(_resource("before"))
            with contextlib.suppress(LookupError), store.transaction() as tx:
                tx.put_resource(_resource("undone"))
                raise LookupError("inner")
            with store.transaction() as tx:
                tx.put_resource(_resource("after"))
        await committed

    async def main() -> None:
        await asyncio.gather(_write(store, "other"), handler(), _write(store, "last"))

    asyncio.run(main())
    assert _stored(store) == ["after", "before", "last", "other"]


@pytest.mark.sqlite_only
def test_a_batch_whose_undo_cannot_run_its_writes_again_keeps_nothing(store: SqlStore) -> None:
    """Running the earlier writes again gives what they gave, unless the database answers otherwise
    the second time (here a SQL function that does; a full disk would be another). Then no writer of
    the batch is told it succeeded and nothing is kept."""
    calls: list[None] = []

    def once() -> int | None:  # 1 the first time, NULL after: the second INSERT breaks NOT NULL
        calls.append(None)
        return 1 if len(calls) == 1 else None

    with store.transaction() as tx:
        tx._dbapi.create_function("once", 0, once)

    async def unrepeatable() -> None:
        with store.batched_write() as committed, store.transaction() as tx:
            tx._c.execute(sqlalchemy.text("INSERT INTO fault_rules (spec, fired) VALUES ('{}', once())"))
        await committed

    async def main() -> list[BaseException | None]:
        return await asyncio.gather(
            _write(store, "first"),
            unrepeatable(),
            _write(store, "failed", fail=True),
            _write(store, "last"),
            return_exceptions=True,
        )

    outcomes = asyncio.run(main())
    assert isinstance(outcomes[2], LookupError)
    assert all(
        isinstance(outcome, sqlalchemy.exc.IntegrityError) for outcome in (outcomes[0], outcomes[1], outcomes[3])
    ), outcomes
    assert _stored(store) == []
    with store.snapshot() as snapshot:
        assert snapshot.list_fault_rules() == []
    asyncio.run(_write(store, "next"))  # the store goes on
    assert _stored(store) == ["next"]
