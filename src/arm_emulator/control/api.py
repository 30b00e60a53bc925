"""The control API under /_emulator: reset, state, journal, faults, clock and LRO timing."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response

from ..arm import errors
from ..arm.faults import FaultRuleSpec
from ..arm.journal import entry_json
from ..arm.lro_timing import MAX_STEP_SECONDS, MIN_STEP_SECONDS, LroTiming, valid_step
from ..arm.operations import catch_up, status_body
from ..arm.responses import empty_response, json_response, raw_json_response
from ..arm.runtime import runtime_of
from ..clock import iso8601
from .state import StateDocument, export_state, import_state, reset


async def require_control_token(request: Request) -> None:
    runtime = runtime_of(request)
    token = runtime.settings.control_token
    if token and request.headers.get("x-emulator-token") != token:
        raise errors.ArmError(401, "ControlTokenRequired", "The x-emulator-token header is missing or wrong.")
    runtime.controls.refresh()  # what another replica may have changed


class Advance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(gt=0, le=10 * 365 * 24 * 3600)


class Timing(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    mode: Literal["time", "polls"] = "time"
    step_seconds: float = Field(0.0, alias="stepSeconds", ge=0, le=MAX_STEP_SECONDS)

    @field_validator("step_seconds")
    @classmethod
    def _step(cls, value: float) -> float:
        if not valid_step(value):
            raise ValueError(f"a step is 0 or {MIN_STEP_SECONDS} to {MAX_STEP_SECONDS} seconds")
        return value

    def to_timing(self) -> LroTiming:
        return LroTiming(self.mode, self.step_seconds)


class TimingOverridesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default: Timing | None = None
    types: dict[str, Timing] = {}


def _timing_json(timing: LroTiming | None) -> dict[str, Any] | None:
    return None if timing is None else {"mode": timing.mode, "stepSeconds": timing.step_seconds}


def register(router: APIRouter) -> None:
    guarded = {"dependencies": [Depends(require_control_token)], "tags": ["emulator"], "response_class": Response}

    @router.post("/_emulator/reset", **guarded)
    async def reset_state(request: Request, subscription: str | None = None, provider: str | None = None) -> Response:
        """Everything, or only `?subscription=<id>`, or only `?provider=<namespace>`."""
        reset(runtime_of(request), subscription=subscription, provider=provider)
        return empty_response(204)

    @router.get("/_emulator/state", **guarded)
    async def get_state(request: Request) -> Response:
        return raw_json_response(await export_state(runtime_of(request)))

    @router.post("/_emulator/state", **guarded)
    async def post_state(request: Request, document: StateDocument) -> Response:
        """Import (same format as the export); resources arrive in their final state."""
        return json_response(import_state(runtime_of(request), document))

    @router.get("/_emulator/requests", **guarded)
    async def get_requests(
        request: Request,
        method: str | None = None,
        path_prefix: str | None = Query(None, alias="pathPrefix"),
        status: int | None = None,
        client_request_id: str | None = Query(None, alias="clientRequestId"),
        since: int | None = None,
    ) -> Response:
        entries = runtime_of(request).journal.query(
            method=method, path_prefix=path_prefix, status=status, client_request_id=client_request_id, since=since
        )
        return json_response({"value": [entry_json(e) for e in entries]})

    @router.delete("/_emulator/requests", **guarded)
    async def clear_requests(request: Request) -> Response:
        runtime_of(request).journal.clear()
        return empty_response(204)

    @router.get("/_emulator/faults", **guarded)
    async def get_faults(request: Request) -> Response:
        return json_response({"value": [r.to_json() for r in runtime_of(request).controls.fault_rules()]})

    @router.post("/_emulator/faults", **guarded)
    async def add_fault(request: Request, spec: FaultRuleSpec) -> Response:
        return json_response(runtime_of(request).controls.add_fault(spec).to_json(), 201)

    @router.delete("/_emulator/faults/{rule_id}", **guarded)
    async def delete_fault(request: Request, rule_id: str) -> Response:
        if not runtime_of(request).controls.remove_fault(rule_id):
            raise errors.ArmError(404, "FaultRuleNotFound", f"There is no fault rule '{rule_id}'.")
        return empty_response(204)

    @router.delete("/_emulator/faults", **guarded)
    async def clear_faults(request: Request) -> Response:
        runtime_of(request).controls.clear_faults()
        return empty_response(204)

    @router.get("/_emulator/clock", **guarded)
    async def get_clock(request: Request) -> Response:
        clock = runtime_of(request).clock
        return json_response({"now": iso8601(clock.now()), "offsetSeconds": clock.offset})

    @router.post("/_emulator/clock/advance", **guarded)
    async def advance_clock(request: Request, advance: Advance) -> Response:
        """Move time on instead of sleeping; operations now due take their steps before this answers."""
        runtime = runtime_of(request)
        runtime.controls.advance_clock(advance.seconds)
        while catch_up(runtime):
            pass
        return json_response({"now": iso8601(runtime.clock.now()), "offsetSeconds": runtime.clock.offset})

    @router.get("/_emulator/lro-timing", **guarded)
    async def get_timing(request: Request) -> Response:
        runtime = runtime_of(request)
        return json_response(
            {
                "base": _timing_json(runtime.base_timing),
                "default": _timing_json(runtime.timing.default),
                "types": {t: _timing_json(v) for t, v in runtime.timing.by_type.items()},
            }
        )

    @router.put("/_emulator/lro-timing", **guarded)
    async def put_timing(request: Request, body: TimingOverridesBody) -> Response:
        """Replace the overrides: a default for every type, and per type (`Namespace/type[/child]`)."""
        runtime = runtime_of(request)
        for type_name in body.types:
            if runtime.registry.resource_type(type_name) is None:
                raise errors.ArmError(400, "InvalidResourceType", f"The resource type '{type_name}' is not served.")
        runtime.controls.set_timing(
            body.default.to_timing() if body.default else None, {t: v.to_timing() for t, v in body.types.items()}
        )
        return await get_timing(request)

    @router.get("/_emulator/operations", **guarded)
    async def get_operations(request: Request, active: bool = True) -> Response:
        runtime = runtime_of(request)
        with runtime.store.transaction() as tx:
            operations = tx.list_operations(active_only=active)
        value = []
        for op in operations:
            provider = runtime.registry.provider(op.namespace)
            body = status_body(provider.operation_status, op) if provider else {"name": op.id, "status": op.status}
            value.append({**body, "kind": op.kind, "resourceId": op.resource_id, "perPoll": op.per_poll})
        return json_response({"value": value})
