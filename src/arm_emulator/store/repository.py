"""The store: the only code that speaks SQL. It deals in domain records, never in HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, fields, replace
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    delete,
    event,
    exc,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from . import tables
from .scope_cache import ScopeCache
from .tables import (
    control_state,
    deployment_operations,
    deployment_runs,
    deployments,
    fault_rules,
    generic_types,
    journal,
    operations,
    provider_registrations,
    resources,
    subscription_tags,
    subscriptions,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubscriptionRecord:
    subscription_id: str
    tenant_id: str
    display_name: str
    state: str

    @property
    def key(self) -> str:
        return self.subscription_id.lower()


@dataclass(frozen=True)
class RegistrationRecord:
    """A provider namespace's registration state in one subscription: `state` until `settles_at`,
    `settled_state` from then on."""

    subscription_key: str
    namespace_key: str
    state: str
    settled_state: str
    settles_at: float

    def state_at(self, now: float) -> str:
        return self.settled_state if now >= self.settles_at else self.state


_Record = TypeVar("_Record")


def _evolved(record: _Record, changes: dict[str, Any]) -> _Record:
    """`dataclasses.replace` for records without `__post_init__`, at a fraction of its cost (a write
    evolves its records several times): the fields copied, not passed through `__init__` again."""
    unknown = changes.keys() - _FIELD_NAMES[type(record)]
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {', '.join(sorted(unknown))}")
    new = object.__new__(type(record))
    new.__dict__.update(record.__dict__)
    new.__dict__.update(changes)
    return new


# The records every request makes (resources, operations, journal entries, list rows) are not frozen:
# a frozen dataclass's __init__ sets each field through object.__setattr__ (4.5 µs for a ResourceRecord,
# 1 µs unfrozen; every read and write makes several). They are values all the same: nothing assigns
# to one, `evolve` makes a changed copy.
@dataclass
class ResourceRecord:
    key: str
    id: str
    subscription_key: str
    resource_group_key: str | None
    parent_key: str | None
    type_key: str
    body: dict[str, Any]
    etag: str
    provisioning_state: str | None
    operation_id: str | None = None
    due_at: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    seq: int | None = None
    # The JSON text of `body`, when known (read from the store, or about to be written): answers send
    # it as it is and the store writes it as it is. `evolve(body=...)` drops it; never mutate `body`
    # (but a write's own new record, once its answer is rendered: `operations.as_stored`).
    raw: str | None = None

    def evolve(self, **changes: Any) -> ResourceRecord:
        if "body" in changes:
            changes.setdefault("raw", None)  # the old text is not the new body's; a caller may pass the new one
        return _evolved(self, changes)


@dataclass  # a value, not frozen: see ResourceRecord
class OperationRecord:
    id: str
    namespace: str
    subscription_key: str
    resource_key: str
    resource_id: str
    location: str
    kind: str
    api_version: str
    initial_status_code: int
    steps: tuple[tuple[str, str], ...]
    step_index: int
    step_seconds: float
    status: str
    started_at: float
    due_at: float | None
    target_digest: str | None = None
    ended_at: float | None = None
    error: dict[str, Any] | None = None
    per_poll: bool = False
    outcome: dict[str, Any] | None = None
    previous_body: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        return self.due_at is None

    def evolve(self, **changes: Any) -> OperationRecord:
        return _evolved(self, changes)


_FIELD_NAMES: dict[type, frozenset[str]] = {
    record: frozenset(f.name for f in fields(record)) for record in (ResourceRecord, OperationRecord)
}


@dataclass(frozen=True)
class FaultRuleRecord:
    seq: int
    spec: dict[str, Any]
    fired: int


@dataclass(frozen=True)
class ControlsRecord:
    """The shared test controls as stored (arm.controls gives them meaning)."""

    version: int
    clock_offset: float
    timing: dict[str, Any] | None
    fault_rules: list[FaultRuleRecord]


@dataclass  # a value, not frozen: see ResourceRecord
class JournalRecord:
    """One request of the journal, as arm.journal records and reports it."""

    epoch_seconds: float
    method: str
    url: str
    path: str
    status: int
    duration_ms: float
    request_id: str
    correlation_id: str | None
    client_request_id: str | None
    azure_async_operation: str | None = None
    location: str | None = None
    retry_after: str | None = None
    sequence: int = 0


@dataclass(frozen=True)
class DeploymentRecord:
    """A template deployment: its DeploymentExtended `body`, the PUT's `request`, and its current
    create or delete operation (`job_id`, `job_kind`)."""

    key: str
    id: str
    subscription_key: str | None
    scope_key: str
    body: dict[str, Any]
    request: dict[str, Any]
    state: str
    job_id: str
    job_kind: str
    cancel_requested: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0
    seq: int | None = None

    def evolve(self, **changes: Any) -> DeploymentRecord:
        return replace(self, **changes)


@dataclass(frozen=True)
class DeploymentRun:
    """Who runs an active deployment and until when (see tables.deployment_runs)."""

    key: str
    owner: str
    lease_expires: float
    caller: dict[str, str] | None
    base: str
    correlation_id: str
    started: float
    # resource key -> {"method", "asyncOperation" | "location"}: the writes the run started
    writes: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass  # a value, not frozen: see ResourceRecord
class ListedResource:
    """A resource as a list page sends it: the stored JSON and its ETag (nothing is parsed)."""

    key: str
    etag: str
    raw: str
    seq: int


@dataclass  # a value, not frozen: see ResourceRecord
class ScannedResource:
    """A row of a resource list across types (ARM's Resources_List): what it filters and shows."""

    id: str
    type_key: str
    raw: str
    seq: int
    provisioning_state: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class Page:
    records: list[ListedResource]
    last_seq: int | None
    more: bool


_RESOURCE_COLUMNS = [c for c in resources.c if c.name != "seq"]
# The statements every request runs, built once and compiled once per database (see `_Prepared`).
_INSERT_RESOURCE = insert(resources).values({c.name: bindparam(c.name) for c in _RESOURCE_COLUMNS})
# A replace sets only what can change for one key: the columns derived from the key (all of them
# indexed) stay as they are, so the database rewrites the row and none of its indexes.
_KEY_DERIVED = {"key", "subscription_key", "resource_group_key", "parent_key", "type_key"}
_UPDATE_RESOURCE = (
    update(resources)
    .where(resources.c.key == bindparam("match_key"))
    .values({c.name: bindparam(c.name) for c in _RESOURCE_COLUMNS if c.name not in _KEY_DERIVED})
)
_INSERT_OPERATION = insert(operations).values({c.name: bindparam(c.name) for c in operations.c})
_SELECT_RESOURCE = select(resources).where(resources.c.key == bindparam("key"))
_SELECT_RESOURCE_STATE = select(resources.c.provisioning_state, resources.c.type_key).where(
    resources.c.key == bindparam("key")
)
_SELECT_OPERATION = select(operations).where(operations.c.id == bindparam("id"))
# A walker's claim on an operation: on PostgreSQL a row another replica holds is passed over (it is
# being advanced there); SQLite has no row locks (its writers take turns) and compiles this without.
_CLAIM_OPERATION = _SELECT_OPERATION.with_for_update(skip_locked=True)
_SELECT_CONTROL_VERSION = select(control_state.c.version).where(control_state.c.id == 1)
_CONTROL_ROW = 1
_INSERT_JOURNAL = insert(journal).values({c.name: bindparam(c.name) for c in journal.c if c.name != "sequence"})
_NEWEST_JOURNAL_ENTRY = select(func.max(journal.c.sequence))
_TRIM_JOURNAL = delete(journal).where(journal.c.sequence <= bindparam("oldest_dropped"))
_SPEND_FAULT_RULE = (
    update(fault_rules).where(fault_rules.c.seq == bindparam("seq")).values(fired=fault_rules.c.fired + 1)
)
_SPEND_FAULT_RULE_LIMITED = _SPEND_FAULT_RULE.where(fault_rules.c.fired < bindparam("times"))
_SELECT_SUBSCRIPTION = select(subscriptions).where(subscriptions.c.key == bindparam("key"))
_MOVE_OPERATION = (
    update(operations)
    .where(operations.c.id == bindparam("match_id"), operations.c.step_index == bindparam("expected_step_index"))
    .values({name: bindparam(name) for name in ("step_index", "status", "due_at", "ended_at", "error")})
)
_SELECT_DUE = (
    select(operations.c.id)
    .where(operations.c.due_at <= bindparam("now"))
    .order_by(operations.c.due_at)
    .limit(bindparam("limit", literal_execute=False))
)
_SELECT_DUE_UNDER = (
    select(operations.c.id)
    .where(
        operations.c.due_at <= bindparam("now"),
        operations.c.resource_key.startswith(bindparam("prefix"), escape="/"),
    )
    .order_by(operations.c.due_at)
    .limit(bindparam("limit", literal_execute=False))
)
_SELECT_OF_TYPE_IN_SUBSCRIPTION = (
    select(resources)
    .where(resources.c.subscription_key == bindparam("subscription_key"), resources.c.type_key == bindparam("type_key"))
    .order_by(resources.c.seq)
)
_HAS_CHILDREN = select(resources.c.seq).where(resources.c.parent_key == bindparam("key")).limit(1)
# A list page needs only what it sends: the stored JSON, the ETag, and the position for the next page.
_LIST_FILTERS = ("subscription_key", "resource_group_key", "parent_key")


def _list_statement(filters: frozenset[str], after: bool) -> Any:
    query = select(resources.c.key, resources.c.etag, resources.c.body, resources.c.seq).where(
        resources.c.type_key == bindparam("type_key")
    )
    for name in _LIST_FILTERS:
        if name in filters:
            query = query.where(resources.c[name] == bindparam(name))
    if after:
        query = query.where(resources.c.seq > bindparam("after_seq"))
    return query.order_by(resources.c.seq).limit(bindparam("limit", literal_execute=False))


def _scan_statement(filters: frozenset[str], after: bool) -> Any:
    """Resources in groups (the groups themselves left out by type), of any type or of one, in
    insertion order from a position: the candidates of Resources_List and _ListByResourceGroup."""
    c = resources.c
    query = select(c.id, c.type_key, c.body, c.seq, c.provisioning_state, c.created_at, c.updated_at).where(
        c.resource_group_key.is_not(None),
        c.type_key != bindparam("excluded_type_key"),
    )
    # One scope condition, so that planners walk that scope's index in `seq` order (a group's key
    # holds its subscription's): a page then reads about a page of rows.
    if "resource_group_key" in filters:
        query = query.where(c.resource_group_key == bindparam("resource_group_key"))
    else:
        query = query.where(c.subscription_key == bindparam("subscription_key"))
    if "type_key" in filters:
        query = query.where(c.type_key == bindparam("type_key"))
    if "name_suffix" in filters:
        query = query.where(c.key.like(bindparam("name_suffix"), escape="/"))
    if after:
        query = query.where(c.seq > bindparam("after_seq"))
    return query.order_by(c.seq).limit(bindparam("limit", literal_execute=False))


def _like_escaped(prefix: str) -> str:
    """A LIKE prefix with `/` as the escape character (resource keys are full of `_`, `%` is legal)."""
    return prefix.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _in_order(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function giving the values of `names` as a tuple, in one C call where it can."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        name = names[0]
        return lambda values: (values[name],)
    return lambda values: ()


class _Prepared:
    """A statement compiled once for the database's dialect and run on the DBAPI cursor itself.

    The hot paths (every GET and PUT) then skip SQLAlchemy's per-call work (statement coercion,
    cache keys, result objects), which cost several times SQLite's own time (benchmarks/analysis.md).
    """

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        # Values the dialect added itself (sqlite's `OFFSET ?` after a LIMIT), by their name in the SQL.
        self._defaults = {
            compiled.bind_names[bind]: bind.value for bind in compiled.binds.values() if bind.value is not None
        }
        # Positional DBAPIs (sqlite's `?`) take a tuple in this order; named ones take a dict.
        self._positional = compiled.positiontup is not None
        self._in_order = _in_order(compiled.positiontup or ())

    def parameters(self, values: dict[str, Any]) -> Any:
        if self._defaults:
            values = {**self._defaults, **values}
        return self._in_order(values) if self._positional else values


class _Statements:
    """Every prepared statement of one database, compiled on first use."""

    def __init__(self, dialect: Any) -> None:
        self._dialect = dialect
        self._cache: dict[Any, _Prepared] = {}

    def get(self, key: Any, build: Any) -> _Prepared:
        prepared = self._cache.get(key)
        if prepared is None:
            prepared = self._cache[key] = _Prepared(build() if callable(build) else build, self._dialect)
        return prepared


@functools.lru_cache(maxsize=256)
def _steps_text(steps: tuple[tuple[str, str], ...]) -> str:
    """An operation's steps as stored: a few profiles' worth, each written with every operation."""
    return json.dumps(steps)


def _resource_from_row(row: Mapping[str, Any], *, parse_body: bool = True) -> ResourceRecord:
    """`parse_body=False` leaves `body` empty and only `raw` set: list pages send the stored text."""
    return ResourceRecord(
        key=row["key"],
        id=row["id"],
        subscription_key=row["subscription_key"],
        resource_group_key=row["resource_group_key"],
        parent_key=row["parent_key"],
        type_key=row["type_key"],
        body=json.loads(row["body"]) if parse_body else {},
        etag=row["etag"],
        provisioning_state=row["provisioning_state"],
        operation_id=row["operation_id"],
        due_at=row["due_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        seq=row["seq"],
        raw=row["body"],
    )


def _resource_values(record: ResourceRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "id": record.id,
        "subscription_key": record.subscription_key,
        "resource_group_key": record.resource_group_key,
        "parent_key": record.parent_key,
        "type_key": record.type_key,
        "body": record.raw if record.raw is not None else json.dumps(record.body, separators=(",", ":")),
        "etag": record.etag,
        "provisioning_state": record.provisioning_state,
        "operation_id": record.operation_id,
        "due_at": record.due_at,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


def _operation_from_row(row: Mapping[str, Any]) -> OperationRecord:
    return OperationRecord(
        id=row["id"],
        namespace=row["namespace"],
        subscription_key=row["subscription_key"],
        resource_key=row["resource_key"],
        resource_id=row["resource_id"],
        location=row["location"],
        kind=row["kind"],
        api_version=row["api_version"],
        initial_status_code=row["initial_status_code"],
        steps=tuple(tuple(step) for step in json.loads(row["steps"])),  # type: ignore[misc]
        step_index=row["step_index"],
        step_seconds=row["step_seconds"],
        status=row["status"],
        started_at=row["started_at"],
        due_at=row["due_at"],
        target_digest=row["target_digest"],
        ended_at=row["ended_at"],
        error=json.loads(row["error"]) if row["error"] else None,
        per_poll=bool(row["per_poll"]),
        outcome=json.loads(row["outcome"]) if row["outcome"] else None,
        previous_body=json.loads(row["previous_body"]) if row["previous_body"] else None,
    )


def _run_from_row(row: Mapping[str, Any]) -> DeploymentRun:
    return DeploymentRun(
        key=row["key"],
        owner=row["owner"],
        lease_expires=row["lease_expires"],
        caller=json.loads(row["caller"]) if row["caller"] else None,
        base=row["base"],
        correlation_id=row["correlation_id"],
        started=row["started"],
        writes=json.loads(row["writes"]) if row["writes"] else {},
    )


def _deployment_from_row(row: Mapping[str, Any]) -> DeploymentRecord:
    return DeploymentRecord(
        key=row["key"],
        id=row["id"],
        subscription_key=row["subscription_key"],
        scope_key=row["scope_key"],
        body=json.loads(row["body"]),
        request=json.loads(row["request"]),
        state=row["state"],
        job_id=row["job_id"],
        job_kind=row["job_kind"],
        cancel_requested=bool(row["cancel_requested"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        seq=row["seq"],
    )


# Where a failed block goes back to: a savepoint's name, or a number of writes to run again (a batch's
# `StoreTransaction.undo_by_replay`).
Savepoint = str | int
# The savepoint a batch that undoes by replaying goes back to (its start).
_REPLAY_BASE = "arm_batch"


class _CountingConnection:
    """The transaction's SQLAlchemy connection, counting the statements that may write (see
    `StoreTransaction.writes`), recording them for an undo by replay (`_replay`) and forgetting the
    resource states read before them (`_states`); reads pass straight through."""

    def __init__(self, connection: Connection, tx: StoreTransaction) -> None:
        self.connection = connection
        self._tx = tx

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(statement, "is_select", False):
            return self.connection.execute(statement, *args, **kwargs)
        # Anything else may write: an INSERT, UPDATE or DELETE, or SQL text.
        tx = self._tx
        tx.writes += 1
        tx._states.clear()  # it may have changed any resource (these are the rarer writes)
        result = self.connection.execute(statement, *args, **kwargs)
        tx._remember(self.connection.execute, statement, *args, **kwargs)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


class StoreTransaction:
    """Domain operations inside one database transaction."""

    def __init__(self, connection: Connection, statements: _Statements, cache: ScopeCache | None = None) -> None:
        self._c = _CountingConnection(connection, self)
        self._statements = statements
        self._dbapi = connection.connection.driver_connection
        # Statements run that may have changed something: a joined block's failure undoes only its own.
        self.writes = 0
        self._savepoints = 0
        # Where "undo all of it" goes back to: the start of the current write of a batch (a savepoint;
        # `writes` counts from there), or None: the transaction's start.
        self._floor: Savepoint | None = None
        # In a batch under SQLite's write lock (`undo_by_replay`): every write run since the batch began,
        # as (function, arguments, keyword arguments), in order. None: blocks take real savepoints.
        self._replay: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] | None = None
        # Why the transaction can no longer commit: an undo that could not run the earlier writes again.
        self.broken: BaseException | None = None
        # The process's scope cache (none for a snapshot: another thread, another point in time).
        self._cache = cache
        # Whether this transaction changed what the cache keeps: the counter moves when it commits.
        self.scopes_changed = False
        # The statement that began it, when the driver's own implicit BEGIN would not do (SqlStore).
        self.begin: str | None = None
        # Journal entries written when it commits (`SqlStore.journal_with_write`), and the capacity to
        # trim the journal to then, if asked.
        self._journal_queue: list[JournalRecord] = []
        self._journal_trim: int | None = None
        # The controls' counter, once read under SQLite's write lock (`control_version`).
        self._locked_version: int | None = None
        # Whether it moved the counter (SqlStore then forgets the value it read this turn).
        self.controls_moved = False
        # Resource states read here (`resource_state`), kept while it holds SQLite's write lock: no
        # other writer can change a row before it ends, and its own writes drop what they change. A
        # batch of creates under one parent then reads the parent's state once, not once a create.
        self._states: dict[str, str | None] = {}

    def _cached(self) -> ScopeCache | None:
        """The scope cache, if it may answer now (a counter read, and nothing of it changed here)."""
        cache = self._cache
        return cache if cache is not None and cache.version is not None and not self.scopes_changed else None

    def _scopes_change(self) -> None:
        """This transaction changes a subscription or a resource of a cached type."""
        self.scopes_changed = True
        if self._cache is not None:
            self._cache.clear()

    def undo_by_replay(self) -> None:
        """Undo failed blocks by going back to the transaction's start and running the writes before
        them again, instead of a savepoint per block; only while SQLite's write lock is held (no other
        writer can change what they run on). A savepoint copies every page its block changes into
        SQLite's sub-journal, though the batch's earlier writes changed most of them already (the
        same table and index leaves): in SQLite alone, batches of 16 creates took 35.7 µs a create
        with a savepoint each and 28.1 with this one at the batch's start, which copies each page
        once a batch. What is recorded is references to what the statements were given, for the
        batch's few writes (benchmarks/analysis.md)."""
        self._dbapi.execute(f"SAVEPOINT {_REPLAY_BASE}")  # type: ignore[union-attr]
        self._replay = []

    def _savepoint(self) -> Savepoint:
        """Mark the present state, to go back to if the block that starts here fails: a savepoint's
        name, or (`undo_by_replay`) the number of writes run before it."""
        if self._replay is not None:
            return len(self._replay)
        self._savepoints += 1
        name = f"arm_block_{self._savepoints}"
        self._dbapi.execute(f"SAVEPOINT {name}")  # type: ignore[union-attr]  # the driver's own: cheaper
        return name

    def _release(self, savepoint: Savepoint) -> None:
        """Forget a savepoint: its block succeeded (what it wrote is kept either way)."""
        if isinstance(savepoint, str):
            self._dbapi.execute(f"RELEASE SAVEPOINT {savepoint}")  # type: ignore[union-attr]

    def _back_to(self, savepoint: Savepoint | None) -> None:
        """Undo what a failed block did: to its savepoint, or (nothing was written before it) all of it.
        Either also clears PostgreSQL's "transaction aborted" state after a failed statement."""
        self._locked_version = None  # it may have moved in what is undone
        self._states.clear()  # so may any resource's state
        if savepoint is None and self._floor is not None:
            savepoint = self._floor
            self.writes = 0
        if self._replay is not None:
            assert not isinstance(savepoint, str)  # every block of the transaction took a number
            self._replay_to(savepoint or 0)  # None: nothing was written before
            if savepoint is None:
                self.writes = 0
        elif savepoint is not None:
            self._dbapi.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")  # type: ignore[union-attr]
        else:
            self._dbapi.rollback()  # type: ignore[union-attr]
            self.writes = 0
            if self.begin is not None:
                self._dbapi.execute(self.begin)  # type: ignore[union-attr]  # the write lock again

    def _remember(self, run: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Record a write that succeeded, to run again if a later block fails (`undo_by_replay`)."""
        if self._replay is not None:
            self._replay.append((run, args, kwargs))

    def _run_sql(self, sql: str, parameters: Any, *, many: bool = False) -> None:
        """Run a recorded prepared statement again, on a cursor (every driver has `executemany` there)."""
        cursor = self._dbapi.cursor()  # type: ignore[union-attr]
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        cursor.close()

    def _replay_to(self, kept: int) -> None:
        """Back to the transaction's start, then the first `kept` writes again: the same statements on
        the same rows give the same result (row ids included). If one fails after all (the database
        itself failing), the transaction cannot commit: its writers are told when it would have, and
        nothing is kept; the failed block's own error stands."""
        assert self._replay is not None
        self._dbapi.execute(f"ROLLBACK TO SAVEPOINT {_REPLAY_BASE}")  # type: ignore[union-attr]
        del self._replay[kept:]
        try:
            for run, args, kwargs in self._replay:
                run(*args, **kwargs)
        except Exception as error:
            self.broken = error

    def _run(self, key: Any, build: Any, values: dict[str, Any]) -> Any:
        """Run a prepared statement on the DBAPI cursor; the cursor, for its rows or rowcount."""
        prepared = self._statements.get(key, build)
        cursor = self._dbapi.cursor()  # type: ignore[union-attr]
        cursor.execute(prepared.sql, prepared.parameters(values))
        return cursor

    def _fetch_one(self, key: str, statement: Any, values: dict[str, Any]) -> dict[str, Any] | None:
        cursor = self._run(key, statement, values)
        try:
            row = cursor.fetchone()
            return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row is not None else None
        finally:
            cursor.close()

    def _fetch_value(self, key: str, statement: Any, values: dict[str, Any]) -> Any:
        """The first column of the first row (None without one): no row mapping to build."""
        cursor = self._run(key, statement, values)
        try:
            row = cursor.fetchone()
            return row[0] if row is not None else None
        finally:
            cursor.close()

    def _write(self, key: str, statement: Any, values: dict[str, Any]) -> int:
        self.writes += 1
        prepared = self._statements.get(key, statement)
        parameters = prepared.parameters(values)
        cursor = self._dbapi.cursor()  # type: ignore[union-attr]
        cursor.execute(prepared.sql, parameters)
        count: int = cursor.rowcount
        cursor.close()
        self._remember(self._run_sql, prepared.sql, parameters)
        return count

    # -- subscriptions -----------------------------------------------------------------------------

    def get_subscription(self, key: str) -> SubscriptionRecord | None:
        cache = self._cached()
        if cache is not None and key in cache.subscriptions:
            return cache.subscriptions[key]  # type: ignore[no-any-return]
        row = self._fetch_one("subscription", _SELECT_SUBSCRIPTION, {"key": key})
        if row is None:
            return None
        record = SubscriptionRecord(row["subscription_id"], row["tenant_id"], row["display_name"], row["state"])
        if cache is not None:
            cache.subscriptions[key] = record
        return record

    def list_subscriptions(self) -> list[SubscriptionRecord]:
        rows = self._c.execute(select(subscriptions).order_by(subscriptions.c.created_at)).all()
        return [SubscriptionRecord(r.subscription_id, r.tenant_id, r.display_name, r.state) for r in rows]

    def rename_subscription(self, record: SubscriptionRecord) -> None:
        self._scopes_change()
        self._c.execute(
            update(subscriptions)
            .where(subscriptions.c.key == record.key)
            .values(display_name=record.display_name, tenant_id=record.tenant_id)
        )

    def add_subscription(self, record: SubscriptionRecord, now: float) -> None:
        self._scopes_change()
        self._c.execute(
            insert(subscriptions).values(
                key=record.key,
                subscription_id=record.subscription_id,
                tenant_id=record.tenant_id,
                display_name=record.display_name,
                state=record.state,
                created_at=now,
            )
        )

    # -- subscription tags -------------------------------------------------------------------------

    def get_subscription_tags(self, subscription_key: str) -> dict[str, Any]:
        """The subscription's tags document: {"tags": {...}, "predefined": {name: [values]}}."""
        row = self._c.execute(
            select(subscription_tags.c.body).where(subscription_tags.c.subscription_key == subscription_key)
        ).first()
        document: dict[str, Any] = json.loads(row.body) if row is not None else {}
        document.setdefault("tags", {})
        document.setdefault("predefined", {})
        return document

    def put_subscription_tags(self, subscription_key: str, document: dict[str, Any]) -> None:
        self._c.execute(delete(subscription_tags).where(subscription_tags.c.subscription_key == subscription_key))
        self._c.execute(
            insert(subscription_tags).values(
                subscription_key=subscription_key, body=json.dumps(document, separators=(",", ":"))
            )
        )

    def resource_bodies(self, subscription_key: str) -> Iterator[dict[str, Any]]:
        """Every stored body (resource groups and resources) of one subscription."""
        for row in self._c.execute(select(resources.c.body).where(resources.c.subscription_key == subscription_key)):
            yield json.loads(row.body)

    # -- provider registrations ----------------------------------------------------------------------

    def get_registration(self, subscription_key: str, namespace_key: str) -> RegistrationRecord | None:
        row = self._c.execute(
            select(provider_registrations).where(
                provider_registrations.c.subscription_key == subscription_key,
                provider_registrations.c.namespace_key == namespace_key,
            )
        ).first()
        return RegistrationRecord(**row._mapping) if row is not None else None

    def list_registrations(self, subscription_key: str) -> list[RegistrationRecord]:
        rows = self._c.execute(
            select(provider_registrations).where(provider_registrations.c.subscription_key == subscription_key)
        ).all()
        return [RegistrationRecord(**row._mapping) for row in rows]

    def put_registration(self, record: RegistrationRecord) -> None:
        table = provider_registrations
        self._c.execute(
            delete(table).where(
                table.c.subscription_key == record.subscription_key, table.c.namespace_key == record.namespace_key
            )
        )
        self._c.execute(
            insert(table).values(
                subscription_key=record.subscription_key,
                namespace_key=record.namespace_key,
                state=record.state,
                settled_state=record.settled_state,
                settles_at=record.settles_at,
            )
        )

    # -- generically stored types ------------------------------------------------------------------

    def note_generic_api_version(self, type_name: str, api_version: str) -> None:
        """Remember that a generic type was written with `api_version` (once per type and version)."""
        type_key = type_name.lower()
        row = self._c.execute(select(generic_types.c.api_versions).where(generic_types.c.type_key == type_key)).first()
        if row is None:
            self._c.execute(
                insert(generic_types).values(
                    type_key=type_key,
                    namespace_key=type_key.split("/", 1)[0],
                    type_name=type_name,
                    api_versions=json.dumps([api_version]),
                )
            )
            return
        versions = json.loads(row.api_versions)
        if api_version not in versions:
            self._c.execute(
                update(generic_types)
                .where(generic_types.c.type_key == type_key)
                .values(api_versions=json.dumps(sorted([*versions, api_version], reverse=True)))
            )

    def generic_types(self, namespace_key: str | None = None) -> dict[str, tuple[str, list[str]]]:
        """Type key -> (type name as first written, api-versions newest first), of one namespace or all."""
        query = select(generic_types)
        if namespace_key is not None:
            query = query.where(generic_types.c.namespace_key == namespace_key)
        return {row.type_key: (row.type_name, json.loads(row.api_versions)) for row in self._c.execute(query)}

    # -- resources ---------------------------------------------------------------------------------

    def get_resource(self, key: str, *, parse_body: bool = True) -> ResourceRecord | None:
        """`parse_body=False`: only its text (`raw`; `body` empty), for an answer that sends it as it is."""
        row = self._fetch_one("resource", _SELECT_RESOURCE, {"key": key})
        return _resource_from_row(row, parse_body=parse_body) if row is not None else None

    def resource_state(self, key: str) -> str | None:
        """Whether a resource is stored, without reading its body: its provisioning state ("" if it
        has none), or None. A resource group's (a cached type's) comes from the scope cache; under
        SQLite's write lock, one read before in this transaction answers again (`_states`)."""
        cache = self._cached()
        if cache is not None:
            state = cache.states.get(key)
            if state is not None:
                return state
        locked = self.begin is not None  # SQLite's write lock is held (see `_states`)
        if locked and key in self._states:
            return self._states[key]
        row = self._fetch_one("resource state", _SELECT_RESOURCE_STATE, {"key": key})
        state = None if row is None else row["provisioning_state"] or ""
        if row is not None and cache is not None and row["type_key"] in cache.cached_types:
            cache.states[key] = state
        if locked:
            self._states[key] = state
        return state

    def put_resource(self, record: ResourceRecord, *, new: bool | None = None) -> None:
        """Insert, or replace in place (keeping its list position). `new` saves a statement when the
        caller knows which it is."""
        if self._cache is not None and record.type_key in self._cache.cached_types:
            self._scopes_change()
        self._states.pop(record.key, None)
        values = _resource_values(record)
        if new is not True:
            changing = {name: value for name, value in values.items() if name not in _KEY_DERIVED}
            updated = self._write("update resource", _UPDATE_RESOURCE, {**changing, "match_key": record.key})
            if updated or new is False:
                return
        self._write("insert resource", _INSERT_RESOURCE, values)

    def delete_tree(self, key: str, *, now: float, cancel_error: dict[str, Any]) -> int:
        """Delete a resource and everything nested below it (children, or a group's resources);
        operations still running on what was below end `Canceled` with `cancel_error`."""
        self._scopes_change()  # a group, or a resource with locks on it, may be among them
        result = self._c.execute(
            delete(resources).where((resources.c.key == key) | resources.c.key.startswith(key + "/", autoescape=True))
        )
        self._c.execute(
            update(operations)
            .where(
                operations.c.resource_key.startswith(key + "/", autoescape=True),
                operations.c.due_at.is_not(None),
            )
            .values(due_at=None, status="Canceled", ended_at=now, error=json.dumps(cancel_error))
        )
        self.delete_deployments_under(key)  # a group's deployment history goes with it, as in ARM
        return result.rowcount

    def has_children(self, key: str) -> bool:
        return self._fetch_one("has children", _HAS_CHILDREN, {"key": key}) is not None

    def child_type_keys(self, key: str) -> set[str]:
        """The type keys of the resources directly below `key`."""
        rows = self._c.execute(select(resources.c.type_key).where(resources.c.parent_key == key).distinct()).all()
        return {row[0] for row in rows}

    def resources_of_type(self, subscription_key: str, type_key: str) -> list[ResourceRecord]:
        """Every resource of one type in a subscription (one indexed query: ix_resources_subscription);
        a cached type's from the scope cache."""
        cache = self._cached()
        if cache is not None and type_key not in cache.cached_types:
            cache = None
        if cache is not None and (subscription_key, type_key) in cache.of_type:
            return list(cache.of_type[subscription_key, type_key])
        cursor = self._run(
            "of type in subscription",
            _SELECT_OF_TYPE_IN_SUBSCRIPTION,
            {"subscription_key": subscription_key, "type_key": type_key},
        )
        try:
            names = [d[0] for d in cursor.description]
            found = [_resource_from_row(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
        finally:
            cursor.close()
        if cache is not None:
            cache.of_type[subscription_key, type_key] = tuple(found)
        return found

    def name_taken(self, type_key: str, name: str) -> bool:
        """Whether any subscription has a resource of `type_key` named `name` (case-insensitive)."""
        query = (
            select(resources.c.seq)
            .where(resources.c.type_key == type_key, resources.c.key.endswith("/" + name.lower(), autoescape=True))
            .limit(1)
        )
        return self._c.execute(query).first() is not None

    def list_resources(
        self,
        *,
        type_key: str,
        subscription_key: str | None = None,
        resource_group_key: str | None = None,
        parent_key: str | None = None,
        after_seq: int | None = None,
        limit: int,
    ) -> Page:
        """One keyset page, in insertion order."""
        values = {
            "type_key": type_key,
            "subscription_key": subscription_key,
            "resource_group_key": resource_group_key,
            "parent_key": parent_key,
            "after_seq": after_seq,
            "limit": limit + 1,
        }
        filters = frozenset(name for name in _LIST_FILTERS if values[name] is not None)
        after = after_seq is not None
        cursor = self._run(("list", filters, after), lambda: _list_statement(filters, after), values)
        rows = cursor.fetchall()
        cursor.close()
        records = [ListedResource(*row) for row in rows[:limit]]
        return Page(records, records[-1].seq if records else None, more=len(rows) > limit)

    # -- resource lists across types (Resources_List) ----------------------------------------------------

    def scan_resources(
        self,
        *,
        subscription_key: str,
        excluded_type_key: str,
        resource_group_key: str | None = None,
        type_key: str | None = None,
        last_name_segment: str | None = None,
        after_seq: int | None = None,
        limit: int,
    ) -> list[ScannedResource]:
        """Up to `limit` resources of a subscription (or one of its groups) after `after_seq`, in
        insertion order; `last_name_segment` keeps keys ending in `/{segment}` (case-insensitive)."""
        values: dict[str, Any] = {
            "subscription_key": subscription_key,
            "excluded_type_key": excluded_type_key,
            "resource_group_key": resource_group_key,
            "type_key": type_key,
            "name_suffix": "%/" + _like_escaped(last_name_segment.lower()) if last_name_segment else None,
            "after_seq": after_seq,
            "limit": limit,
        }
        filters = frozenset(k for k in ("resource_group_key", "type_key", "name_suffix") if values[k] is not None)
        after = after_seq is not None
        cursor = self._run(("scan", filters, after), lambda: _scan_statement(filters, after), values)
        rows = cursor.fetchall()
        cursor.close()
        return [ScannedResource(*row) for row in rows]

    # -- operations --------------------------------------------------------------------------------

    def add_operation(self, record: OperationRecord) -> None:
        self._write(
            "insert operation",
            _INSERT_OPERATION,
            dict(
                id=record.id,
                namespace=record.namespace,
                subscription_key=record.subscription_key,
                resource_key=record.resource_key,
                resource_id=record.resource_id,
                location=record.location,
                kind=record.kind,
                api_version=record.api_version,
                initial_status_code=record.initial_status_code,
                steps=_steps_text(record.steps),
                step_index=record.step_index,
                step_seconds=record.step_seconds,
                status=record.status,
                target_digest=record.target_digest,
                started_at=record.started_at,
                due_at=record.due_at,
                ended_at=record.ended_at,
                error=json.dumps(record.error) if record.error else None,
                per_poll=record.per_poll,
                outcome=json.dumps(record.outcome) if record.outcome else None,
                previous_body=json.dumps(record.previous_body) if record.previous_body else None,
            ),
        )

    def get_operation(self, operation_id: str) -> OperationRecord | None:
        row = self._fetch_one("operation", _SELECT_OPERATION, {"id": operation_id})
        return _operation_from_row(row) if row is not None else None

    def move_operation(self, record: OperationRecord, expected_step_index: int) -> bool:
        """Advance an operation only if nobody else has (a conditional UPDATE): True if it was ours."""
        values = {
            "match_id": record.id,
            "expected_step_index": expected_step_index,
            "step_index": record.step_index,
            "status": record.status,
            "due_at": record.due_at,
            "ended_at": record.ended_at,
            "error": json.dumps(record.error) if record.error else None,
        }
        return self._write("move operation", _MOVE_OPERATION, values) == 1

    def due_operation_ids(self, now: float, key_prefix: str = "", limit: int = 100) -> list[str]:
        values = {"now": now, "prefix": _like_escaped(key_prefix), "limit": limit}
        if key_prefix:
            cursor = self._run("due under", _SELECT_DUE_UNDER, values)
        else:
            cursor = self._run("due", _SELECT_DUE, values)
        ids = [row[0] for row in cursor.fetchall()]
        cursor.close()
        return ids

    def next_due_at(self) -> float | None:
        return self._c.execute(select(func.min(operations.c.due_at)).where(operations.c.due_at.is_not(None))).scalar()

    def list_operations(self, *, active_only: bool, limit: int = 1000) -> list[OperationRecord]:
        query = select(operations)
        if active_only:
            query = query.where(operations.c.due_at.is_not(None))
        rows = self._c.execute(query.order_by(operations.c.started_at.desc()).limit(limit)).all()
        return [_operation_from_row(row._mapping) for row in rows]

    def iter_resources(self) -> Iterator[ResourceRecord]:
        """Every resource in insertion order, read from the cursor as they are consumed."""
        for row in self._c.execute(select(resources).order_by(resources.c.seq)):
            yield _resource_from_row(row._mapping)

    def claim_operation(self, operation_id: str) -> OperationRecord | None:
        """Read an operation to advance it, holding it until this transaction ends; None if absent or
        (PostgreSQL) another replica holds it now."""
        row = self._fetch_one("claim operation", _CLAIM_OPERATION, {"id": operation_id})
        return _operation_from_row(row) if row is not None else None

    # -- shared test controls ------------------------------------------------------------------------

    def control_version(self) -> int:
        """The change counter of the shared controls: what every request checks (one indexed row).
        While the transaction holds SQLite's write lock nobody else can move it, so the writes of a
        batch read it once."""
        if self._locked_version is not None:
            return self._locked_version
        found = self._fetch_value("control version", _SELECT_CONTROL_VERSION, {})
        version = int(found) if found is not None else 0
        if self.begin is not None:
            self._locked_version = version
        return version

    def read_controls(self) -> ControlsRecord:
        row = self._c.execute(select(control_state).where(control_state.c.id == _CONTROL_ROW)).first()
        return ControlsRecord(
            version=row.version if row is not None else 0,
            clock_offset=row.clock_offset if row is not None else 0.0,
            timing=json.loads(row.timing) if row is not None and row.timing else None,
            fault_rules=self.list_fault_rules(),
        )

    def _controls_changed(self, **values: Any) -> None:
        """Move the change counter (with `values`): other replicas reload on their next request. Done
        first in a change, it also takes the row's lock, so concurrent changes queue up."""
        self._locked_version = None
        self.controls_moved = True
        self._c.execute(
            update(control_state)
            .where(control_state.c.id == _CONTROL_ROW)
            .values(version=control_state.c.version + 1, **values)
        )

    def set_timing(self, document: dict[str, Any] | None) -> None:
        self._controls_changed(timing=json.dumps(document) if document is not None else None)

    def move_clock(self, seconds: float) -> float:
        """Add `seconds` to the shared clock offset; the new offset."""
        self._controls_changed(clock_offset=control_state.c.clock_offset + seconds)
        return float(
            self._c.execute(select(control_state.c.clock_offset).where(control_state.c.id == _CONTROL_ROW)).scalar_one()
        )

    def list_fault_rules(self) -> list[FaultRuleRecord]:
        rows = self._c.execute(select(fault_rules).order_by(fault_rules.c.seq)).all()
        return [FaultRuleRecord(row.seq, json.loads(row.spec), row.fired) for row in rows]

    def add_fault_rule(self, spec: dict[str, Any], *, unless_present: bool = False) -> FaultRuleRecord:
        """A new rule; with `unless_present`, the rule already stored with this very spec if there is
        one (checked after the change counter's lock is taken, so replicas starting together add it once)."""
        self._controls_changed()
        if unless_present:
            for rule in self.list_fault_rules():
                if rule.spec == spec:
                    return rule
        result = self._c.execute(insert(fault_rules).values(spec=json.dumps(spec), fired=0))
        return FaultRuleRecord(int(result.inserted_primary_key[0]), spec, 0)

    def delete_fault_rule(self, seq: int) -> bool:
        self._controls_changed()
        return self._c.execute(delete(fault_rules).where(fault_rules.c.seq == seq)).rowcount == 1

    def clear_fault_rules(self) -> None:
        self._controls_changed()
        self._c.execute(delete(fault_rules))

    def spend_fault_rule(self, seq: int, times: int | None) -> bool:
        """Count one firing of a rule, unless it has fired `times` times (on any replica): True if it fires."""
        if times is None:
            return self._write("spend fault rule", _SPEND_FAULT_RULE, {"seq": seq}) == 1
        return self._write("spend limited fault rule", _SPEND_FAULT_RULE_LIMITED, {"seq": seq, "times": times}) == 1

    # -- the request journal -----------------------------------------------------------------------------

    def add_journal_entries(self, records: list[JournalRecord]) -> None:
        """Record requests, in order (one statement for them all)."""
        prepared = self._statements.get("insert journal", _INSERT_JOURNAL)
        rows = []
        for record in records:  # the record's own attribute dict, not one built field by field
            rows.append(prepared.parameters({**vars(record), "path_key": record.path.lower()}))
        self.writes += 1
        cursor = self._dbapi.cursor()  # type: ignore[union-attr]
        cursor.executemany(prepared.sql, rows)
        cursor.close()
        self._remember(self._run_sql, prepared.sql, rows, many=True)

    def _record_queued_journal(self) -> None:
        """Write the queued journal entries (one statement), just before the commit. Their failure
        is logged and undone alone: the writes they describe still commit."""
        queued, self._journal_queue = self._journal_queue, []
        trim, self._journal_trim = self._journal_trim, None
        if not queued and trim is None:
            return
        savepoint = self._savepoint()
        try:
            if queued:
                self.add_journal_entries(queued)
            if trim is not None:
                self.trim_journal(trim)
        except Exception:
            log.exception("the journal could not record %d requests", len(queued))
            self._back_to(savepoint)

    def trim_journal(self, capacity: int) -> None:
        """Keep the newest `capacity` entries. Prepared statements (`_run`): through SQLAlchemy's own
        execute the two took 0.9 ms here, three times the prepared ones' (benchmarks/analysis.md)."""
        newest = self._fetch_value("newest journal entry", _NEWEST_JOURNAL_ENTRY, {})
        if newest is not None:
            self._write("trim journal", _TRIM_JOURNAL, {"oldest_dropped": newest - capacity})

    def query_journal(
        self,
        *,
        capacity: int,
        method: str | None = None,
        path_prefix: str | None = None,
        status: int | None = None,
        client_request_id: str | None = None,
        since: int | None = None,
    ) -> list[JournalRecord]:
        """The newest `capacity` entries that match, oldest first; `path_prefix` is case-insensitive."""
        c = journal.c
        newest = select(func.max(c.sequence)).scalar_subquery()
        query = select(journal).where(c.sequence > newest - capacity)
        if method is not None:
            query = query.where(c.method == method.upper())
        if path_prefix:
            query = query.where(c.path_key.startswith(path_prefix.lower(), autoescape=True))
        if status is not None:
            query = query.where(c.status == status)
        if client_request_id is not None:
            query = query.where(c.client_request_id == client_request_id)
        if since is not None:
            query = query.where(c.sequence > since)
        rows = self._c.execute(query.order_by(c.sequence)).all()
        return [JournalRecord(**{name: row._mapping[name] for name in (*_JOURNAL_FIELDS, "sequence")}) for row in rows]

    def clear_journal(self) -> None:
        self._c.execute(delete(journal))

    # -- template deployments ----------------------------------------------------------------------

    def get_deployment(self, key: str) -> DeploymentRecord | None:
        row = self._c.execute(select(deployments).where(deployments.c.key == key)).first()
        return _deployment_from_row(row._mapping) if row is not None else None

    def put_deployment(self, record: DeploymentRecord) -> DeploymentRecord:
        """Insert or replace (keeping its place in lists); the stored record, with its `seq`."""
        values = {
            "key": record.key,
            "id": record.id,
            "subscription_key": record.subscription_key,
            "scope_key": record.scope_key,
            "body": json.dumps(record.body, separators=(",", ":")),
            "request": json.dumps(record.request, separators=(",", ":")),
            "state": record.state,
            "job_id": record.job_id,
            "job_kind": record.job_kind,
            "cancel_requested": record.cancel_requested,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
        }
        if self._c.execute(update(deployments).where(deployments.c.key == record.key).values(values)).rowcount == 0:
            self._c.execute(insert(deployments).values(values))
        stored = self.get_deployment(record.key)
        assert stored is not None
        return stored

    def update_deployment_body(self, key: str, body: dict[str, Any], state: str, now: float) -> None:
        """The runner's progress: a new body and state, leaving the request and job as they are."""
        self._c.execute(
            update(deployments)
            .where(deployments.c.key == key)
            .values(body=json.dumps(body, separators=(",", ":")), state=state, updated_at=now)
        )

    def request_deployment_cancel(self, key: str) -> None:
        self._c.execute(update(deployments).where(deployments.c.key == key).values(cancel_requested=True))

    def delete_deployment(self, key: str) -> None:
        self._c.execute(delete(deployment_operations).where(deployment_operations.c.deployment_key == key))
        self._c.execute(delete(deployment_runs).where(deployment_runs.c.key == key))
        self._c.execute(delete(deployments).where(deployments.c.key == key))

    def delete_deployments_under(self, scope_key: str) -> None:
        """The deployments of a scope (a deleted group's), with their operations."""
        keys = select(deployments.c.key).where(deployments.c.scope_key == scope_key)
        self._c.execute(delete(deployment_operations).where(deployment_operations.c.deployment_key.in_(keys)))
        self._c.execute(delete(deployment_runs).where(deployment_runs.c.key.in_(keys)))
        self._c.execute(delete(deployments).where(deployments.c.scope_key == scope_key))

    def list_deployments(self, scope_key: str, *, after_seq: int | None, limit: int) -> list[DeploymentRecord]:
        query = select(deployments).where(deployments.c.scope_key == scope_key)
        if after_seq is not None:
            query = query.where(deployments.c.seq > after_seq)
        rows = self._c.execute(query.order_by(deployments.c.seq).limit(limit)).all()
        return [_deployment_from_row(row._mapping) for row in rows]

    # -- who runs a deployment (leases) -----------------------------------------------------------

    def put_deployment_run(self, run: DeploymentRun) -> None:
        """Insert or replace: a new run of a deployment (a PUT), owned by the process that took it."""
        values = {
            "owner": run.owner,
            "lease_expires": run.lease_expires,
            "caller": json.dumps(run.caller) if run.caller is not None else None,
            "base": run.base,
            "correlation_id": run.correlation_id,
            "started": run.started,
            "writes": json.dumps(run.writes) if run.writes else None,
        }
        match = deployment_runs.c.key == run.key
        if self._c.execute(update(deployment_runs).where(match).values(values)).rowcount == 0:
            self._c.execute(insert(deployment_runs).values(key=run.key, **values))

    def get_deployment_run(self, key: str) -> DeploymentRun | None:
        row = self._c.execute(select(deployment_runs).where(deployment_runs.c.key == key)).first()
        return _run_from_row(row._mapping) if row is not None else None

    def note_deployment_write(self, key: str, owner: str, resource_key: str, polling: dict[str, str]) -> None:
        """A write the run started and how to poll it (kept while `owner` holds the run)."""
        match = (deployment_runs.c.key == key) & (deployment_runs.c.owner == owner)
        row = self._c.execute(select(deployment_runs.c.writes).where(match).with_for_update()).first()
        if row is None:
            return
        writes = json.loads(row[0]) if row[0] else {}
        writes[resource_key] = polling
        self._c.execute(update(deployment_runs).where(match).values(writes=json.dumps(writes)))

    def renew_deployment_runs(self, owner: str, keys: list[str], until: float) -> set[str]:
        """Extend `owner`'s leases on `keys`; the keys it still holds (another process may have
        claimed one whose lease lapsed)."""
        held: set[str] = set()
        for key in keys:
            renewed = self._c.execute(
                update(deployment_runs)
                .where((deployment_runs.c.key == key) & (deployment_runs.c.owner == owner))
                .values(lease_expires=until)
            )
            if renewed.rowcount:
                held.add(key)
        return held

    def release_deployment_runs(self, owner: str) -> None:
        """A process stopping cleanly: its runs can be claimed at once (a restart or another replica)."""
        self._c.execute(update(deployment_runs).where(deployment_runs.c.owner == owner).values(lease_expires=0.0))

    def claim_deployment_runs(self, owner: str, now: float, until: float, limit: int) -> list[DeploymentRun]:
        """Take over active deployments whose lease lapsed before `now`: each is claimed by one
        process only (a conditional UPDATE on the lease it read; on PostgreSQL rows another replica
        is claiming are passed over, FOR UPDATE SKIP LOCKED)."""
        query = (
            select(deployment_runs)
            .join(deployments, deployments.c.key == deployment_runs.c.key)
            .where(deployment_runs.c.lease_expires < now)
            .where(deployments.c.state.in_(("Accepted", "Running")))
            .order_by(deployment_runs.c.lease_expires)
            .limit(limit)
            .with_for_update(skip_locked=True, of=deployment_runs)
        )
        claimed = []
        for row in self._c.execute(query).all():
            run = _run_from_row(row._mapping)
            taken = self._c.execute(
                update(deployment_runs)
                .where(deployment_runs.c.key == run.key)
                .where(deployment_runs.c.owner == run.owner)
                .where(deployment_runs.c.lease_expires == run.lease_expires)
                .values(owner=owner, lease_expires=until)
            )
            if taken.rowcount:
                claimed.append(replace(run, owner=owner, lease_expires=until))
        return claimed

    def unowned_deployments(self, updated_before: float) -> list[DeploymentRecord]:
        """Active deployments no process ever took (no run row: made before runs were recorded, or
        the process died between the two writes), untouched since `updated_before`."""
        rows = self._c.execute(
            select(deployments)
            .outerjoin(deployment_runs, deployment_runs.c.key == deployments.c.key)
            .where(deployment_runs.c.key.is_(None))
            .where(deployments.c.state.in_(("Accepted", "Running")))
            .where(deployments.c.updated_at < updated_before)
        ).all()
        return [_deployment_from_row(row._mapping) for row in rows]

    def put_deployment_operation(self, deployment_key: str, operation_id: str, body: dict[str, Any]) -> None:
        text = json.dumps(body, separators=(",", ":"))
        match = (deployment_operations.c.deployment_key == deployment_key) & (
            deployment_operations.c.operation_id == operation_id
        )
        if self._c.execute(update(deployment_operations).where(match).values(body=text)).rowcount == 0:
            self._c.execute(
                insert(deployment_operations).values(
                    deployment_key=deployment_key, operation_id=operation_id, body=text
                )
            )

    def deployment_operations(self, deployment_key: str) -> list[dict[str, Any]]:
        rows = self._c.execute(
            select(deployment_operations.c.body)
            .where(deployment_operations.c.deployment_key == deployment_key)
            .order_by(deployment_operations.c.seq)
        ).all()
        return [json.loads(row[0]) for row in rows]

    def clear_deployment_operations(self, deployment_key: str) -> None:
        self._c.execute(delete(deployment_operations).where(deployment_operations.c.deployment_key == deployment_key))

    # -- resets --------------------------------------------------------------------------------------

    def delete_everything(self) -> None:
        """Every resource and record, and the shared controls back to their defaults."""
        self._scopes_change()
        for table in (
            operations,
            resources,
            provider_registrations,
            subscription_tags,
            subscriptions,
            generic_types,
            deployment_operations,
            deployment_runs,
            deployments,
        ):
            self._c.execute(delete(table))
        self._controls_changed(clock_offset=0.0, timing=None)
        self._c.execute(delete(fault_rules))
        self._c.execute(delete(journal))

    def delete_subscription(self, subscription_key: str) -> None:
        self._scopes_change()
        keys = select(deployments.c.key).where(deployments.c.subscription_key == subscription_key)
        self._c.execute(delete(deployment_operations).where(deployment_operations.c.deployment_key.in_(keys)))
        self._c.execute(delete(deployment_runs).where(deployment_runs.c.key.in_(keys)))
        self._c.execute(delete(deployments).where(deployments.c.subscription_key == subscription_key))
        self._c.execute(delete(operations).where(operations.c.subscription_key == subscription_key))
        self._c.execute(delete(resources).where(resources.c.subscription_key == subscription_key))
        self._c.execute(
            delete(provider_registrations).where(provider_registrations.c.subscription_key == subscription_key)
        )
        self._c.execute(delete(subscription_tags).where(subscription_tags.c.subscription_key == subscription_key))
        self._c.execute(delete(subscriptions).where(subscriptions.c.key == subscription_key))

    def delete_namespace(self, namespace: str) -> None:
        """Every resource and operation of one provider namespace, what is nested in its resources,
        and its registrations (resource groups stay)."""
        prefix = namespace.lower() + "/"
        self._scopes_change()  # locks on its resources go with them
        self._c.execute(
            delete(provider_registrations).where(provider_registrations.c.namespace_key == namespace.lower())
        )
        self._c.execute(delete(operations).where(func.lower(operations.c.namespace) == namespace.lower()))
        self._c.execute(delete(resources).where(resources.c.type_key.startswith(prefix, autoescape=True)))
        # Extension resources of other namespaces on them (locks, role assignments) go with them.
        nested = f"/providers/{namespace.lower()}/"
        self._c.execute(delete(resources).where(resources.c.key.contains(nested, autoescape=True)))
        self._c.execute(delete(generic_types).where(generic_types.c.namespace_key == namespace.lower()))


_JOURNAL_FIELDS = tuple(f for f in JournalRecord.__dataclass_fields__ if f != "sequence")


class _JoinedBlock:
    """A transaction opened inside another (`SqlStore.transaction`). A block that joins keeps its own
    all-or-nothing: a failure the caller catches undoes the block's writes and nothing before it (a
    savepoint, or a place to replay to, only when something was written before). A class, not a
    generator: a request opens several of these."""

    __slots__ = ("_savepoint", "_tx")

    def __init__(self, tx: StoreTransaction) -> None:
        self._tx = tx
        self._savepoint = tx._savepoint() if tx.writes else None

    def __enter__(self) -> StoreTransaction:
        return self._tx

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        if exc_type is not None:
            self._tx._back_to(self._savepoint)
        elif self._savepoint is not None:
            # Kept, it would hold a copy of every page changed after it until the commit (SQLite's
            # sub-journal, in memory: a large import would keep the database's size in it).
            self._tx._release(self._savepoint)
        return False


class _Batch:
    """The writes of two turns of the event loop, in one transaction committed after them
    (`SqlStore.batched_write`): each write keeps its own all-or-nothing (a savepoint, or on SQLite
    `StoreTransaction.undo_by_replay`), and none is answered before the commit. `committed`: done
    when it has committed, or failed with the error."""

    __slots__ = ("committed", "transaction", "tx")

    def __init__(self, transaction: Any, tx: StoreTransaction, committed: asyncio.Future[None]) -> None:
        self.transaction = transaction
        self.tx = tx
        self.committed = committed


class _BatchedWrite:
    """One write of a batch (`SqlStore.batched_write`). A class, not a generator: every write enters one."""

    __slots__ = ("_batch", "_block", "_queued", "_store")

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def __enter__(self) -> asyncio.Future[None]:
        store = self._store
        batch = store._batch
        if batch is None:
            batch = store._batch = store._open_batch()
            block: _JoinedBlock | None = None
        else:
            store._on_owner_thread()  # or an error; the connection is the open batch's
            block = _JoinedBlock(batch.tx)
            # The blocks inside count their writes from here: "undo all" undoes this write only.
            batch.tx._floor, batch.tx.writes = block._savepoint, 0
        store._current = batch.tx
        self._batch, self._block, self._queued = batch, block, len(batch.tx._journal_queue)
        return batch.committed

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        store, batch, block = self._store, self._batch, self._block
        try:
            if exc_type is not None:
                del batch.tx._journal_queue[self._queued :]  # what it journaled goes with it
                if block is not None:
                    block.__exit__(exc_type, exc, tb)
                else:  # the batch held only this write
                    store._batch = None
                    store._abandon_batch(batch)
                    batch.committed.cancel()
            elif block is not None:
                block.__exit__(None, None, None)
        finally:
            store._current = None
            batch.tx._floor = None
            batch.tx.writes += 1  # what follows in the batch must not undo this write
        return False


class SqlStore:
    """SQLite by default (a file, WAL mode); any SQLAlchemy database URL works.

    One connection serves the whole process: every request runs on the event loop's thread and no
    transaction spans an `await`, so a pool (checkout, reset, return per transaction) would only add
    work. Other processes on the same database (a second emulator) use their own connection.
    """

    def __init__(
        self, url: str, *, sqlite_synchronous: str = "off", cached_types: frozenset[str] = frozenset()
    ) -> None:
        """`cached_types`: the type keys (resource groups, locks) the scope cache keeps (scope_cache.py)."""
        self._url = make_url(url)
        if sqlite_synchronous not in _SQLITE_SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous must be one of {', '.join(_SQLITE_SYNCHRONOUS)}")
        self._sqlite_synchronous = sqlite_synchronous
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._statements: _Statements | None = None
        self._current: StoreTransaction | None = None
        self._batch: _Batch | None = None
        # The controls' counter as read in this turn of the event loop (`control_version`).
        self._turn_version: int | None = None
        self._scope_cache = ScopeCache(cached_types)
        # The thread the connection belongs to (the event loop's); others read through `snapshot`.
        self._owner: int | None = None
        self._snapshots = 0
        self._snapshots_done = threading.Condition()

    def open(self) -> None:
        kwargs: dict[str, Any] = {}
        is_sqlite = self._url.get_backend_name() == "sqlite"
        if is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False}
            if self._url.database in (None, "", ":memory:"):
                kwargs["poolclass"] = StaticPool
            else:
                Path(self._url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(self._url, **kwargs)
        if is_sqlite:
            event.listen(engine, "connect", functools.partial(_sqlite_pragmas, self._sqlite_synchronous))
        _create_schema(engine)
        self._engine = engine
        self._statements = _Statements(engine.dialect)

    def close(self, *, snapshot_wait_seconds: float = 30.0) -> None:
        self._commit_batch()
        # A snapshot still being read (an export in a worker thread) finishes first.
        with self._snapshots_done:
            self._snapshots_done.wait_for(lambda: self._snapshots == 0, timeout=snapshot_wait_seconds)
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._owner = None

    def _on_owner_thread(self) -> None:
        thread = threading.get_ident()
        if self._owner is None:
            self._owner = thread
        elif self._owner != thread:
            raise RuntimeError("the store's connection belongs to another thread: read through snapshot()")

    def _connect(self) -> Connection:
        if self._engine is None or self._statements is None:
            raise RuntimeError("store is not open")
        self._on_owner_thread()
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            # First use, or the database dropped the connection (a server restart): a fresh one.
            if connection is not None:
                connection.close()
            connection = self._connection = self._engine.connect()
        return connection

    def transaction(self, *, writing: bool = False) -> AbstractContextManager[StoreTransaction]:
        """A transaction; one opened inside another joins it: it commits with the outer one, and when
        it fails its own writes are undone (as if it had been a transaction of its own) while the
        outer one goes on with what was written before it. `writing`: it reads, checks and writes (a
        PUT, PATCH or DELETE), so what it reads must not change under it before it writes."""
        current = self._current
        if current is not None:
            self._on_owner_thread()  # or an error; the connection is the open transaction's
            return _JoinedBlock(current)
        self._commit_batch()
        return self._outermost(writing)

    def batched_write(self) -> _BatchedWrite:
        """A write (as `transaction(writing=True)`) that joins the other writes of this turn of the
        event loop and the next: one commit for all of them, two turns after the first or before any
        other transaction begins, whichever is first. Under load that is one commit for many requests (a
        database server's group commit); alone it is a write of its own. If the block fails, its
        writes are undone and nothing else. It yields the batch's `committed` future: the caller
        answers only once it is done (a failed commit leaves it with the error)."""
        if self._current is not None:
            raise RuntimeError("a batched write cannot begin inside another transaction")
        return _BatchedWrite(self)

    def _open_batch(self) -> _Batch:
        connection = self._connect()
        assert self._statements is not None
        loop = asyncio.get_running_loop()
        tx = StoreTransaction(connection, self._statements, self._scope_cache)
        transaction = connection.begin()
        try:
            self._lock_for_writing(tx)
            if tx.begin is not None:
                tx.undo_by_replay()
        except BaseException:
            self._roll_back(connection)
            transaction.close()
            raise
        batch = _Batch(transaction, tx, loop.create_future())
        # Committed two turns on: the requests read in the loop's next poll for I/O (started in the
        # turn after it) join too. Under load a batch then holds about a request per connection,
        # twice as many as with one turn; alone, a write waits one idle turn more.
        loop.call_soon(loop.call_soon, self._commit_batch)
        return batch

    def _commit_batch(self) -> None:
        """Commit the open batch, if there is one, and tell its writers how it went."""
        batch = self._batch
        if batch is None:
            return
        self._batch = None
        tx = batch.tx
        try:
            if tx.broken is not None:
                raise tx.broken
            tx._record_queued_journal()
            if tx.scopes_changed:
                tx._controls_changed()
            batch.transaction.commit()
        except Exception as error:
            log.warning("a batch of writes failed to commit: %s", error)
            self._abandon_batch(batch)
            if not batch.committed.done():
                batch.committed.set_exception(error)
                batch.committed.exception()  # its writers are told; one gone (a closed connection) needs no log
        else:
            if not batch.committed.done():
                batch.committed.set_result(None)
        finally:
            if tx.controls_moved:
                self._turn_version = None

    def _abandon_batch(self, batch: _Batch) -> None:
        with contextlib.suppress(Exception):  # already ended if its COMMIT failed
            batch.transaction.rollback()
        self._abandon(batch.tx)

    def _abandon(self, tx: StoreTransaction) -> None:
        """Roll back a transaction that failed, and forget what the scope cache read of it."""
        if tx.scopes_changed:
            self._scope_cache.clear()  # it may hold what this transaction read of its own writes
        self._roll_back(self._connect())

    @staticmethod
    def _lock_for_writing(tx: StoreTransaction) -> None:
        if tx._c.connection.dialect.name == "sqlite":
            # pysqlite begins a transaction only at the first write: the reads before it would each
            # see their own moment, and another process on the file could write between a check and
            # the write it allows. IMMEDIATE takes the write lock now (other writers wait their turn,
            # as PostgreSQL's row locks make its replicas wait).
            tx.begin = "BEGIN IMMEDIATE"
            tx._dbapi.execute(tx.begin)  # type: ignore[union-attr]

    @contextmanager
    def _outermost(self, writing: bool = False) -> Iterator[StoreTransaction]:
        connection = self._connect()
        assert self._statements is not None
        tx = StoreTransaction(connection, self._statements, self._scope_cache)
        try:
            with connection.begin():
                if writing:
                    self._lock_for_writing(tx)
                self._current = tx
                try:
                    yield tx
                    tx._record_queued_journal()
                    if tx.scopes_changed:
                        # Last, so that the counter's row lock is held only for the commit.
                        tx._controls_changed()
                finally:
                    self._current = None
        except BaseException:
            self._abandon(tx)
            raise
        finally:
            if tx.controls_moved:
                self._turn_version = None

    def journal_with_write(self, records: list[JournalRecord], *, trim_to: int | None = None) -> None:
        """Record requests in the journal with the open transaction, when it commits (in a batch, the
        entries of all its writes in one statement); without one, in a transaction of their own.
        `trim_to`: keep only that many entries then."""
        current = self._current
        if current is None:
            with self.transaction():
                self.journal_with_write(records, trim_to=trim_to)
            return
        current._journal_queue.extend(records)
        if trim_to is not None:
            current._journal_trim = trim_to

    def control_version(self) -> int:
        """The shared controls' change counter, read as cheaply as the database allows: every request
        asks. Outside a transaction it is one statement on the driver's connection (SQLite reads
        without a transaction; PostgreSQL in autocommit: one round trip instead of BEGIN, SELECT, COMMIT).
        The scope cache is checked against it too."""
        if self._current is not None:
            version = self._current.control_version()
        else:
            self._commit_batch()
            version = self._turn_version
            if version is None:
                version = self._control_version_alone()
                self._remember_for_this_turn(version)
        self._scope_cache.seen(version)
        return version

    def _remember_for_this_turn(self, version: int) -> None:
        """Keep the counter for the requests of this turn of the event loop. Each arrived before the
        loop's last poll for I/O, which came before this read: a change another replica had
        acknowledged before any of them was sent is in it."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop: nothing marks the turn's end
        self._turn_version = version
        loop.call_soon(self._forget_turn_version)

    def _forget_turn_version(self) -> None:
        self._turn_version = None

    def _control_version_alone(self) -> int:
        connection = self._connect()
        assert self._statements is not None
        prepared = self._statements.get("control version", _SELECT_CONTROL_VERSION)
        driver = connection.connection.driver_connection
        autocommit = connection.dialect.name == "postgresql"
        try:
            if autocommit:
                driver.autocommit = True  # type: ignore[union-attr]
            cursor = driver.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(prepared.sql, prepared.parameters({}))
                row = cursor.fetchone()
            finally:
                cursor.close()
        except BaseException:
            self._roll_back(connection)
            raise
        finally:
            if autocommit and not connection.invalidated:
                driver.autocommit = False  # type: ignore[union-attr]
        return int(row[0]) if row is not None else 0

    def _roll_back(self, connection: Connection) -> None:
        """After a failure, make sure nothing of it stays pending on the long-lived connection: when
        COMMIT itself fails, SQLAlchemy ends its transaction without a ROLLBACK (a pool would reset
        the connection on return; this one is never returned), and the next commit would keep it."""
        try:
            connection.connection.driver_connection.rollback()  # type: ignore[union-attr]
        except Exception:
            connection.invalidate()  # `_connect` opens a fresh one

    @property
    def has_snapshots(self) -> bool:
        """Whether `snapshot` can open a connection besides the main one (not for in-memory SQLite)."""
        return self._engine is not None and not isinstance(self._engine.pool, StaticPool)

    @contextmanager
    def snapshot(self) -> Iterator[StoreTransaction]:
        """The store as it is now, read-only, on a connection of its own: a long read (the state
        export) can run in a worker thread, seeing one consistent state, while requests go on."""
        if self._engine is None or self._statements is None or not self.has_snapshots:
            raise RuntimeError("no snapshot: the store is closed or has a single connection")
        with self._snapshots_done:
            self._snapshots += 1
        try:
            with self._engine.connect() as connection:
                if connection.dialect.name == "sqlite":
                    # pysqlite begins a transaction only before a write; each SELECT would see its own now.
                    connection.exec_driver_sql("BEGIN")
                elif connection.dialect.name == "postgresql":
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                try:
                    yield StoreTransaction(connection, self._statements)
                finally:
                    connection.rollback()
        finally:
            with self._snapshots_done:  # `close` waits for the last reader
                self._snapshots -= 1
                self._snapshots_done.notify_all()


# Any number, the same in every replica: the lock PostgreSQL replicas take to make the schema one at a time.
_SCHEMA_LOCK = 0x41524D45


def _create_schema(engine: Engine) -> None:
    """Make what is missing: tables, indexes added since a database was made, the controls' row.
    Replicas starting together on one PostgreSQL database take turns (a transaction-scoped lock);
    SQLite's writers take turns by themselves."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        tables.metadata.create_all(connection)
        # create_all makes only missing tables: an index added since a database was made is made here.
        for table in tables.metadata.sorted_tables:
            for index in table.indexes:
                index.create(connection, checkfirst=True)
        for name in tables.RETIRED_INDEXES:
            connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
        if connection.execute(select(control_state.c.id).where(control_state.c.id == _CONTROL_ROW)).first() is None:
            # Two SQLite processes opening a new file together can both get here; one row is made.
            with contextlib.suppress(exc.IntegrityError):
                connection.execute(
                    insert(control_state).values(id=_CONTROL_ROW, version=1, clock_offset=0.0, timing=None)
                )


# SQLite's `synchronous` levels the `sqlite_synchronous` setting offers (settings.py names them too:
# it is imported without the store, for a fast CLI). In WAL mode every one of them
# keeps each acknowledged write through a crash or SIGKILL of the process (the write is in the OS's
# cache); they differ on a crash of the machine. `off` never waits for the disk: a machine crash or
# power cut can lose recent writes or damage the file. `normal` flushes at each WAL checkpoint (every
# ~1,000 pages: a request stalls ~20 ms there, about a tenth of a write's time); `full` at every commit.
_SQLITE_SYNCHRONOUS = ("off", "normal", "full")


def _sqlite_pragmas(synchronous: str, dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()
