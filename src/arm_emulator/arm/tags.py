"""ARM's tags API (Microsoft.Resources/tags): a scope's own tags, and a subscription's tag names.

`{scope}/providers/Microsoft.Resources/tags/default` reads and writes the tags of the scope itself:
a subscription's (kept with the subscription), a resource group's, or a served resource's (the same
`tags` its GET shows; a write gives it a new ETag and systemData, as a tags-only PATCH does).
`/subscriptions/{s}/tagNames` lists every tag name and value in use with counts, plus the predefined
names and values created with PUT; a predefined name or value still in use cannot be deleted.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import StoreTransaction
from . import errors
from .api_versions import require_dated_api_version
from .auth import caller
from .bodies import check_tags, json_copy, parse_json_object, validate
from .conditions import new_etag
from .embedding import sync_parent
from .endpoints import add_routes
from .extension_scopes import ExtensionScope
from .responses import empty_response, json_response
from .runtime import runtime_of
from .scopes import require_subscription
from .writes import ResourceWriter

# The tags API's versions: 2019-10-01 added tags at any scope; later dated versions are accepted too.
KNOWN_API_VERSIONS = ("2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01")
TAGS_SUFFIX = "/providers/Microsoft.Resources/tags/default"
_RESERVED_PREFIXES = ("microsoft", "azure", "windows")


class _TagsProperties(BaseModel):
    model_config = ConfigDict(extra="ignore")
    tags: dict[str, str] | None = None


class TagsResource(BaseModel):
    """Tags - Create Or Update At Scope body."""

    model_config = ConfigDict(extra="ignore")
    properties: _TagsProperties


class TagsPatchResource(BaseModel):
    """Tags - Update At Scope body."""

    model_config = ConfigDict(extra="ignore")
    operation: Literal["Replace", "Merge", "Delete"]
    properties: _TagsProperties


def _api_version(request: Request) -> str:
    return require_dated_api_version(request, KNOWN_API_VERSIONS)


# -- scopes ------------------------------------------------------------------------------------------


class _Scope(ExtensionScope):
    """The scope a tags request names, with its tags."""

    def read(self) -> dict[str, str]:
        """The scope's tags; 404 if the scope does not exist."""
        if self.resource_group is None:
            with self.runtime.store.transaction() as tx:
                subscription = require_subscription(self.runtime, tx, self.subscription_id)
                return dict(tx.get_subscription_tags(subscription.key)["tags"])
        return dict(self.record().body.get("tags") or {})

    def write(self, request: Request, tags: dict[str, str]) -> None:
        check_tags(tags)
        now = self.runtime.clock.now()
        if self.resource_group is None:
            with self.runtime.store.transaction() as tx:
                subscription = require_subscription(self.runtime, tx, self.subscription_id)
                document = tx.get_subscription_tags(subscription.key)
                document["tags"] = tags
                tx.put_subscription_tags(subscription.key, document)
            return
        existing = self.record()
        if existing.operation_id is not None:
            raise errors.operation_in_progress(existing.id, "update")
        body = json_copy(existing.body)
        body["tags"] = tags
        if self.rid is not None:
            who = caller(request.headers.get("authorization"))
            body["systemData"] = ResourceWriter.system_data(who, now, existing, modified=True)
        record = existing.evolve(body=body, etag=new_etag(now), updated_at=now)
        with self.runtime.store.transaction() as tx:
            tx.put_resource(record, new=False)
            if self.rid is not None:
                found = self.runtime.registry.resource_type(self.rid.type_key)
                if found is not None:
                    sync_parent(tx, found[1], self.rid.type_key, self.rid.parent_key, now)


def _scope(request: Request, params: dict[str, str]) -> _Scope:
    _api_version(request)
    return _Scope(runtime_of(request), request.method, request.url.path, params["scope"])


def _tags_resource(scope: _Scope, tags: dict[str, str]) -> dict[str, Any]:
    return {
        "id": scope.id + TAGS_SUFFIX,
        "name": "default",
        "type": "Microsoft.Resources/tags",
        "properties": {"tags": tags},
    }


