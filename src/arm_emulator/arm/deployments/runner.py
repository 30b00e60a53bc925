"""Running a prepared deployment: every resource through the front door, concurrently as its
dependencies allow, recorded operation by operation; then Complete mode's deletes and the outputs.

A run is an asyncio task of one serving process, but its progress is in the database after every
step and the process holds it by a lease it renews (tables.deployment_runs). When the process dies
(a restart, a SIGKILLed replica), another process, or the same one started again, claims the lapsed
lease and resumes the run: resources whose operation ended keep that end, the others are deployed
(waiting for an operation the dead process left in progress on the resource, else PUT again, as ARM
retries), then the outputs and the final state are written. A cancel made through any process is
seen by the run within CANCEL_CHECK_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...clock import iso8601
from ...store.repository import DeploymentRecord, DeploymentRun
from ..auth import jwt_claims
from ..bodies import json_copy
from ..errors import ArmError
from ..resource_id import key_of
from ..runtime import Runtime
from .front_door import FrontDoorClient, Outcome
from .host import RESOURCES_API_VERSION, FrontDoorHost, latest_api_version
from .records import (
    ACTIVE_STATES,
    deployment_failed,
    iso_duration,
    new_operation_id,
    operation_body,
    status_code_name,
    template_error_body,
)
from .scope import DeploymentScope, scope_info

log = logging.getLogger(__name__)

# How often a run looks at the database for a cancel made by another process (seconds).
CANCEL_CHECK_SECONDS = 0.5
# How many lapsed runs one sweep claims (the rest wait for the next sweep, or another replica).
CLAIM_BATCH = 20
# The caller's claims kept for a resumed run (who it was, never the token itself).
CALLER_CLAIMS = ("oid", "tid", "appid")
# The audience of a resumed run's token: one every replica accepts, whatever host the PUT came in on.
ARM_AUDIENCE = "https://management.azure.com/"
_DONE = frozenset({"Succeeded", "Failed", "Canceled"})


@dataclass
class RunContext:
    key: str
    deployment_id: str
    scope: DeploymentScope
    mode: str
    base: str
    authorization: str | None
    correlation_id: str
    started: float


@dataclass
class _Progress:
    states: dict[str, str] = field(default_factory=dict)  # resource key -> Succeeded | Failed | Skipped
    errors: list[dict[str, Any]] = field(default_factory=list)
    # operation id -> (provisioning operation, resource, started)
    running_operations: dict[str, tuple[str, Any, float]] = field(default_factory=dict)
    # A resumed run: the operations the earlier run recorded, by (provisioning operation, resource key).
    earlier: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # ... and how to poll the writes it started, by resource key.
    writes: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Deleted:
    """A resource Complete mode deletes, in the shape operation records read (like a PlannedResource)."""

    resource_id: str
    type: str
    name: str
    api_version: str
    key: str = ""
    symbolic_name: str | None = None
    gone: bool = False  # deleted already (a resumed run closes the earlier run's operation)


class DeploymentRunner:
    """The deployments this process is running, by key, and the leases it holds on them.

    Leases are in wall-clock time, not the emulator's clock: they say whether a process is alive,
    and the clock offset is a test control that jumps by hours (every lease would lapse at once)."""

    def __init__(self, app: Any, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self.owner = uuid.uuid4().hex  # this process, as the owner of its runs
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.lost: set[str] = set()  # runs another process claimed from this one: left to it
        self.resuming: set[str] = set()  # runs claimed here whose template is being prepared again
        self.stopping = False

    @property
    def lease_seconds(self) -> float:
        return self.runtime.settings.deployment_lease_seconds

    def start(self, context: RunContext, prepared: Any) -> None:
        """Run a deployment a PUT just recorded: this process holds it from now."""
        run = DeploymentRun(
            key=context.key,
            owner=self.owner,
            lease_expires=time.time() + self.lease_seconds,
            caller=caller_claims(context.authorization),
            base=context.base,
            correlation_id=context.correlation_id,
            started=context.started,
        )
        with self.runtime.store.transaction() as tx:
            tx.put_deployment_run(run)
        self._launch(context, prepared, _Progress())

    def _launch(self, context: RunContext, prepared: Any, progress: _Progress) -> None:
        self.lost.discard(context.key)
        task = asyncio.create_task(self._run(context, prepared, progress), name=f"deployment {context.deployment_id}")
        self.tasks[context.key] = task

    def cancel(self, key: str) -> None:
        task = self.tasks.get(key)
        if task is not None:
            task.cancel()

    async def stop(self) -> None:
        """Server shutdown: runs end where they are and their leases are let go, so the next start
        (or another replica) resumes them at once."""
        self.stopping = True
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # The database may be gone: the leases then lapse instead.
        with contextlib.suppress(Exception), self.runtime.store.transaction() as tx:
            tx.release_deployment_runs(self.owner)

    # -- leases: renewing ours, resuming lapsed ones ----------------------------------------------

    async def maintain(self, stop: asyncio.Event) -> None:
        """Renew this process's leases, and claim and resume runs whose process died; a few times
        per lease period, until `stop`. Apart, so a slow resume never holds up the renewals."""
        await asyncio.gather(self._every(stop, self.sweep), self._every(stop, self.resume_lapsed))

    async def _every(self, stop: asyncio.Event, step: Any) -> None:
        interval = self.lease_seconds / 3
        while not stop.is_set():
            try:
                result = step()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # keep going: one bad row must not stop every other run
                log.exception("deployments sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    def sweep(self) -> None:
        """Renew the leases of the runs this process has; a run another process claimed meanwhile
        (this one stalled past its lease) is stopped here and left to it."""
        keys = [*self.tasks, *self.resuming]
        if not keys:
            return
        with self.runtime.store.transaction() as tx:
            held = tx.renew_deployment_runs(self.owner, keys, time.time() + self.lease_seconds)
        for key in keys:
            if key not in held:
                self.lost.add(key)
                self.cancel(key)

    async def resume_lapsed(self) -> None:
        now = time.time()
        with self.runtime.store.transaction() as tx:
            claimed = tx.claim_deployment_runs(self.owner, now, now + self.lease_seconds, CLAIM_BATCH)
            records = {run.key: tx.get_deployment(run.key) for run in claimed}
            # Active deployments no process took (no run row) are failed: nothing says who may run them.
            orphans = tx.unowned_deployments(self.runtime.clock.now() - self.lease_seconds)
        for orphan in orphans:
            self._fail_interrupted(orphan, "The deployment's run was not recorded, so it cannot be resumed.")
        for run in claimed:
            record = records[run.key]
            if record is None or run.key in self.tasks:
                continue
            self.resuming.add(run.key)
            try:
                await self._resume(run, record)
            except Exception:
                log.exception("deployment %s could not be resumed", record.id)
                self._fail_interrupted(record, "The emulator could not resume the deployment's run.")
            finally:
                self.resuming.discard(run.key)

    async def _resume(self, run: DeploymentRun, record: DeploymentRecord) -> None:
        """Take up a run a dead process left: the template is prepared again from the stored request."""
        from ...templates import TemplateError, prepare

        scope = DeploymentScope.from_deployment_id(record.id)
        name = record.id.rstrip("/").rsplit("/", 1)[-1]
        properties = record.request.get("properties") or {}
        try:
            info = scope_info(self.runtime, scope, name, record.request.get("location"), run.base)
            prepared = await asyncio.to_thread(
                prepare, properties.get("template"), properties.get("parameters") or {}, info
            )
        except TemplateError as error:
            self._fail_interrupted(record, f"Its template can no longer be run: {error.message}")
            return
        except ArmError as error:  # its scope is gone
            self._fail_interrupted(record, f"Its scope can no longer be deployed to: {error.message}")
            return
        context = RunContext(
            key=record.key,
            deployment_id=record.id,
            scope=scope,
            mode=properties.get("mode") or "Incremental",
            base=run.base,
            # No header: the run's CallerAuthorization mints one for the same caller.
            authorization=None if run.caller is None else "",
            correlation_id=run.correlation_id,
            started=run.started,
        )
        progress = _Progress(writes=dict(run.writes))
        with self.runtime.store.transaction() as tx:
            for operation in tx.deployment_operations(record.key):
                props = operation.get("properties", {})
                target = props.get("targetResource", {}).get("id")
                if target:
                    progress.earlier[(props.get("provisioningOperation", ""), key_of(target))] = operation
        log.info("resuming deployment %s (its process stopped)", record.id)
        self._launch(context, prepared, progress)

    def _fail_interrupted(self, record: DeploymentRecord, reason: str) -> None:
        now = self.runtime.clock.now()
        with self.runtime.store.transaction() as tx:
            current = tx.get_deployment(record.key)
            if current is None or current.state not in ACTIVE_STATES:
                return
            body = json_copy(current.body)
            props = body.setdefault("properties", {})
            props["provisioningState"] = "Failed"
            props["timestamp"] = iso8601(now)
            props["error"] = deployment_failed(
                [{"code": "DeploymentInterrupted", "message": f"{reason} Deploy it again to finish it."}]
            )
            tx.update_deployment_body(record.key, body, "Failed", now)
            for operation in tx.deployment_operations(record.key):
                if operation["properties"].get("provisioningState") == "Running":
                    operation["properties"]["provisioningState"] = "Failed"
                    tx.put_deployment_operation(record.key, operation["operationId"], operation)

    # -- one run ---------------------------------------------------------------------------------

    async def _run(self, context: RunContext, prepared: Any, progress: _Progress) -> None:
        from ...templates import TemplateError

        with self.runtime.store.transaction() as tx:
            run = tx.get_deployment_run(context.key)
        authorization = CallerAuthorization(self.runtime, context, run.caller if run is not None else None)
        client = FrontDoorClient(self.app, context.base, authorization, context.correlation_id)
        host = FrontDoorHost(self.runtime, client, asyncio.get_running_loop())
        for resource in prepared.resources:
            host.api_versions[key_of(resource.resource_id)] = resource.api_version
        try:
            self._update(context, "Running")
            await self._deploy_all(context, prepared, host, client, progress)
            if progress.errors:
                self._finish(context, "Failed", error=deployment_failed(progress.errors))
                return
            if context.mode.lower() == "complete" and context.scope.resource_group:
                await self._delete_undeclared(context, prepared, client, progress)
                if progress.errors:
                    self._finish(context, "Failed", error=deployment_failed(progress.errors))
                    return
            try:
                outputs = await asyncio.to_thread(prepared.outputs, host)
            except TemplateError as error:
                self._finish(context, "Failed", error=template_error_body(error))
                return
            written = [
                {"id": r.resource_id}
                for r in prepared.resources
                if not r.existing and progress.states.get(r.key) == "Succeeded"
            ]
            self._finish(context, "Succeeded", outputs=outputs, outputResources=written)
        except asyncio.CancelledError:
            # Cancelled by a user (the state is Canceled already), by shutdown or because another
            # process took the run over (both: the run is resumed from where it is).
            if not self.stopping and context.key not in self.lost:
                self._close_operations(context, progress, "Canceled")
            raise
        except Exception:
            log.exception("deployment %s failed unexpectedly", context.deployment_id)
            self._close_operations(context, progress, "Failed")
            self._finish(
                context,
                "Failed",
                error={"code": "InternalServerError", "message": "The deployment failed in the emulator itself."},
            )
        finally:
            await client.close()
            if self.tasks.get(context.key) is asyncio.current_task():
                del self.tasks[context.key]
                self.lost.discard(context.key)

    async def _deploy_all(
        self, context: RunContext, prepared: Any, host: FrontDoorHost, client: FrontDoorClient, progress: _Progress
    ) -> None:
        pending = []
        for resource in prepared.resources:
            ended = self._earlier_end(progress, "Read" if resource.existing else "Create", resource.resource_id)
            if ended is None:
                pending.append(resource)
                continue
            progress.states[resource.key] = ended  # a resumed run keeps what the earlier one finished
        running: dict[asyncio.Task[str], Any] = {}
        try:
            while pending or running:
                pending = self._skip_blocked(pending, progress)
                for resource in self._ready(pending, running.values(), progress):
                    pending.remove(resource)
                    task = asyncio.create_task(self._deploy_one(context, prepared, resource, host, client, progress))
                    running[task] = resource
                if not running:
                    return
                done, _ = await asyncio.wait(running, timeout=CANCEL_CHECK_SECONDS, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    resource = running.pop(task)
                    progress.states[resource.key] = task.result()
                if not self._still_active(context):
                    raise asyncio.CancelledError
        finally:
            for task in running:
                task.cancel()

    @staticmethod
    def _earlier_end(progress: _Progress, kind: str, resource_id: str) -> str | None:
        """How the earlier run of a resumed deployment ended this resource's operation, if it did
        (a failure counts again, with its error)."""
        operation = progress.earlier.get((kind, key_of(resource_id)))
        if operation is None:
            return None
        props = operation["properties"]
        state = props.get("provisioningState")
        if state not in _DONE or state == "Canceled":
            return None
        if state == "Failed":
            message = props.get("statusMessage") or {}
            progress.errors.append(_detail(message.get("error") or {}) if isinstance(message, dict) else {})
        return str(state)

    @staticmethod
    def _skip_blocked(pending: list[Any], progress: _Progress) -> list[Any]:
        """Resources that depend on a failed or skipped one are not deployed (as in ARM)."""
        changed = True
        while changed:
            changed = False
            for resource in list(pending):
                if any(progress.states.get(dep) in ("Failed", "Skipped") for dep in resource.depends_on):
                    progress.states[resource.key] = "Skipped"
                    pending.remove(resource)
                    changed = True
        return pending

    @staticmethod
    def _ready(pending: list[Any], running: Iterable[Any], progress: _Progress) -> list[Any]:
        """Resources whose dependencies succeeded; a serial copy loop runs `size` of its items at a time,
        in index order."""
        in_flight: dict[str, int] = {}
        for resource in running:
            if resource.batch:
                in_flight[resource.batch[0]] = in_flight.get(resource.batch[0], 0) + 1
        ready = []
        for resource in pending:
            if not all(progress.states.get(dep) == "Succeeded" for dep in resource.depends_on):
                if resource.batch:  # a later item of a serial loop waits for the earlier ones
                    in_flight[resource.batch[0]] = resource.batch[1]
                continue
            if resource.batch:
                name, size = resource.batch
                if in_flight.get(name, 0) >= size:
                    continue
                in_flight[name] = in_flight.get(name, 0) + 1
            ready.append(resource)
        return ready

    async def _deploy_one(
        self,
        context: RunContext,
        prepared: Any,
        resource: Any,
        host: FrontDoorHost,
        client: FrontDoorClient,
        progress: _Progress,
    ) -> str:
        from ...templates import TemplateError

        kind = "Read" if resource.existing else "Create"
        operation_id, started, resumed = self._operation_slot(progress, kind, resource.resource_id)
        self._record_operation(context, operation_id, resource, kind, "Running", started)
        progress.running_operations[operation_id] = (kind, resource, started)
        try:
            noted = progress.writes.get(key_of(resource.resource_id)) if resumed else None
            if noted is not None and not resource.existing:
                # The earlier run's write was accepted: follow its LRO to the end, as a client would.
                outcome = await client.follow(resource.resource_id, resource.api_version, noted)
            elif resource.existing:
                version = resource.api_version
                response = await client.request("GET", f"{resource.resource_id}?api-version={version}")
                outcome = (
                    Outcome(response.status_code, body=response.json())
                    if response.status_code < 400
                    else Outcome(response.status_code, error=_error_of(response))
                )
            else:
                body = await asyncio.to_thread(prepared.render, resource, host)
                if resumed:  # a write the earlier run may have sent: written again (as ARM retries) once it ends
                    await client.wait_in_progress(resource.resource_id, resource.api_version)
                outcome = await client.write(
                    "PUT", resource.resource_id, resource.api_version, body, self._noter(context, resource.resource_id)
                )
        except TemplateError as error:
            outcome = Outcome(400, error=template_error_body(error))
        del progress.running_operations[operation_id]
        state = "Succeeded" if outcome.succeeded else "Failed"
        message: Any = outcome.body if outcome.succeeded else {"status": "Failed", "error": outcome.error}
        self._record_operation(
            context,
            operation_id,
            resource,
            kind,
            state,
            started,
            status_code_name(outcome.status),
            message,
            outcome.request_id,
        )
        if not outcome.succeeded:
            progress.errors.append(_detail(outcome.error or {}))
        return state

    async def _delete_undeclared(
        self, context: RunContext, prepared: Any, client: FrontDoorClient, progress: _Progress
    ) -> None:
        """Complete mode: the group's resources the template does not declare are deleted."""
        declared = {key_of(r.resource_id) for r in prepared.resources}
        url: str | None = f"{context.scope.id}/resources?api-version={RESOURCES_API_VERSION}"
        doomed: list[_Deleted] = []
        while url:
            response = await client.request("GET", url)
            if response.status_code >= 400:
                progress.errors.append(_detail(_error_of(response)))
                return
            page = response.json()
            for item in page.get("value", []):
                key = key_of(item["id"])
                if key in declared or any(d.startswith(key + "/") for d in declared):
                    continue
                version = latest_api_version(self.runtime, item["type"])
                doomed.append(_Deleted(item["id"], item["type"], item["name"], version))
            url = page.get("nextLink")

        # A resumed run: deletes the earlier run started on resources no longer listed (they ended).
        listed = {key_of(r.resource_id) for r in doomed}
        for (kind, key), operation in list(progress.earlier.items()):
            target = operation["properties"].get("targetResource", {})
            if kind == "Delete" and key not in listed and operation["properties"].get("provisioningState") == "Running":
                doomed.append(
                    _Deleted(
                        target["id"],
                        target.get("resourceType", ""),
                        target.get("resourceName", ""),
                        target.get("apiVersion", RESOURCES_API_VERSION),
                        gone=True,
                    )
                )

        async def delete(resource: _Deleted) -> None:
            operation_id, started, resumed = self._operation_slot(progress, "Delete", resource.resource_id)
            self._record_operation(context, operation_id, resource, "Delete", "Running", started)
            noted = progress.writes.get(key_of(resource.resource_id)) if resumed else None
            if noted is not None:  # the earlier run's delete: followed to its end
                outcome = await client.follow(resource.resource_id, resource.api_version, noted)
            elif resource.gone:
                outcome = Outcome(200)
            else:
                outcome = await client.write(
                    "DELETE",
                    resource.resource_id,
                    resource.api_version,
                    started=self._noter(context, resource.resource_id),
                )
            state = "Succeeded" if outcome.succeeded else "Failed"
            message = None if outcome.succeeded else {"status": "Failed", "error": outcome.error}
            self._record_operation(
                context,
                operation_id,
                resource,
                "Delete",
                state,
                started,
                status_code_name(outcome.status),
                message,
                outcome.request_id,
            )
            if not outcome.succeeded:
                progress.errors.append(_detail(outcome.error or {}))

        await asyncio.gather(*(delete(resource) for resource in doomed))

    def _noter(self, context: RunContext, resource_id: str) -> Any:
        """Records how to poll a write this run started, for a process that may resume the run."""

        def note(polling: dict[str, str]) -> None:
            with self.runtime.store.transaction() as tx:
                tx.note_deployment_write(context.key, self.owner, key_of(resource_id), polling)

        return note

    def _operation_slot(self, progress: _Progress, kind: str, resource_id: str) -> tuple[str, float, bool]:
        """(operation id, started, resumed): a resumed run goes on with the operation the earlier run
        left Running (one operation per resource in the list, as in ARM), else a new one."""
        earlier = progress.earlier.pop((kind, key_of(resource_id)), None)
        if earlier is not None and earlier["properties"].get("provisioningState") == "Running":
            started = _epoch(earlier["properties"].get("timestamp")) or self.runtime.clock.now()
            return earlier["operationId"], started, True
        return new_operation_id(), self.runtime.clock.now(), False

    # -- records ---------------------------------------------------------------------------------

    def _record_operation(
        self,
        context: RunContext,
        operation_id: str,
        resource: Any,
        kind: str,
        state: str,
        started: float,
        status_code: str | None = None,
        status_message: Any = None,
        request_id: str | None = None,
    ) -> None:
        body = operation_body(
            context.deployment_id,
            operation_id,
            resource,
            provisioning_operation=kind,
            state=state,
            started=started,
            now=self.runtime.clock.now(),
            status_code=status_code,
            status_message=status_message,
            request_id=request_id,
        )
        with self.runtime.store.transaction() as tx:
            if tx.get_deployment(context.key) is not None:
                tx.put_deployment_operation(context.key, operation_id, body)

    def _close_operations(self, context: RunContext, progress: _Progress, state: str) -> None:
        for operation_id, (kind, resource, started) in list(progress.running_operations.items()):
            self._record_operation(context, operation_id, resource, kind, state, started)
        progress.running_operations.clear()

    def _still_active(self, context: RunContext) -> bool:
        with self.runtime.store.transaction() as tx:
            record = tx.get_deployment(context.key)
        return record is not None and record.state in ACTIVE_STATES and not record.cancel_requested

    def _update(self, context: RunContext, state: str, **properties: Any) -> None:
        now = self.runtime.clock.now()
        with self.runtime.store.transaction() as tx:
            record = tx.get_deployment(context.key)
            if record is None or record.state not in ACTIVE_STATES:
                return  # canceled or deleted meanwhile: that answer stands
            body = json_copy(record.body)
            props = body.setdefault("properties", {})
            props.update(properties)
            props["provisioningState"] = state
            props["timestamp"] = iso8601(now)
            props["duration"] = iso_duration(now - context.started)
            tx.update_deployment_body(context.key, body, state, now)

    def _finish(self, context: RunContext, state: str, **properties: Any) -> None:
        self._update(context, state, **properties)


