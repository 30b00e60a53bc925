"""The operation-status endpoints clients poll (`Azure-AsyncOperation` and `Location` targets)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import OperationRecord
from . import errors
from .api_versions import api_version_of
from .endpoints import endpoint
from .operations import fresh_operation, fresh_resource, retry_after, status_body
from .resource_type import OperationStatusEndpoint, Provider
from .responses import (
    empty_response,
    error_response,
    json_response,
    raw_json_response,
    record_text,
    shape,
    with_etag,
)
from .runtime import runtime_of
from .writes import ResourceWriter


def _asks_for_location_semantics(declaration: OperationStatusEndpoint) -> Callable[[Request], bool]:
    wanted = parse_qsl(declaration.location_query or "")

    def check(request: Request) -> bool:
        return bool(wanted) and all(request.query_params.get(k, "").lower() == v.lower() for k, v in wanted)

    return check


def operation_response(
    request: Request,
    declaration: OperationStatusEndpoint,
    op: OperationRecord,
    *,
    as_location: bool,
) -> Response:
    """`as_location`: answer as a Location target (202 until done, then the verb's own result)."""
    runtime = runtime_of(request)
    if as_location:
        if not op.done:
            return empty_response(202, {"Location": str(request.url), **retry_after(runtime, op.due_at)})
        if op.status != "Succeeded":
            error = op.error or {"code": op.status, "message": f"The operation ended {op.status}."}
            return error_response(errors.ArmError(400, error["code"], error.get("message", "")))
        if op.kind == "delete":
            return empty_response(204)
        record = fresh_resource(runtime, op.resource_key)
        if record is None:
            return empty_response(204)
        found = runtime.registry.resource_type(record.type_key)
        if found is None:
            return raw_json_response(record_text(record, etag_in_body=False), 200, {"ETag": record.etag})
        provider, resource_type = found
        # The resource as the version that started the operation shows it.
        text = ResourceWriter(provider, resource_type).view_text(
            op.api_version, record.raw, record.body, (record.key, record.etag)
        )
        if resource_type.etag_in_body:
            text = with_etag(text, record.etag)
        return raw_json_response(text, 200, {"ETag": record.etag})
    status = 200 if op.done else declaration.in_progress_status_code
    headers = {} if op.done else retry_after(runtime, op.due_at)
    return json_response(shape(declaration.body_model, status_body(declaration, op)), status, headers)


def register_operation_status(router: APIRouter, provider: Provider) -> None:
    declaration = provider.operation_status
    as_location = _asks_for_location_semantics(declaration)
    api_versions = sorted({v for rt in provider.resource_types for v in rt.api_versions})

    async def get_operation_status(request: Request, path: dict[str, str]) -> Response:
        api_version = api_version_of(request)
        if not api_version:
            raise errors.missing_api_version()
        if api_version not in api_versions:
            raise errors.invalid_api_version(api_version, api_versions)
        op = fresh_operation(runtime_of(request), path["operationId"])
        if (
            op is None
            or op.namespace.lower() != provider.namespace.lower()
            or ("subscriptionId" in path and op.subscription_key != path["subscriptionId"].lower())
        ):
            raise errors.operation_not_found(path["operationId"])
        return operation_response(request, declaration, op, as_location=as_location(request))

    router.add_api_route(
        declaration.path,
        endpoint(get_operation_status),
        methods=["GET"],
        operation_id=f"{provider.namespace}_OperationStatus_Get",
        tags=[provider.namespace],
        response_class=Response,
    )
