"""The Deployments API (Microsoft.Resources/deployments) at resource-group, subscription, management-group
and tenant scope (the SDK's generic `/{scope}/providers/Microsoft.Resources/deployments` form lands on the
same paths): create (an LRO), get, check, list, delete, validate, what-if, cancel, export, operation status,
and deployment operations. Any api-version a client sends is served (the contract has not changed)."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ...clock import iso8601
from ...store.repository import DeploymentRecord
from .. import errors
from ..api_versions import api_version_of
from ..endpoints import add_routes
from ..errors import ArmError
from ..operations import retry_after
from ..paging import decode_skip_token, encode_skip_token, next_link, page_size
from ..responses import base_url, empty_response, json_response
from ..runtime import Runtime, runtime_of
from .front_door import FrontDoorClient
from .host import FrontDoorHost, latest_api_version
from .records import ACTIVE_STATES, deployment_body, template_error_body
from .request_body import parse_deployment_body
from .runner import DeploymentRunner, RunContext
from .scope import DEPLOYMENT_TYPE, DEPLOYMENTS_SEGMENT, DeploymentScope, scope_info
from .what_if import what_if

_NAME = re.compile(r"[-\w._()]{1,64}")
_FILTER = re.compile(r"\s*provisioningState\s+eq\s+'([^']*)'\s*", re.IGNORECASE)
_MODES = {"incremental": "Incremental", "complete": "Complete"}
_TAG = "Microsoft.Resources/deployments"
_TYPE_KEY = DEPLOYMENT_TYPE.lower()


def runner_of(request: Request) -> DeploymentRunner:
    state = request.app.state
    runner: DeploymentRunner | None = getattr(state, "deployment_runner", None)
    if runner is None:
        runner = state.deployment_runner = DeploymentRunner(request.app, runtime_of(request))
    return runner


# -- errors ------------------------------------------------------------------------------------------


def _not_found(name: str) -> ArmError:
    return ArmError(404, "DeploymentNotFound", f"Deployment '{name}' could not be found.")


def _invalid(code: str, message: str) -> ArmError:
    return ArmError(400, code, message)


def _template_failure(error: Any) -> ArmError:
    body = template_error_body(error)
    return ArmError(400, body["code"], body["message"], target=body.get("target"), details=body.get("details"))


# -- request reading ---------------------------------------------------------------------------------


def _api_version(request: Request) -> str:
    version = api_version_of(request)
    if not version:
        raise errors.missing_api_version()
    return version


def _target(request: Request, params: dict[str, str]) -> tuple[Runtime, DeploymentScope, str]:
    name = params["deploymentName"]
    if not _NAME.fullmatch(name):
        raise _invalid(
            "InvalidDeploymentName",
            f"The deployment name '{name[:80]}' is invalid: use 1 to 64 letters, digits, '-', '_', '.', '(' or ')'.",
        )
    return runtime_of(request), DeploymentScope.from_path(params), name


def _load(runtime: Runtime, scope: DeploymentScope, name: str) -> DeploymentRecord:
    with runtime.store.transaction() as tx:
        record = tx.get_deployment(scope.deployment_key(name))
        if record is None:
            scope.require(runtime, tx)
            raise _not_found(name)
    return record


async def _read_request(request: Request, scope: DeploymentScope) -> dict[str, Any]:
    """The body of a PUT, validate or what-if, checked as ARM checks it before looking at the template."""
    body = parse_deployment_body(await request.body(), request.headers.get("content-type"))
    properties = body.get("properties")
    if not isinstance(properties, dict):
        raise _invalid("InvalidRequestContent", "The request content is missing the 'properties' object.")
    mode = properties.get("mode", "Incremental")
    if not isinstance(mode, str) or mode.lower() not in _MODES:
        raise _invalid(
            "InvalidDeploymentMode", f"The deployment mode '{mode}' is not valid: use 'Incremental' or 'Complete'."
        )
    properties["mode"] = _MODES[mode.lower()]
    if scope.resource_group is None:
        if not body.get("location") or not isinstance(body["location"], str):
            raise _invalid(
                "InvalidDeployment", f"The 'location' property must be specified for a {scope.level}-scope deployment."
            )
        if properties["mode"] == "Complete":
            raise _invalid(
                "InvalidDeploymentMode", f"The 'Complete' mode is not supported for a {scope.level}-scope deployment."
            )
    if properties.get("templateLink") is not None:
        raise _invalid(
            "InvalidContentLink",
            "The emulator does not fetch linked templates (templateLink): send the template inline "
            "(az deployment ... --template-file).",
        )
    if properties.get("parametersLink") is not None:
        raise _invalid("InvalidContentLink", "The emulator does not fetch parameter files (parametersLink).")
    if not isinstance(properties.get("template"), dict):
        raise _invalid("InvalidTemplate", "The request content is missing the 'properties.template' object.")
    parameters = properties.get("parameters")
    if parameters is None:
        properties["parameters"] = {}
    elif not isinstance(parameters, dict):
        raise _invalid("InvalidRequestContent", "The 'properties.parameters' value must be an object.")
    return body


async def _prepare(runtime: Runtime, request: Request, scope: DeploymentScope, name: str, body: dict[str, Any]) -> Any:
    """The engine's plan, or ARM's 400: in a worker thread, within the engine's limits."""
    from ...templates import TemplateError, prepare

    base = base_url(request, runtime.settings.public_url)
    info = scope_info(runtime, scope, name, body.get("location"), base)
    properties = body["properties"]
    try:
        prepared = await asyncio.to_thread(prepare, properties["template"], properties["parameters"], info)
    except TemplateError as error:
        raise _template_failure(error) from None
    except RecursionError:
        message = "Deployment template validation failed: 'The template is nested too deeply.'."
        raise _invalid("InvalidTemplate", message) from None
    _refuse_unserved_scopes(name, prepared.resources)
    return prepared


