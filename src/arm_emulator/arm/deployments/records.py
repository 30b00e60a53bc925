"""The shapes ARM answers for deployments: DeploymentExtended, deployment operations, their errors."""

from __future__ import annotations

import secrets
from http import HTTPStatus
from typing import Any

from ...clock import iso8601
from .scope import DEPLOYMENT_TYPE, DeploymentScope

# A deployment is running while in these states (cancel applies, delete and re-PUT are refused).
ACTIVE_STATES = frozenset({"Accepted", "Running"})
OPERATIONS_HELP = (
    "Please list deployment operations for details. "
    "Please see https://aka.ms/arm-deployment-operations for usage details."
)


def new_operation_id() -> str:
    """ARM's deployment operation ids: 16 upper-case hex digits."""
    return secrets.token_hex(8).upper()


def iso_duration(seconds: float) -> str:
    """`PT22.8356799S`, `PT1M2.5S`: the ISO-8601 duration ARM reports."""
    seconds = max(0.0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{int(hours)}H"
    if minutes:
        text += f"{int(minutes)}M"
    fraction = f"{rest:.7f}".rstrip("0").rstrip(".")
    return text + f"{fraction}S"


def status_code_name(status: int) -> str:
    """`OK`, `Created`, `BadRequest`: how deployment operations name an HTTP status."""
    try:
        return "".join(word.capitalize() for word in HTTPStatus(status).phrase.split())
    except ValueError:
        return str(status)


def deployment_body(
    scope: DeploymentScope,
    name: str,
    request: dict[str, Any],
    *,
    state: str,
    now: float,
    correlation_id: str,
    parameters: dict[str, Any],
    template_hash: str | None,
    planned: list[Any],
) -> dict[str, Any]:
    """A DeploymentExtended as a PUT starts it (`planned`: the engine's PlannedResources)."""
    properties = request.get("properties") or {}
    body: dict[str, Any] = {"id": scope.deployment_id(name), "name": name, "type": DEPLOYMENT_TYPE}
    if request.get("location"):
        body["location"] = request["location"]
    if request.get("tags"):
        body["tags"] = request["tags"]
    extended: dict[str, Any] = {
        "templateHash": template_hash,
        "parameters": parameters,
        "mode": properties.get("mode") or "Incremental",
        "provisioningState": state,
        "timestamp": iso8601(now),
        "duration": "PT0S",
        "correlationId": correlation_id,
        "providers": providers_of(planned),
        "dependencies": dependencies_of(planned),
    }
    for optional in ("templateLink", "parametersLink", "debugSetting", "onErrorDeployment", "validationLevel"):
        if properties.get(optional) is not None:
            extended[optional] = properties[optional]
    body["properties"] = {k: v for k, v in extended.items() if v is not None}
    return body


def providers_of(planned: list[Any]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, set[str]]] = {}
    for resource in planned:
        namespace, _, type_path = resource.type.partition("/")
        found.setdefault(namespace, {}).setdefault(type_path, set())
    return [
        {"namespace": namespace, "resourceTypes": [{"resourceType": t, "locations": []} for t in types]}
        for namespace, types in found.items()
    ]


def dependencies_of(planned: list[Any]) -> list[dict[str, Any]]:
    by_key = {resource.key: resource for resource in planned}

    def ref(resource: Any) -> dict[str, str]:
        return {"id": resource.resource_id, "resourceType": resource.type, "resourceName": resource.name}

    return [
        {**ref(resource), "dependsOn": [ref(by_key[k]) for k in sorted(resource.depends_on) if k in by_key]}
        for resource in planned
        if resource.depends_on
    ]


def operation_body(
    deployment_id: str,
    operation_id: str,
    resource: Any,
    *,
    provisioning_operation: str,
    state: str,
    started: float,
    now: float,
    status_code: str | None = None,
    status_message: Any = None,
    tracking_id: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """One DeploymentOperation (`resource`: the engine's PlannedResource)."""
    properties: dict[str, Any] = {
        "provisioningOperation": provisioning_operation,
        "provisioningState": state,
        "timestamp": iso8601(now),
        "duration": iso_duration(now - started),
        "trackingId": tracking_id or new_tracking_id(),
        "serviceRequestId": request_id,
        "statusCode": status_code,
        "statusMessage": status_message,
        "targetResource": {
            "id": resource.resource_id,
            "resourceType": resource.type,
            "resourceName": resource.name,
            "apiVersion": resource.api_version,
            "symbolicName": resource.symbolic_name,
        },
    }
    properties["targetResource"] = {k: v for k, v in properties["targetResource"].items() if v is not None}
    return {
        "id": f"{deployment_id}/operations/{operation_id}",
        "operationId": operation_id,
        "properties": {k: v for k, v in properties.items() if v is not None},
    }


def new_tracking_id() -> str:
    import uuid

    return str(uuid.uuid4())


def deployment_failed(details: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "code": "DeploymentFailed",
        "message": f"At least one resource deployment operation failed. {OPERATIONS_HELP}",
        "details": details,
    }


def template_error_body(error: Any) -> dict[str, Any]:
    """A TemplateError from the engine as an ARM error object."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if getattr(error, "target", None):
        body["target"] = error.target
    if getattr(error, "details", None):
        body["details"] = list(error.details)
    return body
