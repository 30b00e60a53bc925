"""Long-running operations: their records, how they advance, and their polling URLs and bodies.

An operation lives only in the database. In time mode each step is due at
`started_at + n * step_seconds`, and whoever notices first (the background walker, or a request
touching the resource) advances it; in poll mode each poll advances it one step. Either way the
step is a conditional UPDATE, so it is never applied twice, even by two processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from typing import Any

from ..clock import iso8601
from ..store.repository import OperationRecord, ResourceRecord, StoreTransaction
from .bodies import json_copy
from .conditions import new_etag
from .embedding import fill_listed_children, sync_parent
from .lro_timing import LroTiming
from .resource_id import ResourceId, parse_resource_id
from .resource_type import LroProfile, OperationStatusEndpoint, ResourceContext
from .responses import dump_json
from .runtime import Runtime

log = logging.getLogger(__name__)

TERMINAL_STATUSES = frozenset({"Succeeded", "Failed", "Canceled"})
# Small slack so a step due "now" is not missed to floating-point rounding.
_EPSILON = 1e-6
# The due time of poll-mode operations: never, by the clock.
PER_POLL = math.inf
# Operations the walker advances before letting requests in: about 5 ms of work (benchmarks/).
WALKER_BATCH = 20


def new_operation(
    runtime: Runtime,
    *,
    operation_id: str,
    namespace: str,
    resource_id: str,
    resource_key: str,
    subscription_id: str,
    location: str,
    kind: str,
    api_version: str,
    profile: LroProfile,
    timing: LroTiming,
    target_digest: str | None = None,
    outcome: dict[str, Any] | None = None,
    previous_body: dict[str, Any] | None = None,
) -> OperationRecord:
    """A new operation at its first step; the caller stores it (`tx.add_operation`, or `as_stored`)."""
    now = runtime.clock.now()
    step_seconds = timing.step_seconds
    return OperationRecord(
        id=operation_id,
        namespace=namespace,
        subscription_key=subscription_id.lower(),
        resource_key=resource_key,
        resource_id=resource_id,
        location=location,
        kind=kind,
        api_version=api_version,
        initial_status_code=profile.status_code,
        steps=tuple((s.provisioning_state, s.operation_status) for s in profile.steps),
        step_index=0,
        step_seconds=step_seconds,
        status=profile.steps[0].operation_status,
        started_at=now,
        due_at=PER_POLL if timing.per_poll else now + step_seconds,
        target_digest=target_digest,
        per_poll=timing.per_poll,
        outcome=outcome,
        previous_body=previous_body,
    )


def _next(op: OperationRecord, now: float) -> OperationRecord | None:
    """The operation one poll later (poll mode) or as it stands at `now`; None if nothing is due."""
    count = len(op.steps)
    if op.per_poll:
        reached = op.step_index + 1
    elif op.step_seconds > 0:
        reached = min(count, int((now - op.started_at) / op.step_seconds + _EPSILON))
    else:
        reached = count
    if reached <= op.step_index:
        return None
    if reached >= count:
        outcome = op.outcome or {}
        return op.evolve(
            step_index=count,
            status=outcome.get("status", "Succeeded"),
            error=outcome.get("error"),
            due_at=None,
            ended_at=now,
        )
    due = PER_POLL if op.per_poll else op.started_at + (reached + 1) * op.step_seconds
    return op.evolve(step_index=reached, status=op.steps[reached][1], due_at=due)


def canceled_by_delete(parent_id: str) -> dict[str, str]:
    """The error of an operation whose resource went away with a deleted parent or group."""
    return {
        "code": "OperationCanceled",
        "message": f"The operation was canceled: '{parent_id}', which contains the resource, was deleted.",
    }


def _apply(runtime: Runtime, tx: StoreTransaction, op: OperationRecord, now: float) -> None:
    """Reflect an operation's new step on its resource (and on a parent that lists it)."""
    resource = tx.get_resource(op.resource_key)
    if resource is None or resource.operation_id != op.id:
        return
    _apply_to_resource(runtime, tx, op, resource, now)
    found = runtime.registry.resource_type(resource.type_key)
    if found is not None:
        sync_parent(tx, found[1], resource.type_key, resource.parent_key, now)