def _refuse_unserved_scopes(name: str, resources: list[Any]) -> None:
    """The emulator serves resources of subscriptions only (and deployments at every scope): a resource a
    management-group or tenant template would write or read elsewhere is refused before anything is written,
    instead of failing the deployment halfway."""
    unserved = [
        r for r in resources if not r.resource_id.lower().startswith("/subscriptions/") and r.type.lower() != _TYPE_KEY
    ]
    if not unserved:
        return
    details = [
        {
            "code": "UnsupportedResourceScope",
            "target": r.resource_id,
            "message": f"The resource '{r.resource_id}' ({r.type}) is not under a subscription: the ARM emulator "
            "serves management-group and tenant scope deployments, but no resources at those scopes. Deploy "
            "into a subscription or resource group with a nested deployment (subscriptionId / resourceGroup).",
        }
        for r in unserved
    ]
    raise ArmError(
        400,
        "InvalidTemplateDeployment",
        f"The template deployment '{name}' is not valid according to the validation procedure: "
        f"{len(unserved)} resource(s) are at a scope the emulator does not serve. See inner errors for details.",
        details=details,
    )


def _status_url(request: Request, runtime: Runtime, deployment_id: str, job_id: str, api_version: str) -> str:
    base = base_url(request, runtime.settings.public_url)
    return f"{base}{deployment_id}/operationStatuses/{job_id}?api-version={api_version}"


# -- handlers ----------------------------------------------------------------------------------------