async def _body(request: Request, model: type[BaseModel]) -> dict[str, Any]:
    raw = parse_json_object(await request.body(), request.headers.get("content-type"))
    if isinstance(raw.get("operation"), str) and model is TagsPatchResource:
        known = ("Replace", "Merge", "Delete")
        match = next((k for k in known if k.lower() == raw["operation"].lower()), None)
        if match is None:
            raise errors.invalid_request_content(
                f"The tag operation '{raw['operation']}' is not supported. Supported operations: "
                "'Replace', 'Merge', 'Delete'."
            )
        raw = {**raw, "operation": match}
    return validate(model, raw)


async def get_at_scope(request: Request, params: dict[str, str]) -> Response:
    scope = _scope(request, params)
    return json_response(_tags_resource(scope, scope.read()))


async def create_or_update_at_scope(request: Request, params: dict[str, str]) -> Response:
    scope = _scope(request, params)
    body = await _body(request, TagsResource)
    tags = body["properties"].get("tags") or {}
    scope.write(request, tags)
    return json_response(_tags_resource(scope, tags))


async def update_at_scope(request: Request, params: dict[str, str]) -> Response:
    scope = _scope(request, params)
    body = await _body(request, TagsPatchResource)
    given = body["properties"].get("tags") or {}
    tags = scope.read()
    operation = body["operation"]
    if operation == "Replace":
        tags = dict(given)
    elif operation == "Merge":
        tags.update(given)
    else:  # Delete: the names given, where the value given (if any) matches
        tags = {
            name: value
            for name, value in tags.items()
            if not any(name.lower() == n.lower() and (v in ("", value)) for n, v in given.items())
        }
    scope.write(request, tags)
    return json_response(_tags_resource(scope, tags))


async def delete_at_scope(request: Request, params: dict[str, str]) -> Response:
    scope = _scope(request, params)
    scope.read()  # 404 for an absent scope
    scope.write(request, {})
    return empty_response(200)


# -- tag names ---------------------------------------------------------------------------------------


def _usage(tx: StoreTransaction, subscription_key: str) -> dict[str, tuple[str, int, dict[str, int]]]:
    """Tag name (lower case) -> (name as first seen, resources using it, value -> resources using it)."""
    used: dict[str, tuple[str, int, dict[str, int]]] = {}
    for body in tx.resource_bodies(subscription_key):
        for name, value in (body.get("tags") or {}).items():
            shown, count, values = used.get(name.lower(), (name, 0, {}))
            values[value] = values.get(value, 0) + 1
            used[name.lower()] = (shown, count + 1, values)
    return used


def _names_root(subscription_id: str) -> str:
    return f"/subscriptions/{subscription_id}/tagNames"


def _tag_value(subscription_id: str, name: str, value: str, count: int) -> dict[str, Any]:
    return {
        "id": f"{_names_root(subscription_id)}/{name}/tagValues/{value}",
        "tagValue": value,
        "count": {"type": "Total", "value": count},
    }