def _apply_to_resource(
    runtime: Runtime, tx: StoreTransaction, op: OperationRecord, resource: ResourceRecord, now: float
) -> None:
    if op.done and op.status == "Succeeded" and op.kind == "delete":
        tx.delete_tree(op.resource_key, now=now, cancel_error=canceled_by_delete(op.resource_id))
        return
    tx.put_resource(_resource_at_step(runtime, tx, op, resource, now))


def _resource_at_step(
    runtime: Runtime,
    tx: StoreTransaction,
    op: OperationRecord,
    resource: ResourceRecord,
    now: float,
    *,
    new: bool = False,
    rid: ResourceId | None = None,
    take_body: bool = False,
) -> ResourceRecord:
    """The resource as an operation's step (not a finished delete) leaves it; `new`: not stored yet;
    `rid`: its id, parsed (a write has it; the walker parses it only for a provider's last step);
    `take_body`: change `resource.body` itself (the caller is done with it) instead of a copy."""
    succeeded = op.done and op.status == "Succeeded"
    # A failed update leaves the resource as it was before, marked with the failure (ARM RPC).
    failed_update = op.done and not succeeded and op.previous_body is not None
    if failed_update:
        body = json_copy(op.previous_body)
    elif take_body:
        body = resource.body
    else:  # a copy: the record's body stays as it was (parsing its text is the cheaper copy)
        body = json.loads(resource.raw) if resource.raw is not None else json_copy(resource.body)
    state = op.status if op.done else op.steps[op.step_index][0]
    body.setdefault("properties", {})["provisioningState"] = state
    if succeeded:
        found = runtime.registry.resource_type(resource.type_key)
        if found is not None:
            _, resource_type = found
            rid = rid or parse_resource_id(resource.id)
            ctx = ResourceContext(rid, op.api_version, runtime.tenant_of(rid.subscription_id), body, runtime.lookup)
            body = resource_type.on_provisioned(ctx, body)
    fill_listed_children(tx, runtime.registry, resource.type_key, resource.key, body, new=new)
    return resource.evolve(
        body=body,
        raw=dump_json(body).decode(),
        provisioning_state=state,
        etag=new_etag(now),
        operation_id=None if op.done else op.id,
        due_at=op.due_at,
        updated_at=now,
    )


def advance_operation(runtime: Runtime, operation_id: str, *, polled: bool = False) -> None:
    """Move an operation on if a step is due by the clock, or, in poll mode, if this is a poll."""
    now = runtime.clock.now()
    with runtime.store.transaction() as tx:
        op = tx.claim_operation(operation_id)  # None too while another replica advances it
        if op is None or op.due_at is None:
            return
        if not (polled and op.per_poll) and op.due_at > now + _EPSILON:
            return
        moved = _next(op, now)
        if moved is None or not tx.move_operation(moved, op.step_index):
            return
        _apply(runtime, tx, moved, now)


def catch_up(runtime: Runtime, key_prefix: str = "", limit: int = 500) -> int:
    """Advance every due operation on resources under `key_prefix`; returns how many were due."""
    now = runtime.clock.now()
    # The batch is one transaction (one commit for all); each operation's failure undoes only its own step.
    with runtime.store.transaction() as tx:
        due = tx.due_operation_ids(now, key_prefix, limit)
        for operation_id in due:
            try:
                advance_operation(runtime, operation_id)
            except Exception:  # one bad row must not stop every operation due after it
                log.exception("operation %s could not advance", operation_id)
    return len(due)


def as_stored(
    runtime: Runtime, tx: StoreTransaction, op: OperationRecord, resource: ResourceRecord, rid: ResourceId, *, new: bool
) -> ResourceRecord:
    """Store a create's or update's new operation (`op`, from `new_operation`); the resource to store:
    as the first step shows it, or, when the operation is already due (fast mode), with the due steps
    taken in this same write (then `resource.body` is taken over, not copied: render the answer
    first). The answer shows the first step either way, and any read after it would have taken them
    first; the walker, a poll and second writes of both rows are spared."""
    now = runtime.clock.now()
    moved = None
    if not op.per_poll and op.due_at is not None and op.due_at <= now + _EPSILON:
        moved = _next(op, now)
    tx.add_operation(moved or op)
    if moved is None:
        return resource
    return _resource_at_step(runtime, tx, moved, resource, now, new=new, rid=rid, take_body=True)


