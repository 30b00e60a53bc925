"""ArmError and its named constructors: every ARM error code and message is written once, here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ARM_NOT_FOUND_FIX = "For more details please go to https://aka.ms/ARMResourceNotFoundFix"


class ArmError(Exception):
    """An error answered to the client in the ARM envelope `{"error": {code, message, ...}}`.

    `gateway=True` marks errors that real ARM itself produces before the request reaches the
    resource provider; they carry `x-ms-failure-cause: gateway` as on the real service.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        gateway: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = details
        self.headers = dict(headers or {})
        self.gateway = gateway

    def __repr__(self) -> str:
        return f"ArmError(status={self.status}, code={self.code!r}, message={self.message!r})"

    def error_body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            error["target"] = self.target
        if self.details:
            error["details"] = self.details
        return {"error": error}


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(values)


# -- request shape -------------------------------------------------------------------------------


def missing_api_version() -> ArmError:
    return ArmError(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
        gateway=True,
    )


def unsupported_api_version(
    api_version: str, type_name: str, location: str | None, supported: Iterable[str], locations: Iterable[str]
) -> ArmError:
    return ArmError(
        400,
        "NoRegisteredProviderFound",
        f"No registered resource provider found for location '{location or ''}' and API version "
        f"'{api_version}' for type '{type_name}'. The supported api-versions are '{_quoted(supported)}'. "
        f"The supported locations are '{_quoted(locations)}'.",
        gateway=True,
    )


def location_not_available(location: str, type_name: str, available: Iterable[str]) -> ArmError:
    return ArmError(
        400,
        "LocationNotAvailableForResourceType",
        f"The provided location '{location}' is not available for resource type '{type_name}'. "
        f"List of available regions for the resource type is '{','.join(available)}'.",
        gateway=True,
    )


def invalid_api_version(api_version: str, supported: Iterable[str]) -> ArmError:
    return ArmError(
        400,
        "InvalidApiVersionParameter",
        f"The api-version '{api_version}' is invalid. The supported versions are '{_quoted(supported)}'.",
        gateway=True,
    )


def invalid_resource_namespace(namespace: str, status: int = 400) -> ArmError:
    """400 in a resource path; 404 where the namespace itself is what was asked for (providers API)."""
    return ArmError(
        status, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid.", gateway=True
    )


def invalid_resource_type(type_name: str, namespace: str, api_version: str | None) -> ArmError:
    return ArmError(
        400,
        "InvalidResourceType",
        f"The resource type '{type_name}' could not be found in the namespace '{namespace}' "
        f"for api version '{api_version or ''}'.",
        gateway=True,
    )


def no_route(method: str, path: str) -> ArmError:
    return ArmError(
        404,
        "NotFound",
        f"No HTTP resource was found that matches '{method} {path}'. "
        "The ARM emulator does not serve this endpoint; its README lists the endpoints it serves.",
    )


def method_not_allowed(method: str, path: str) -> ArmError:
    return ArmError(
        405, "MethodNotAllowed", f"The requested resource does not support http method '{method}' ({path})."
    )


def invalid_request_content(detail: str) -> ArmError:
    return ArmError(
        400,
        "InvalidRequestContent",
        f"The request content was invalid and could not be deserialized: '{detail}'.",
    )


def unsupported_media_type(content_type: str) -> ArmError:
    return ArmError(
        415,
        "UnsupportedMediaType",
        f"The content media type '{content_type}' is not supported. Only 'application/json' is supported.",
    )


def request_too_large(limit: int) -> ArmError:
    return ArmError(
        413,
        "RequestEntityTooLarge",
        f"The request content size exceeds the maximum allowed size of {limit} bytes.",
        gateway=True,
    )


def location_required() -> ArmError:
    return ArmError(400, "LocationRequired", "The location property is required for this definition.")


def invalid_resource_name(name: str, rule: str) -> ArmError:
    return ArmError(400, "InvalidResourceName", f"Resource name '{name}' is invalid. {rule}")


def invalid_resource_group_name(name: str) -> ArmError:
    return ArmError(
        400,
        "InvalidResourceGroupName",
        f"The resource group name '{name}' is invalid. It can be up to 90 characters long and can contain "
        "only letters, digits, '-', '_', '(', ')' and '.', and it cannot end with '.'.",
        gateway=True,
    )


def invalid_subscription_id(subscription_id: str) -> ArmError:
    return ArmError(
        400,
        "InvalidSubscriptionId",
        f"The provided subscription identifier '{subscription_id}' is malformed or invalid.",
        gateway=True,
    )


def invalid_tag_name(names: Iterable[str]) -> ArmError:
    return ArmError(
        400,
        "InvalidTagNameCharacters",
        f"The tag names '{_quoted(names)}' have reserved characters '<,>,%,&,\\,?,/' or control characters.",
        gateway=True,
    )


def invalid_tags(message: str) -> ArmError:
    return ArmError(400, "InvalidTag", message, gateway=True)