async def list_tag_names(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    _api_version(request)
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
        used = _usage(tx, subscription.key)
        predefined = tx.get_subscription_tags(subscription.key)["predefined"]
    subscription_id = subscription.subscription_id
    names: dict[str, tuple[str, int, dict[str, int]]] = dict(used)
    for name, values in predefined.items():
        shown, count, counts = names.get(name.lower(), (name, 0, {}))
        merged = dict(counts)
        for value in values:
            merged.setdefault(value, 0)
        names[name.lower()] = (shown, count, merged)
    value = [
        {
            "id": f"{_names_root(subscription_id)}/{shown}",
            "tagName": shown,
            "count": {"type": "Total", "value": count},
            "values": [_tag_value(subscription_id, shown, v, n) for v, n in counts.items()],
        }
        for shown, count, counts in names.values()
    ]
    return json_response({"value": value})


def _predefined_name(predefined: dict[str, list[str]], name: str) -> str | None:
    return next((n for n in predefined if n.lower() == name.lower()), None)


async def create_tag_name(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    _api_version(request)
    name = params["tagName"]
    check_tags({name: ""})
    if name.lower().startswith(_RESERVED_PREFIXES):
        raise errors.invalid_tags(
            f"The tag name '{name}' has a reserved prefix; tag names cannot begin with "
            "'microsoft', 'azure' or 'windows'."
        )
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
        document = tx.get_subscription_tags(subscription.key)
        existing = _predefined_name(document["predefined"], name)
        if existing is None:
            document["predefined"][name] = []
            tx.put_subscription_tags(subscription.key, document)
        shown = existing or name
        count = _usage(tx, subscription.key).get(name.lower(), (shown, 0, {}))[1]
    body = {
        "id": f"{_names_root(subscription.subscription_id)}/{shown}",
        "tagName": shown,
        "count": {"type": "Total", "value": count},
        "values": [],
    }
    return json_response(body, 200 if existing else 201)


async def create_tag_value(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    _api_version(request)
    name, value = params["tagName"], params["tagValue"]
    check_tags({name: value})
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
        document = tx.get_subscription_tags(subscription.key)
        shown = _predefined_name(document["predefined"], name) or name
        values = document["predefined"].setdefault(shown, [])
        created = value not in values
        if created:
            values.append(value)
            tx.put_subscription_tags(subscription.key, document)
        count = _usage(tx, subscription.key).get(name.lower(), (shown, 0, {}))[2].get(value, 0)
    return json_response(_tag_value(subscription.subscription_id, shown, value, count), 201 if created else 200)


async def delete_tag_name(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    _api_version(request)
    name = params["tagName"]
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
        document = tx.get_subscription_tags(subscription.key)
        shown = _predefined_name(document["predefined"], name)
        if name.lower() in _usage(tx, subscription.key):
            raise errors.conflict(
                "TagNameInUse",
                f"The tag name '{name}' cannot be deleted: it is in use as a tag name for a resource. "
                "The name being deleted must not be in use as a tag name for any resource.",
            )
        if shown is None:
            return empty_response(204)
        if document["predefined"][shown]:
            raise errors.conflict(
                "TagNameHasValues",
                f"The tag name '{name}' cannot be deleted: all predefined values for the given name must "
                "have already been deleted.",
            )
        del document["predefined"][shown]
        tx.put_subscription_tags(subscription.key, document)
    return empty_response(200)


async def delete_tag_value(request: Request, params: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    _api_version(request)
    name, value = params["tagName"], params["tagValue"]
    with runtime.store.transaction() as tx:
        subscription = require_subscription(runtime, tx, params["subscriptionId"])
        document = tx.get_subscription_tags(subscription.key)
        shown = _predefined_name(document["predefined"], name)
        if value in _usage(tx, subscription.key).get(name.lower(), (name, 0, {}))[2]:
            raise errors.conflict(
                "TagValueInUse",
                f"The tag value '{value}' of tag name '{name}' cannot be deleted: the value being deleted must "
                "not be in use as a tag value for the given tag name for any resource.",
            )
        if shown is None or value not in document["predefined"][shown]:
            return empty_response(204)
        document["predefined"][shown].remove(value)
        tx.put_subscription_tags(subscription.key, document)
    return empty_response(200)


def register(router: APIRouter) -> None:
    names = "/subscriptions/{subscriptionId}/tagNames"
    at_scope = "/{scope:path}" + TAGS_SUFFIX
    routes = [
        ("GET", names, list_tag_names, "Tags_List"),
        ("PUT", names + "/{tagName}", create_tag_name, "Tags_CreateOrUpdate"),
        ("DELETE", names + "/{tagName}", delete_tag_name, "Tags_Delete"),
        ("PUT", names + "/{tagName}/tagValues/{tagValue}", create_tag_value, "Tags_CreateOrUpdateValue"),
        ("DELETE", names + "/{tagName}/tagValues/{tagValue}", delete_tag_value, "Tags_DeleteValue"),
        ("GET", at_scope, get_at_scope, "Tags_GetAtScope"),
        ("PUT", at_scope, create_or_update_at_scope, "Tags_CreateOrUpdateAtScope"),
        ("PATCH", at_scope, update_at_scope, "Tags_UpdateAtScope"),
        ("DELETE", at_scope, delete_at_scope, "Tags_DeleteAtScope"),
    ]
    add_routes(router, routes, "Microsoft.Resources/tags")
