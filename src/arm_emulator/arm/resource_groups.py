"""ARM's own resource groups (Microsoft.Resources): PUT, GET, HEAD, PATCH, DELETE and list.

As in ARM, resources can only go into a group that exists; deleting a group deletes everything
in it, as a long-running operation polled through `Location`.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .api_versions import require_dated_api_version
from .bodies import blank, check_tags, parse_json_object, validate
from .endpoints import endpoint
from .export_template import ExportedResource, build_template, parse_options
from .operation_routes import operation_response
from .operations import catch_up, fresh_operation, new_operation, polling_headers
from .paging import list_response
from .resource_id import is_valid_resource_group_name, key_of, resource_group_id, shown_type_name
from .resource_type import LroProfile, LroStep, OperationStatusEndpoint
from .responses import base_url, empty_response, json_response, record_text
from .runtime import runtime_of
from .scopes import (
    RESOURCE_GROUP_TYPE_KEY,
    normalize_location,
    require_resource_group,
    require_subscription,
    resource_group_record,
)

NAMESPACE = "Microsoft.Resources"
# Microsoft.Resources versions, from the oldest clients still send (older azure-mgmt-resource releases
# and Terraform providers: 2019-10-01, 2020-06-01; Azure Stack profiles: 2016-02-01, 2018-05-01);
# newer dated versions are accepted too, since azure-cli and the SDKs move to new ones often and the
# group contract has not changed.
KNOWN_API_VERSIONS = (
    "2015-11-01",
    "2016-02-01",
    "2016-09-01",
    "2018-05-01",
    "2019-10-01",
    "2020-06-01",
    "2021-04-01",
    "2022-09-01",
    "2023-07-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
    "2025-04-01",
)
_GROUP = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"

DELETE_PROFILE = LroProfile(
    status_code=202,
    steps=(LroStep("Deleting", "Running"),),
    async_operation_header=False,
    location_header=True,
)


class ResourceGroupRequest(BaseModel):
    """ARM's ResourceGroup PUT body (Microsoft.Resources, 2021-04-01 and later)."""

    model_config = ConfigDict(extra="ignore")
    location: str
    tags: dict[str, str] | None = None
    managed_by: str | None = Field(None, alias="managedBy")


class ResourceGroupPatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    tags: dict[str, str] | None = None
    managed_by: str | None = Field(None, alias="managedBy")


class ExportTemplateRequest(BaseModel):
    """ResourceGroups_ExportTemplate body: resource ids (or `["*"]`) and CSV options."""

    model_config = ConfigDict(extra="ignore")
    resources: list[str] | None = None
    options: str | None = None
    output_format: str | None = Field(None, alias="outputFormat")


# The `apiVersion` exported for a type the emulator does not declare and has no write of on record:
# the Microsoft.Resources version most clients send.
UNDECLARED_TYPE_API_VERSION = "2021-04-01"
_EXPORT_BATCH = 1000