def invalid_skip_token() -> ArmError:
    return ArmError(400, "InvalidSkipToken", "The provided $skipToken is invalid or has expired.")


def invalid_top(value: str) -> ArmError:
    return ArmError(400, "InvalidTopParameter", f"The $top value '{value}' must be a positive integer.")


def location_immutable(name: str, existing: str, requested: str, resource_group: str) -> ArmError:
    return ArmError(
        409,
        "InvalidResourceLocation",
        f"The resource '{name}' already exists in location '{existing}' in resource group "
        f"'{resource_group}'. A resource with the same name cannot be created in location '{requested}'. "
        "Please select a new resource name.",
    )


# Management locks. ARM's own codes for a bad lock are not documented; these follow its naming
# (Invalid{Thing}) and the spec's wording of the rules.
def invalid_lock_level(level: object) -> ArmError:
    given = "is required" if level is None else f"'{level}' is invalid"
    return ArmError(
        400,
        "InvalidLockLevel",
        f"The lock level {given}. The supported lock levels are 'CanNotDelete', 'ReadOnly'.",
    )


def invalid_lock_name(name: str) -> ArmError:
    return ArmError(
        400,
        "InvalidLockName",
        f"The lock name '{name}' is invalid. It can be up to 260 characters long and cannot contain "
        "'<', '>', '%', '&', ':', '\\', '?', '/' or control characters.",
    )


def lock_notes_too_long(limit: int) -> ArmError:
    return ArmError(400, "LockNotesTooLong", f"The lock notes can be at most {limit} characters long.")


def invalid_lock_filter(value: str) -> ArmError:
    return ArmError(
        400,
        "InvalidFilter",
        f"The $filter '{value}' is not supported for management locks. The supported filter is 'atScope()'.",
    )


def lock_not_found(name: str) -> ArmError:
    return ArmError(404, "LockNotFound", f"The lock '{name}' could not be found.")


# -- lookups ---------------------------------------------------------------------------------------


def subscription_not_found(subscription_id: str) -> ArmError:
    return ArmError(
        404, "SubscriptionNotFound", f"The subscription '{subscription_id}' could not be found.", gateway=True
    )


def resource_group_not_found(name: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.", gateway=True)


def resource_not_found(type_path: str, resource_group: str) -> ArmError:
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{type_path}' under resource group '{resource_group}' was not found. {ARM_NOT_FOUND_FIX}",
        gateway=True,
    )


def parent_resource_not_found(parent_id: str) -> ArmError:
    return ArmError(
        404,
        "ParentResourceNotFound",
        f"Can not perform requested operation on nested resource. Parent resource '{parent_id}' not found.",
    )


def operation_not_found(operation_id: str) -> ArmError:
    return ArmError(404, "OperationNotFound", f"The operation '{operation_id}' could not be found.")


# -- writes ------------------------------------------------------------------------------------------


def precondition_failed(detail: str) -> ArmError:
    return ArmError(412, "PreconditionFailed", detail)


def missing_subscription_registration(namespace: str) -> ArmError:
    """ARM's answer to a write to a namespace the subscription has not registered; azure-mgmt-core reads
    the namespace as the last quoted string of the message, registers it and retries."""
    message = (
        f"The subscription is not registered to use namespace '{namespace}'. "
        "See https://aka.ms/rps-not-found for how to register subscriptions."
    )
    return ArmError(
        409,
        "MissingSubscriptionRegistration",
        message,
        details=[{"code": "MissingSubscriptionRegistration", "target": namespace, "message": message}],
        gateway=True,
    )


def operation_in_progress(resource_id: str, verb: str) -> ArmError:
    return ArmError(
        409,
        "AnotherOperationInProgress",
        f"Cannot {verb} resource '{resource_id}' while another operation on it is in progress. "
        "Retry once that operation has finished.",
    )


def scope_locked(scope: str, operation: str, locked_scopes: Iterable[str]) -> ArmError:
    """ARM's refusal of a delete (`operation` "delete") or a write ("write") under a management lock."""
    locked = ",".join(f"'{s}'" for s in locked_scopes)
    return ArmError(
        409,
        "ScopeLocked",
        f"The scope '{scope}' cannot perform {operation} operation because following scope(s) are locked: "
        f"{locked}. Please remove the lock and try again.",
        gateway=True,
    )


def conflict(code: str, message: str) -> ArmError:
    return ArmError(409, code, message)


def internal_error() -> ArmError:
    return ArmError(500, "InternalServerError", "The server encountered an internal error. Please retry.")


# -- requests refused before they are parsed (answered by the HTTP protocol, not the app) ------------


def request_uri_too_long(length: int, limit: int) -> ArmError:
    return ArmError(
        414,
        "RequestUriTooLong",
        f"The request URL is {length} bytes long; at most {limit} bytes are accepted.",
        gateway=True,
    )


def invalid_request_format(reason: str) -> ArmError:
    return ArmError(
        400,
        "InvalidRequestFormat",
        f"The request is not a valid HTTP/1.1 request and could not be read: {reason}.",
        gateway=True,
    )
