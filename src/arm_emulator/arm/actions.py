"""POST actions: on a resource (`{id}/{action}`) and on a provider at subscription scope
(`/subscriptions/{s}/providers/{namespace}/{action}`). Handlers are the providers' (`Action`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .api_versions import api_version_of
from .bodies import parse_json_object
from .endpoints import endpoint
from .resource_id import ResourceId
from .resource_type import Action, ActionContext, Provider
from .responses import empty_response, json_response
from .runtime import Runtime, runtime_of
from .scopes import require_subscription


def find_action(actions: Iterable[Action], name: str) -> Action | None:
    wanted = name.lower()
    return next((a for a in actions if a.name.lower() == wanted), None)


def action_segment(action: Action) -> str:
    """The action's path segment as routes declare it: lower-case, so that two providers spelling
    the same action differently (`checkNameAvailability`, `checknameavailability`) share one casing;
    requests in any casing are matched (arm.resource_id.PathCanonicalizer)."""
    return action.name.lower()


def run_action(
    runtime: Runtime,
    request: Request,
    action: Action,
    api_version: str,
    raw_body: bytes,
    subscription_id: str,
    resource_id: ResourceId | None,
    resource: dict[str, Any] | None,
) -> tuple[Response, dict[str, Any] | None]:
    """The action's answer, and the resource's new body if the action changed it."""
    body = parse_json_object(raw_body, request.headers.get("content-type")) if raw_body.strip() else None

    def name_taken(type_name: str, name: str) -> bool:
        with runtime.store.transaction() as tx:
            return tx.name_taken(type_name.lower(), name)

    context = ActionContext(
        subscription_id=subscription_id,
        api_version=api_version,
        tenant_id=runtime.tenant_of(subscription_id),
        resource_id=resource_id,
        resource=resource,
        lookup=runtime.lookup,
        name_taken=name_taken,
    )
    result = action.handler(context, body)
    if result.body is None:
        return empty_response(result.status_code), result.resource
    return json_response(result.body, result.status_code), result.resource


def register_provider_actions(router: APIRouter, provider: Provider) -> None:
    """A route for each of a provider's subscription-level actions."""
    if not provider.actions:
        return
    api_versions = sorted({v for rt in provider.resource_types for v in rt.api_versions})

    async def post_provider_action(request: Request, params: dict[str, str]) -> Response:
        runtime = runtime_of(request)
        action = find_action(provider.actions, request.url.path.rsplit("/", 1)[-1])
        if action is None:
            raise errors.no_route("POST", request.url.path)
        api_version = api_version_of(request)
        if not api_version:
            raise errors.missing_api_version()
        if api_version not in api_versions:
            raise errors.unsupported_api_version(
                api_version, f"{provider.namespace}/{action.name}", None, api_versions, provider.locations
            )
        with runtime.store.transaction() as tx:
            subscription = require_subscription(runtime, tx, params["subscriptionId"])
        raw_body = await request.body()
        response, _ = run_action(
            runtime, request, action, api_version, raw_body, subscription.subscription_id, None, None
        )
        return response

    for action in provider.actions:
        router.add_api_route(
            f"/subscriptions/{{subscriptionId}}/providers/{provider.namespace}/{action_segment(action)}",
            endpoint(post_provider_action),
            methods=["POST"],
            operation_id=f"{provider.namespace}_{action.name}",
            tags=[provider.namespace],
            response_class=Response,
        )