class OperationStatus(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: str


OPERATION_RESULTS = OperationStatusEndpoint(
    path="/subscriptions/{subscriptionId}/operationresults/{operationId}",
    body_model=OperationStatus,
    new_operation_id=lambda _request_id: secrets.token_urlsafe(24),
)


def _api_version(request: Request) -> str:
    return require_dated_api_version(request, KNOWN_API_VERSIONS)


def _render(record: Any) -> dict[str, Any]:
    return record.body  # type: ignore[no-any-return]


def _render_text(record: Any) -> str:
    return record_text(record, etag_in_body=False)


async def create_or_update(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    _api_version(request)
    raw = parse_json_object(await request.body(), request.headers.get("content-type"))
    subscription_id, name = params["subscriptionId"], params["resourceGroupName"]
    if not is_valid_resource_group_name(name):
        raise errors.invalid_resource_group_name(name)
    if blank(raw.get("location")):
        raise errors.location_required()
    requested = validate(ResourceGroupRequest, raw)
    check_tags(requested.get("tags"))
    location = normalize_location(requested["location"])
    with runtime.store.transaction() as tx:
        require_subscription(runtime, tx, subscription_id)
        existing = tx.get_resource(key_of(resource_group_id(subscription_id, name)))
        if existing is not None and existing.provisioning_state == "Deleting":
            raise errors.conflict(
                "ResourceGroupBeingDeleted",
                f"The resource group '{name}' is in deprovisioning state and cannot perform this operation.",
            )
        if existing is not None and existing.body["location"] != location:
            raise errors.conflict(
                "InvalidResourceGroupLocation",
                f"Invalid resource group location '{location}'. The Resource group already exists in "
                f"location '{existing.body['location']}'.",
            )
        record = resource_group_record(
            subscription_id,
            name,
            location,
            runtime.clock.now(),
            tags=requested.get("tags"),
            managed_by=requested.get("managedBy"),
            existing=existing,
        )
        tx.put_resource(record)
    return json_response(_render(record), 200 if existing else 201)


def _existing_group(request: Request, params: dict[str, str]) -> Any:
    runtime = runtime_of(request)
    _api_version(request)
    with runtime.store.transaction() as tx:
        return require_resource_group(runtime, tx, params["subscriptionId"], params["resourceGroupName"])


async def get(request: Request, params: dict[str, str]) -> Response:
    return json_response(_render(_existing_group(request, params)))


async def check_existence(request: Request, params: dict[str, str]) -> Response:
    try:
        _existing_group(request, params)
    except errors.ArmError as error:
        if error.status == 404:
            return empty_response(404)
        raise
    return empty_response(204)


async def update(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    raw = parse_json_object(await request.body(), request.headers.get("content-type"))
    patch = validate(ResourceGroupPatch, raw, patch=True)
    check_tags(patch.get("tags"))
    existing = _existing_group(request, params)
    record = resource_group_record(
        params["subscriptionId"],
        existing.body["name"],
        existing.body["location"],
        runtime.clock.now(),
        tags=patch["tags"] if "tags" in patch else existing.body.get("tags"),
        managed_by=patch["managedBy"] if "managedBy" in patch else existing.body.get("managedBy"),
        existing=existing,
    )
    with runtime.store.transaction() as tx:
        tx.put_resource(record)
    return json_response(_render(record))


async def delete(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    api_version = _api_version(request)
    existing = _existing_group(request, params)
    now = runtime.clock.now()
    with runtime.store.transaction() as tx:
        op = new_operation(
            runtime,
            operation_id=OPERATION_RESULTS.new_operation_id(request.state.request_id),
            namespace=NAMESPACE,
            resource_id=existing.id,
            resource_key=existing.key,
            subscription_id=params["subscriptionId"],
            location=existing.body["location"],
            kind="delete",
            api_version=api_version,
            profile=DELETE_PROFILE,
            timing=runtime.base_timing,
        )
        tx.add_operation(op)
        body = {**existing.body, "properties": {"provisioningState": "Deleting"}}
        tx.put_resource(
            existing.evolve(
                body=body, provisioning_state="Deleting", operation_id=op.id, due_at=op.due_at, updated_at=now
            )
        )
    headers = polling_headers(
        runtime, base_url(request, runtime.settings.public_url), OPERATION_RESULTS, op, DELETE_PROFILE
    )
    return empty_response(202, headers)


async def list_groups(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    api_version = _api_version(request)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
    catch_up(runtime, f"/subscriptions/{subscription.key}/")
    return list_response(
        request,
        runtime,
        api_version=api_version,
        scope=f"/subscriptions/{subscription.key}",
        type_key=RESOURCE_GROUP_TYPE_KEY,
        render=_render_text,
        subscription_key=subscription.key,
    )


def _newest_api_version(runtime: Any, type_name: str) -> str:
    """The newest stable version served; for a type stored generically, the newest it was written with."""
    found = runtime.registry.resource_type(type_name.lower())
    if found is None:
        with runtime.store.transaction() as tx:
            written = tx.generic_types(type_name.split("/", 1)[0].lower()).get(type_name.lower())
        return written[1][0] if written else UNDECLARED_TYPE_API_VERSION
    versions = sorted(found[1].api_versions)
    stable = [v for v in versions if "preview" not in v]
    return (stable or versions)[-1]


def _group_resources(runtime: Any, group: Any) -> list[ExportedResource]:
    found: list[ExportedResource] = []
    after = None
    while True:
        with runtime.store.transaction() as tx:
            rows = tx.scan_resources(
                subscription_key=group.subscription_key,
                excluded_type_key=RESOURCE_GROUP_TYPE_KEY,
                resource_group_key=group.key,
                after_seq=after,
                limit=_EXPORT_BATCH,
            )
        for row in rows:
            body = json.loads(row.raw)
            found.append(ExportedResource(row.id, shown_type_name(row.id, row.type_key, body.get("type")), body))
            after = row.seq
        if len(rows) < _EXPORT_BATCH:
            return found


async def export_template(request: Request, params: dict[str, str]) -> Response:
    """Answered at once (200): the swagger allows 200 besides 202, and the SDK's poller and
    `az group export` take it as the finished operation."""
    runtime = runtime_of(request)
    _api_version(request)
    raw = parse_json_object(await request.body(), request.headers.get("content-type"))
    asked = validate(ExportTemplateRequest, raw)
    try:
        options = parse_options(asked.get("options"))
    except ValueError as unknown:
        raise errors.invalid_request_content(
            f"The export template option '{unknown}' is not supported. Supported options: "
            "IncludeParameterDefaultValue, IncludeComments, SkipResourceNameParameterization, SkipAllParameterization"
        ) from None
    output_format = asked.get("outputFormat")
    if output_format is not None and output_format.lower() != "json":
        raise errors.ArmError(
            400,
            "InvalidOutputFormat",
            f"The output format '{output_format}' is not supported; the emulator exports Json.",
        )
    group = _existing_group(request, params)
    catch_up(runtime, group.key + "/")
    stored = _group_resources(runtime, group)
    wanted = asked.get("resources") or ["*"]
    missing: list[str] = []
    if wanted != ["*"]:
        by_id = {resource.id.lower(): resource for resource in stored}
        missing = [resource_id for resource_id in wanted if resource_id.lower() not in by_id]
        stored = [by_id[resource_id.lower()] for resource_id in dict.fromkeys(wanted) if resource_id.lower() in by_id]
    result: dict[str, Any] = {
        "template": build_template(stored, options, lambda type_name: _newest_api_version(runtime, type_name))
    }
    if missing:
        result["error"] = {
            "code": "ExportTemplateCompletedWithErrors",
            "message": "Export template operation completed with errors. Some resources were not exported. "
            "Please see details for more information.",
            "details": [
                {
                    "code": "ResourceNotFound",
                    "message": f"The resource '{resource_id}' was not found in resource group '{group.body['name']}'.",
                    "target": resource_id,
                }
                for resource_id in missing
            ],
        }
    return json_response(result)


async def get_operation_result(request: Request, params: dict[str, str]) -> Response:
    _api_version(request)
    op = fresh_operation(runtime_of(request), params["operationId"])
    if op is None or op.namespace != NAMESPACE or op.subscription_key != params["subscriptionId"].lower():
        raise errors.operation_not_found(params["operationId"])
    return operation_response(request, OPERATION_RESULTS, op, as_location=True)


def register(router: APIRouter) -> None:
    routes = [
        ("PUT", _GROUP, create_or_update, "CreateOrUpdate"),
        ("GET", _GROUP, get, "Get"),
        ("HEAD", _GROUP, check_existence, "CheckExistence"),
        ("PATCH", _GROUP, update, "Update"),
        ("DELETE", _GROUP, delete, "Delete"),
        ("GET", "/subscriptions/{subscriptionId}/resourceGroups", list_groups, "List"),
        ("POST", _GROUP + "/exportTemplate", export_template, "ExportTemplate"),
        ("GET", OPERATION_RESULTS.path, get_operation_result, "OperationResults_Get"),
    ]
    for method, path, handler, name in routes:
        router.add_api_route(
            path,
            endpoint(handler),
            methods=[method],
            operation_id=f"ResourceGroups_{name}",
            tags=["Microsoft.Resources/resourceGroups"],
            response_class=Response,
        )