def fresh_resource(
    runtime: Runtime, key: str, *, polled: bool = False, parse_body: bool = True
) -> ResourceRecord | None:
    """Read a resource, first advancing its operation if a step is due (or, `polled`, if in poll mode).
    `parse_body=False`: its text only (`StoreTransaction.get_resource`)."""
    with runtime.store.transaction() as tx:
        record = tx.get_resource(key, parse_body=parse_body)
    due = record.due_at if record is not None else None
    if record is not None and due is not None and (due <= runtime.clock.now() or (polled and due == PER_POLL)):
        if record.operation_id:
            advance_operation(runtime, record.operation_id, polled=polled)
        with runtime.store.transaction() as tx:
            record = tx.get_resource(key, parse_body=parse_body)
    return record


def fresh_operation(runtime: Runtime, operation_id: str) -> OperationRecord | None:
    """Read an operation for a poll: a due step (or, in poll mode, the next step) is taken first."""
    with runtime.store.transaction() as tx:
        op = tx.get_operation(operation_id)
    if op is not None and op.due_at is not None and (op.per_poll or op.due_at <= runtime.clock.now()):
        advance_operation(runtime, operation_id, polled=True)
        with runtime.store.transaction() as tx:
            op = tx.get_operation(operation_id)
    return op


def retry_after(runtime: Runtime, due_at: float | None) -> dict[str, str]:
    """The Retry-After header for an in-progress answer: integer seconds, never 0 (clients read 0 as
    "use my 30 s default"); none at all if the setting is 0, so clients use their own interval."""
    seconds = runtime.settings.retry_after_seconds
    if seconds == 0:
        return {}
    if due_at is not None and due_at != PER_POLL:
        seconds = max(seconds, math.ceil(due_at - runtime.clock.now()))
    return {"Retry-After": str(seconds)}


def status_url(
    base: str,
    endpoint: OperationStatusEndpoint,
    op: OperationRecord,
    *,
    for_location_header: bool = False,
) -> str:
    path = endpoint.path.format(
        subscriptionId=op.subscription_key,
        location=endpoint.location_case(op.location),
        operationId=op.id,
    )
    url = f"{base}{path}?api-version={op.api_version}"
    if for_location_header and endpoint.location_query:
        url += f"&{endpoint.location_query}"
    return url


def polling_headers(
    runtime: Runtime, base: str, endpoint: OperationStatusEndpoint, op: OperationRecord, profile: LroProfile
) -> dict[str, str]:
    headers = retry_after(runtime, op.due_at)
    if profile.async_operation_header:
        headers["Azure-AsyncOperation"] = status_url(base, endpoint, op)
    if profile.location_header:
        headers["Location"] = status_url(base, endpoint, op, for_location_header=True)
    return headers


def status_body(endpoint: OperationStatusEndpoint, op: OperationRecord) -> dict[str, Any]:
    path = endpoint.path.format(
        subscriptionId=op.subscription_key,
        location=endpoint.location_case(op.location),
        operationId=op.id,
    )
    body: dict[str, Any] = {
        "id": path,
        "name": op.id,
        "resourceId": op.resource_id,
        "status": op.status,
        "startTime": iso8601(op.started_at),
    }
    if op.ended_at is not None:
        body["endTime"] = iso8601(op.ended_at)
    if op.error and op.status in ("Failed", "Canceled"):
        body["error"] = op.error
    return body


async def run_walker(runtime: Runtime, stop: asyncio.Event) -> None:
    """Advance due operations nobody is polling; all state is in the database, so restarts lose nothing."""
    interval = runtime.settings.walker_interval_seconds
    while not stop.is_set():
        try:
            runtime.controls.refresh()  # the clock offset another replica may have moved
            # Small batches, yielding in between, so requests are not held up while thousands drain.
            while catch_up(runtime, limit=WALKER_BATCH) == WALKER_BATCH and not stop.is_set():
                await asyncio.sleep(0)
        except Exception:  # keep walking: one bad row must not stop every other operation
            log.exception("walker step failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
