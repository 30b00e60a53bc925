"""Running a prepared deployment: every resource through the front door, concurrently as its
dependencies allow, recorded operation by operation; then Complete mode's deletes and the outputs.

A run is an asyncio task of the serving process. Its state is in the database after every step, so
a GET or an operations list always shows where it is; a run a restart interrupted is settled by
`settle_unfinished` (Failed, with the reason), never left Running.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...clock import iso8601
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
from .scope import DeploymentScope

log = logging.getLogger(__name__)

# How often a run looks at the database for a cancel made by another process (seconds).
CANCEL_CHECK_SECONDS = 0.5


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


@dataclass(frozen=True)
class _Deleted:
    """A resource Complete mode deletes, in the shape operation records read (like a PlannedResource)."""

    resource_id: str
    type: str
    name: str
    api_version: str
    key: str = ""
    symbolic_name: str | None = None


class DeploymentRunner:
    """The deployments this process is running, by key."""

    def __init__(self, app: Any, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.stopping = False

    def start(self, context: RunContext, prepared: Any) -> None:
        task = asyncio.create_task(self._run(context, prepared), name=f"deployment {context.deployment_id}")
        self.tasks[context.key] = task

    def cancel(self, key: str) -> None:
        task = self.tasks.get(key)
        if task is not None:
            task.cancel()

    async def stop(self) -> None:
        """Server shutdown: runs end where they are; the next start settles them."""
        self.stopping = True
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- one run ---------------------------------------------------------------------------------

    async def _run(self, context: RunContext, prepared: Any) -> None:
        from ...templates import TemplateError

        client = FrontDoorClient(self.app, context.base, context.authorization, context.correlation_id)
        host = FrontDoorHost(self.runtime, client, asyncio.get_running_loop())
        for resource in prepared.resources:
            host.api_versions[key_of(resource.resource_id)] = resource.api_version
        progress = _Progress()
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
            # Cancelled by a user (the state is Canceled already) or by shutdown (settled on restart).
            if not self.stopping:
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

    async def _deploy_all(
        self, context: RunContext, prepared: Any, host: FrontDoorHost, client: FrontDoorClient, progress: _Progress
    ) -> None:
        pending = list(prepared.resources)
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

        operation_id = new_operation_id()
        started = self.runtime.clock.now()
        kind = "Read" if resource.existing else "Create"
        self._record_operation(context, operation_id, resource, kind, "Running", started)
        progress.running_operations[operation_id] = (kind, resource, started)
        try:
            if resource.existing:
                version = resource.api_version
                response = await client.request("GET", f"{resource.resource_id}?api-version={version}")
                outcome = (
                    Outcome(response.status_code, body=response.json())
                    if response.status_code < 400
                    else Outcome(response.status_code, error=_error_of(response))
                )
            else:
                body = await asyncio.to_thread(prepared.render, resource, host)
                outcome = await client.write("PUT", resource.resource_id, resource.api_version, body)
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

        async def delete(resource: _Deleted) -> None:
            operation_id = new_operation_id()
            started = self.runtime.clock.now()
            self._record_operation(context, operation_id, resource, "Delete", "Running", started)
            outcome = await client.write("DELETE", resource.resource_id, resource.api_version)
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
            body = copy.deepcopy(record.body)
            props = body.setdefault("properties", {})
            props.update(properties)
            props["provisioningState"] = state
            props["timestamp"] = iso8601(now)
            props["duration"] = iso_duration(now - context.started)
            tx.update_deployment_body(context.key, body, state, now)

    def _finish(self, context: RunContext, state: str, **properties: Any) -> None:
        self._update(context, state, **properties)


def _detail(error: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in error.items() if k in ("code", "message", "target", "details", "additionalInfo")}


def _error_of(response: Any) -> dict[str, Any]:
    from .front_door import error_of

    return error_of(response)


def settle_unfinished(runtime: Runtime) -> None:
    """At start: runs a previous process left are failed (their caller and progress are gone); a
    delete it left is finished."""
    now = runtime.clock.now()
    with runtime.store.transaction() as tx:
        for record in tx.unfinished_deployments():
            if record.state == "Deleting":
                tx.delete_deployment(record.key)
                continue
            body = copy.deepcopy(record.body)
            props = body.setdefault("properties", {})
            props["provisioningState"] = "Failed"
            props["timestamp"] = iso8601(now)
            props["error"] = deployment_failed(
                [
                    {
                        "code": "DeploymentInterrupted",
                        "message": "The emulator restarted while the deployment was running. Deploy it again "
                        "to finish it: resources it wrote already are updated in place.",
                    }
                ]
            )
            tx.update_deployment_body(record.key, body, "Failed", now)
            for operation in tx.deployment_operations(record.key):
                if operation["properties"].get("provisioningState") == "Running":
                    operation["properties"]["provisioningState"] = "Failed"
                    tx.put_deployment_operation(record.key, operation["operationId"], operation)