class CallerAuthorization:
    """The Authorization header a run sends: the caller's own, until it expires by the emulator's
    clock (a test may move it by days), or, for a resumed run, none at all; then a token minted
    here for the same principal (object id, tenant, app id) and re-minted before it expires."""

    RENEW_BEFORE_SECONDS = 60

    def __init__(self, runtime: Runtime, context: RunContext, caller: dict[str, str] | None) -> None:
        self._runtime = runtime
        self._base = context.base
        self._tenant = runtime.tenant_of(context.scope.subscription_id)
        self._caller = caller
        self._header = context.authorization or None
        self._expires = self._expiry(self._header)

    @staticmethod
    def _expiry(header: str | None) -> float | None:
        exp = jwt_claims((header or "").partition(" ")[2].strip()).get("exp")
        return float(exp) if isinstance(exp, int | float) else None

    def __call__(self) -> str | None:
        if self._caller is None:
            return self._header  # auth off, or a run recorded before callers were
        now = self._runtime.clock.now()
        stale = self._header is None or (self._expires is not None and self._expires - self.RENEW_BEFORE_SECONDS <= now)
        if stale:
            self._header = self._mint()
            self._expires = self._expiry(self._header)
        return self._header

    def _mint(self) -> str:
        from ...identity.directory import AppRegistration

        assert self._caller is not None
        tenant = self._caller.get("tid") or self._tenant
        app = AppRegistration(
            tenant_id=tenant,
            client_id=self._caller.get("appid", ""),
            client_secret=None,
            display_name="",
            object_id=self._caller.get("oid", ""),
        )
        issued = self._runtime.tokens.issue(app, audience=ARM_AUDIENCE, issuer=f"{self._base}/{tenant}/", version="1.0")
        return f"Bearer {issued.access_token}"


def caller_claims(authorization: str | None) -> dict[str, str] | None:
    """Who deployed, as a resumed run needs it: the principal claims of the caller's token (none
    without an Authorization header; empty for a bearer token that is not a JWT, lenient mode)."""
    if authorization is None:
        return None
    claims = jwt_claims(authorization.partition(" ")[2].strip())
    if not claims.get("appid") and claims.get("azp"):
        claims["appid"] = claims["azp"]
    return {name: str(claims[name]) for name in CALLER_CLAIMS if isinstance(claims.get(name), str)}


def _epoch(timestamp: Any) -> float | None:
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(timestamp).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _detail(error: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in error.items() if k in ("code", "message", "target", "details", "additionalInfo")}


def _error_of(response: Any) -> dict[str, Any]:
    from .front_door import error_of

    return error_of(response)