async def create_or_update(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    api_version = _api_version(request)
    with runtime.store.transaction() as tx:
        scope.require(runtime, tx)
    body = await _read_request(request, scope)
    prepared = await _prepare(runtime, request, scope, name, body)
    now = runtime.clock.now()
    correlation = request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
    key = scope.deployment_key(name)
    with runtime.store.transaction() as tx:
        existing = tx.get_deployment(key)
        if existing is not None and existing.state in ACTIVE_STATES:
            raise errors.conflict(
                "DeploymentActive",
                f"The deployment '{name}' is still running: wait for it to end, or cancel it, before deploying "
                "it again.",
            )
        record = tx.put_deployment(
            DeploymentRecord(
                key=key,
                id=scope.deployment_id(name),
                subscription_key=scope.subscription_key,
                scope_key=scope.key,
                body=deployment_body(
                    scope,
                    name,
                    body,
                    state="Accepted",
                    now=now,
                    correlation_id=correlation,
                    parameters=prepared.parameters,
                    template_hash=prepared.template_hash,
                    planned=prepared.resources,
                ),
                request=body,
                state="Accepted",
                job_id=str(uuid.uuid4()),
                job_kind="create",
                created_at=existing.created_at if existing else now,
                updated_at=now,
            )
        )
        tx.clear_deployment_operations(key)
    context = RunContext(
        key=key,
        deployment_id=record.id,
        scope=scope,
        mode=body["properties"]["mode"],
        base=base_url(request, runtime.settings.public_url),
        authorization=request.headers.get("authorization"),
        correlation_id=correlation,
        started=now,
    )
    runner_of(request).start(context, prepared)
    headers = {
        "Azure-AsyncOperation": _status_url(request, runtime, record.id, record.job_id, api_version),
        **retry_after(runtime, None),
    }
    return json_response(record.body, 200 if existing is not None else 201, headers)


async def get(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    _api_version(request)
    return json_response(_load(runtime, scope, name).body)


async def check_existence(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    _api_version(request)
    with runtime.store.transaction() as tx:
        found = tx.get_deployment(scope.deployment_key(name)) is not None
    return empty_response(204 if found else 404)


async def delete(request: Request, params: dict[str, str]) -> Response:
    """The record and its operations go (never the resources it deployed): 202 and a Location that
    answers 204; 204 if there is none; 409 while it runs."""
    runtime, scope, name = _target(request, params)
    api_version = _api_version(request)
    with runtime.store.transaction() as tx:
        record = tx.get_deployment(scope.deployment_key(name))
        if record is None:
            scope.require(runtime, tx)
            return empty_response(204)
        if record.state in ACTIVE_STATES:
            raise errors.conflict(
                "DeploymentActive",
                f"The deployment '{name}' cannot be deleted while it is running: cancel it first.",
            )
        tx.delete_deployment(record.key)
    location = _status_url(request, runtime, record.id, str(uuid.uuid4()), api_version)
    return empty_response(202, {"Location": location, **retry_after(runtime, None)})


async def list_deployments(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    scope = DeploymentScope.from_path(params)
    api_version = _api_version(request)
    wanted: str | None = None
    raw_filter = request.query_params.get("$filter")
    if raw_filter:
        found = _FILTER.fullmatch(raw_filter)
        if found is None:
            raise _invalid(
                "InvalidFilter",
                f"The $filter '{raw_filter[:200]}' is not supported: use provisioningState eq '{{state}}'.",
            )
        wanted = found.group(1).lower()
    top = request.query_params.get("$top")
    list_name = f"{scope.key}|deployments"
    after = decode_skip_token(list_name, request.query_params.get("$skipToken"))
    size = page_size(top, runtime.settings.page_size)
    with runtime.store.transaction() as tx:
        scope.require(runtime, tx)
        records = tx.list_deployments(scope.key, after_seq=after, limit=1_000_000)
    if wanted is not None:
        records = [r for r in records if r.state.lower() == wanted]
    page, more = records[:size], len(records) > size
    body: dict[str, Any] = {"value": [r.body for r in page]}
    if more and page[-1].seq is not None:
        carried = {"$filter": raw_filter} if raw_filter else None
        token = encode_skip_token(list_name, page[-1].seq)
        base = base_url(request, runtime.settings.public_url)
        body["nextLink"] = next_link(base, request.url.path, api_version, top, token, carried)
    return json_response(body)


async def validate(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    _api_version(request)
    with runtime.store.transaction() as tx:
        scope.require(runtime, tx)
    body = await _read_request(request, scope)
    prepared = await _prepare(runtime, request, scope, name, body)
    result = deployment_body(
        scope,
        name,
        body,
        state="Succeeded",
        now=runtime.clock.now(),
        correlation_id=request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4()),
        parameters=prepared.parameters,
        template_hash=prepared.template_hash,
        planned=prepared.resources,
    )
    result["properties"]["validatedResources"] = [{"id": r.resource_id} for r in prepared.resources]
    return json_response(result)


async def what_if_endpoint(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    _api_version(request)
    with runtime.store.transaction() as tx:
        scope.require(runtime, tx)
    body = await _read_request(request, scope)
    prepared = await _prepare(runtime, request, scope, name, body)
    correlation = request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
    client = FrontDoorClient(
        request.app, base_url(request, runtime.settings.public_url), request.headers.get("authorization"), correlation
    )
    try:
        host = FrontDoorHost(runtime, client, asyncio.get_running_loop())
        result = await what_if(
            prepared,
            scope.id,
            body["properties"]["mode"],
            host,
            client,
            lambda type_name: latest_api_version(runtime, type_name),
        )
    finally:
        await client.close()
    return json_response(result)


async def cancel(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    _api_version(request)
    record = _load(runtime, scope, name)
    if record.state not in ACTIVE_STATES:
        raise errors.conflict(
            "DeploymentCannotBeCancelled",
            f"The deployment '{name}' cannot be cancelled: it is '{record.state}', and only a deployment that is "
            "'Accepted' or 'Running' can be.",
        )
    now = runtime.clock.now()
    with runtime.store.transaction() as tx:
        body = dict(record.body)
        properties = dict(body.get("properties", {}))
        properties.update(provisioningState="Canceled", timestamp=iso8601(now))
        body["properties"] = properties
        tx.update_deployment_body(record.key, body, "Canceled", now)
        tx.request_deployment_cancel(record.key)
    runner_of(request).cancel(record.key)
    return empty_response(204)


async def export_template(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    _api_version(request)
    record = _load(runtime, scope, name)
    return json_response({"template": record.request.get("properties", {}).get("template")})


async def operation_status(request: Request, params: dict[str, str]) -> Response:
    """The deployment's Azure-AsyncOperation (its run) and a delete's Location (gone: 204)."""
    runtime, scope, name = _target(request, params)
    _api_version(request)
    with runtime.store.transaction() as tx:
        record = tx.get_deployment(scope.deployment_key(name))
    if record is None:
        return empty_response(204)
    state = record.state
    status = "Running" if state in ACTIVE_STATES else state
    body: dict[str, Any] = {"status": status}
    error = record.body.get("properties", {}).get("error")
    if error and status in ("Failed", "Canceled"):
        body["error"] = error
    headers = retry_after(runtime, None) if status == "Running" else {}
    return json_response(body, 200, headers)


async def list_operations(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    _api_version(request)
    record = _load(runtime, scope, name)
    with runtime.store.transaction() as tx:
        found = tx.deployment_operations(record.key)
    top = request.query_params.get("$top")
    if top is not None:
        found = found[: page_size(top, len(found) or 1)]
    return json_response({"value": found})


async def get_operation(request: Request, params: dict[str, str]) -> Response:
    runtime, scope, name = _target(request, params)
    _api_version(request)
    record = _load(runtime, scope, name)
    with runtime.store.transaction() as tx:
        found = [op for op in tx.deployment_operations(record.key) if op["operationId"] == params["operationId"]]
    if not found:
        raise ArmError(
            404,
            "DeploymentOperationNotFound",
            f"Deployment operation '{params['operationId'][:64]}' of deployment '{name}' could not be found.",
        )
    return json_response(found[0])


# -- routes ------------------------------------------------------------------------------------------

_SCOPES = (
    ("AtResourceGroupScope", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"),
    ("AtSubscriptionScope", "/subscriptions/{subscriptionId}"),
    ("AtManagementGroupScope", "/providers/Microsoft.Management/managementGroups/{groupId}"),
    ("AtTenantScope", ""),
)


def register(router: APIRouter) -> None:
    routes = []
    for suffix, prefix in _SCOPES:
        collection = prefix + DEPLOYMENTS_SEGMENT
        one = collection + "/{deploymentName}"
        routes += [
            ("GET", collection, list_deployments, f"Deployments_List{suffix}"),
            ("GET", collection + "/", list_deployments, f"Deployments_List{suffix}Slash"),
            ("PUT", one, create_or_update, f"Deployments_CreateOrUpdate{suffix}"),
            ("GET", one, get, f"Deployments_Get{suffix}"),
            ("HEAD", one, check_existence, f"Deployments_CheckExistence{suffix}"),
            ("DELETE", one, delete, f"Deployments_Delete{suffix}"),
            ("POST", one + "/validate", validate, f"Deployments_Validate{suffix}"),
            ("POST", one + "/whatIf", what_if_endpoint, f"Deployments_WhatIf{suffix}"),
            ("POST", one + "/cancel", cancel, f"Deployments_Cancel{suffix}"),
            ("POST", one + "/exportTemplate", export_template, f"Deployments_ExportTemplate{suffix}"),
            ("GET", one + "/operationStatuses/{operationStatusId}", operation_status, f"Deployments_Status{suffix}"),
            ("GET", one + "/operations", list_operations, f"DeploymentOperations_List{suffix}"),
            ("GET", one + "/operations/{operationId}", get_operation, f"DeploymentOperations_Get{suffix}"),
        ]
    # az and the SDK list a group deployment's operations without `providers/Microsoft.Resources`.
    bare = _SCOPES[0][1] + "/deployments/{deploymentName}/operations"
    routes += [
        ("GET", bare, list_operations, "DeploymentOperations_ListAtResourceGroupScopeShort"),
        ("GET", bare + "/{operationId}", get_operation, "DeploymentOperations_GetAtResourceGroupScopeShort"),
    ]
    add_routes(router, routes, _TAG)


__all__ = ["DEPLOYMENT_TYPE", "register", "runner_of"]
