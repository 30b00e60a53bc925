"""PUT / GET / HEAD / PATCH / DELETE / list for any declared resource type.

Handlers are named after the ARM operations they serve; provider behaviour comes only from the
declaration (`ResourceType`, `Provider`), never from branches here.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..store.repository import ListedResource, OperationRecord, ResourceRecord, StoreTransaction
from . import errors
from .actions import action_segment, find_action, run_action
from .api_versions import api_version_of
from .auth import caller
from .bodies import check_tags, digest, json_copy, merge_patch, parse_json_object, validate
from .conditions import check_existing, check_write, new_etag
from .embedding import sync_parent
from .endpoints import endpoint, in_one_transaction
from .lro_timing import resolve as resolve_timing
from .operations import as_stored, canceled_by_delete, fresh_resource, new_operation, polling_headers, retry_after
from .operations import catch_up as catch_up_operations
from .paging import list_response
from .resource_id import ResourceId, key_of
from .resource_type import ApiVersionModels, LroProfile, Provider, ResourceType
from .responses import base_url, dump_json, empty_response, json_response, raw_json_response, with_etag
from .runtime import Runtime, runtime_of
from .scopes import check_resource_group, normalize_location, require_resource_group, require_subscription
from .writes import ResourceWriter, comparable


class ResourceRoutes:
    """The routes of one resource type of one provider."""

    def __init__(self, provider: Provider, resource_type: ResourceType) -> None:
        self.provider = provider
        self.rt = resource_type
        self.writer = ResourceWriter(provider, resource_type)
        self.type_name = self.writer.type_name
        pairs = "/".join(
            f"{segment}/{{{param}}}"
            for segment, param in zip(resource_type.type_segments, resource_type.name_parameters, strict=True)
        )
        group = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
        self.item_path = f"{group}/providers/{provider.namespace}/{pairs}"
        self.collection_path = self.item_path.rsplit("/", 1)[0]
        self.subscription_list_path = f"/subscriptions/{{subscriptionId}}/providers/{self.type_name}"
        self._operation_prefix = "_".join(resource_type.type_segments)

    # -- wiring --------------------------------------------------------------------------------------

    def register(self, router: APIRouter) -> None:
        add = self._add
        if self.rt.computed_from_parent is not None:
            # Read-only items derived from the parent: nothing to write.
            add(router, "GET", self.item_path, self.get_computed, "Get")
            add(router, "GET", self.collection_path, self.list_computed, "List")
            return
        add(router, "PUT", self.item_path, self.create_or_update, "CreateOrUpdate")
        add(router, "GET", self.item_path, self.get, "Get")
        if self.rt.head:
            add(router, "HEAD", self.item_path, self.head, "Head")
        if any(models.names.patch for models in self.rt.api_versions.values()):
            add(router, "PATCH", self.item_path, self.update, "Update")
        add(router, "DELETE", self.item_path, self.delete, "Delete")
        if self.rt.is_child and self.rt.list_by_parent:
            add(router, "GET", self.collection_path, self.list_by_parent, "List")
        if not self.rt.is_child and self.rt.list_by_resource_group:
            add(router, "GET", self.collection_path, self.list_by_resource_group, "ListByResourceGroup")
        if not self.rt.is_child and self.rt.list_by_subscription:
            add(router, "GET", self.subscription_list_path, self.list_by_subscription, "List")
        for action in self.rt.actions:
            add(router, "POST", f"{self.item_path}/{action_segment(action)}", self.post_action, action.name)

    def _add(self, router: APIRouter, method: str, path: str, handler: Any, verb: str) -> None:
        router.add_api_route(
            path,
            endpoint(handler),
            methods=[method],
            operation_id=f"{self.provider.namespace}_{self._operation_prefix}_{verb}",
            tags=[self.type_name],
            response_class=Response,
        )

    # -- shared steps --------------------------------------------------------------------------------

    def _models(
        self, request: Request, rid: ResourceId | None = None, raw_body: bytes = b""
    ) -> tuple[str, ApiVersionModels]:
        """The request's api-version and its models; an unsupported version is refused naming the
        location ARM would know: the one the body sends, else the stored resource's."""
        api_version = api_version_of(request)
        if api_version and api_version not in self.rt.api_versions:
            self.writer.models(api_version, location=self._location_for_error(request, rid, raw_body))
        return api_version or "", self.writer.models(api_version)

    def _location_for_error(self, request: Request, rid: ResourceId | None, raw_body: bytes) -> str | None:
        try:
            sent = json.loads(raw_body) if raw_body.strip() else None
        except ValueError:
            sent = None
        if isinstance(sent, dict) and isinstance(sent.get("location"), str):
            return normalize_location(sent["location"])
        if rid is None:
            return None
        with runtime_of(request).store.transaction() as tx:
            stored = tx.get_resource(rid.key)
        return stored.body.get("location") if stored is not None else None

    def _resource_id(self, params: dict[str, str]) -> ResourceId:
        names = (params[p] for p in self.rt.name_parameters)
        types = tuple(zip(self.rt.type_segments, names, strict=True))
        return ResourceId(params["subscriptionId"], params["resourceGroupName"], self.provider.namespace, types)

    def _require_scope(self, runtime: Runtime, rid: ResourceId, *, location: str | None = None) -> None:
        with runtime.store.transaction() as tx:
            check_resource_group(runtime, tx, rid.subscription_id, rid.resource_group, location_if_created=location)
            parent = rid.parent
            if parent is not None and tx.resource_state(parent.key) is None:
                raise errors.parent_resource_not_found(parent.id)

    def _render(self, api_version: str, record: ResourceRecord) -> dict[str, Any]:
        """A stored resource as `api_version` shows it."""
        body = self.writer.view(api_version, record.body)
        if self.rt.etag_in_body:
            return {**body, "etag": record.etag}
        return body

    def _render_text(self, api_version: str, record: ResourceRecord | ListedResource) -> str:
        """`_render` as JSON text, from the stored text where the version sees all of it."""
        # An empty body is one read as text only (a stored resource always has its id, name and type).
        body = getattr(record, "body", None) or None
        text = self.writer.view_text(api_version, record.raw, body, (record.key, record.etag))
        return with_etag(text, record.etag) if self.rt.etag_in_body else text

    def _record_headers(self, runtime: Runtime, record: ResourceRecord) -> dict[str, str]:
        headers = {"ETag": record.etag}
        if record.operation_id is not None:
            headers.update(retry_after(runtime, record.due_at))
        return headers

    def _write(
        self,
        runtime: Runtime,
        request: Request,
        rid: ResourceId,
        api_version: str,
        body: dict[str, Any],
        existing: ResourceRecord | None,
        profile: LroProfile,
        kind: str,
        requested: dict[str, Any] | None = None,
    ) -> Response:
        now = runtime.clock.now()
        body["systemData"] = self.writer.system_data(
            caller(request.headers.get("authorization")), now, existing, modified=True
        )
        headers: dict[str, str] = {}
        op: OperationRecord | None = None
        with runtime.store.transaction() as tx:
            if profile.synchronous:
                body = self.writer.provisioned(runtime, rid, api_version, body, existing)
            else:
                op = self._new_operation(runtime, request, rid, body, kind, api_version, profile, requested, existing)
                body["properties"]["provisioningState"] = profile.steps[0].provisioning_state
                headers = polling_headers(
                    runtime,
                    base_url(request, runtime.settings.public_url),
                    self.provider.operation_status,
                    op,
                    profile,
                )
            # `build` listed the stored children in this same transaction; serialised once: stored and sent.
            record = self.writer.record(rid, body, existing, now, operation=op, raw=dump_json(body).decode())
            # The answer (the first step) is rendered before an operation that ends in this write takes
            # the body over to its last step (`as_stored`: no copy of it).
            text = self._render_text(api_version, record)
            stored = record if op is None else as_stored(runtime, tx, op, record, rid, new=existing is None)
            tx.put_resource(stored, new=existing is None)
            sync_parent(tx, self.rt, rid.type_key, rid.parent_key, now)
        headers["ETag"] = record.etag
        return raw_json_response(text, profile.status_code, headers)

    def _new_operation(
        self,
        runtime: Runtime,
        request: Request,
        rid: ResourceId,
        body: dict[str, Any],
        kind: str,
        api_version: str,
        profile: LroProfile,
        requested: dict[str, Any] | None,
        existing: ResourceRecord | None,
    ) -> OperationRecord:
        """The operation a write starts (not stored yet), timed as configured or asked (header, tag),
        failing if a fault rule said so."""
        timing = resolve_timing(runtime.base_timing, runtime.timing, self.type_name, request.headers, body.get("tags"))
        state = request.scope["state"]  # the front door's (request id, a fault's outcome), read as the dict it is
        outcome = state.get("operation_outcome")
        return new_operation(
            runtime,
            operation_id=self.provider.operation_status.new_operation_id(state["request_id"]),
            namespace=self.provider.namespace,
            resource_id=rid.id,
            resource_key=rid.key,
            subscription_id=rid.subscription_id,
            location=body.get("location") or self._parent_location(runtime, rid) or "global",
            kind=kind,
            api_version=api_version,
            profile=profile,
            timing=timing,
            # Tells a client's retry of a PUT from a different PUT while the operation runs (none
            # runs on when it ends in this write: fast mode).
            target_digest=digest(requested)
            if requested is not None and (timing.per_poll or timing.step_seconds)
            else None,
            outcome=outcome,
            previous_body=existing.body if existing is not None and kind != "delete" else None,
        )

    @staticmethod
    def _parent_location(runtime: Runtime, rid: ResourceId) -> str | None:
        """Where a resource without a location of its own (a proxy resource) runs its operations."""
        parent = rid.parent
        body = runtime.lookup(parent.id) if parent is not None else None
        return body.get("location") if body else None

    def _in_flight_response(
        self, runtime: Runtime, request: Request, api_version: str, record: ResourceRecord, profile: LroProfile
    ) -> Response:
        with runtime.store.transaction() as tx:
            op = tx.get_operation(record.operation_id or "")
        if op is None:  # finished between the two reads
            raise errors.operation_in_progress(record.id, "modify")
        headers = polling_headers(
            runtime,
            base_url(request, runtime.settings.public_url),
            self.provider.operation_status,
            op,
            profile,
        )
        headers["ETag"] = record.etag
        if profile is self.rt.lifecycle.delete:
            return empty_response(op.initial_status_code, headers)
        return json_response(self._render(api_version, record), op.initial_status_code, headers)

    @staticmethod
    def _blocking_children(runtime: Runtime, tx: StoreTransaction, rid: ResourceId) -> bool:
        """Whether the resource has children that stop its deletion: any of its provider's but those
        it lists in its own properties (private endpoint connections go with it). Resources of other
        namespaces on it (role assignments, locks: extension resources) go with it too."""
        for type_key in tx.child_type_keys(rid.key):
            found = runtime.registry.resource_type(type_key)
            if found is not None and found[1].embedded_in_parent is None:
                return True
        return False

    def _current_operation_kind(self, runtime: Runtime, record: ResourceRecord) -> tuple[str, str | None]:
        with runtime.store.transaction() as tx:
            op = tx.get_operation(record.operation_id or "")
        return (op.kind, op.target_digest) if op else ("", None)

    # -- operations ----------------------------------------------------------------------------------

    @in_one_transaction
    async def create_or_update(self, request: Request, params: dict[str, str]) -> Response:
        runtime = runtime_of(request)
        raw_body = await request.body()
        rid = self._resource_id(params)
        api_version, models = self._models(request, rid, raw_body)
        requested = self.writer.requested(models, parse_json_object(raw_body, request.headers.get("content-type")))
        location = normalize_location(requested["location"]) if requested.get("location") else None
        self._require_scope(runtime, rid, location=location)
        if not self.rt.name_rule.matches(rid.name):
            raise errors.invalid_resource_name(rid.name, self.rt.name_rule.explanation)

        existing = fresh_resource(runtime, rid.key)
        if existing is not None and existing.operation_id is not None:
            kind, in_flight_digest = self._current_operation_kind(runtime, existing)
            if kind in ("create", "replace") and in_flight_digest == digest(requested):
                profile = self.rt.lifecycle.create if kind == "create" else self.rt.lifecycle.replace
                return self._in_flight_response(runtime, request, api_version, existing, profile)
            raise errors.operation_in_progress(existing.id, "update")
        check_write(
            existing.etag if existing else None,
            request.headers.get("if-match"),
            request.headers.get("if-none-match"),
        )
        if existing is not None and location and existing.body.get("location") not in (None, location):
            raise errors.location_immutable(rid.name, existing.body["location"], location, rid.resource_group)

        body = self.writer.build(runtime, rid, api_version, models, requested, existing)
        lifecycle = self.rt.lifecycle
        if existing is None:
            profile, kind = lifecycle.create, "create"
        elif comparable(body) != comparable(existing.body):
            profile, kind = lifecycle.replace, "replace"
        else:
            profile, kind = lifecycle.unchanged, "replace"
            nothing_changed = (
                body.get("tags") == existing.body.get("tags") and existing.provisioning_state == "Succeeded"
            )
            if nothing_changed and profile.synchronous:
                # No write at all: same ETag, same systemData.
                return json_response(
                    self._render(api_version, existing), profile.status_code, self._record_headers(runtime, existing)
                )
        return self._write(runtime, request, rid, api_version, body, existing, profile, kind, requested)

    async def get(self, request: Request, params: dict[str, str]) -> Response:
        api_version, record = self._read(request, params)
        return raw_json_response(
            self._render_text(api_version, record), 200, self._record_headers(runtime_of(request), record)
        )

    async def head(self, request: Request, params: dict[str, str]) -> Response:
        _, record = self._read(request, params)
        return empty_response(200, self._record_headers(runtime_of(request), record))

    def _read(self, request: Request, params: dict[str, str]) -> tuple[str, ResourceRecord]:
        runtime = runtime_of(request)
        rid = self._resource_id(params)
        api_version, _ = self._models(request, rid)
        record = fresh_resource(runtime, rid.key, polled=True, parse_body=False)  # answered from its text
        if record is None:
            # Only now is it worth asking why: a missing group or parent has its own error.
            self._require_scope(runtime, rid)
            raise errors.resource_not_found(rid.type_path_with_names, rid.resource_group)
        return api_version, record

    @in_one_transaction
    async def update(self, request: Request, params: dict[str, str]) -> Response:
        runtime = runtime_of(request)
        raw_body = await request.body()
        rid = self._resource_id(params)
        api_version, models = self._models(request, rid, raw_body)
        if models.patch is None:
            raise errors.method_not_allowed("PATCH", request.url.path)
        patch = validate(models.patch, parse_json_object(raw_body, request.headers.get("content-type")), patch=True)
        check_tags(patch.get("tags"))
        existing = fresh_resource(runtime, rid.key)
        if existing is None:
            self._require_scope(runtime, rid)
            raise errors.resource_not_found(rid.type_path_with_names, rid.resource_group)
        check_existing(existing.etag, request.headers.get("if-match"))
        if existing.operation_id is not None:
            raise errors.operation_in_progress(existing.id, "update")
        if patch.get("location") and normalize_location(patch["location"]) != existing.body.get("location"):
            raise errors.location_immutable(
                rid.name, existing.body.get("location", ""), patch["location"], rid.resource_group
            )
        patch.pop("location", None)  # the same location, or null: nothing to change

        requested = json_copy(existing.body)
        for field, value in patch.items():
            if field in ("tags", "identity") or not isinstance(value, dict):
                if value is None:
                    requested.pop(field, None)
                else:
                    requested[field] = value  # tags (and identity) replace the whole set, as in ARM
            else:
                requested[field] = merge_patch(requested.get(field), value)
        body = self.writer.build(runtime, rid, api_version, models, requested, existing)
        tags_only = set(patch) <= {"tags"}
        profile = self.rt.lifecycle.patch_tags_only if tags_only else self.rt.lifecycle.patch
        return self._write(runtime, request, rid, api_version, body, existing, profile, "update")

    @in_one_transaction
    async def delete(self, request: Request, params: dict[str, str]) -> Response:
        runtime = runtime_of(request)
        rid = self._resource_id(params)
        api_version, _ = self._models(request, rid)
        existing = fresh_resource(runtime, rid.key)
        if existing is None:
            self._require_scope(runtime, rid)  # a missing group is a 404, a missing resource a 204
            return empty_response(204)
        check_existing(existing.etag, request.headers.get("if-match"))
        profile = self.rt.lifecycle.delete
        if existing.operation_id is not None:
            kind, _ = self._current_operation_kind(runtime, existing)
            if kind == "delete":
                return self._in_flight_response(runtime, request, api_version, existing, profile)
            raise errors.operation_in_progress(existing.id, "delete")
        now = runtime.clock.now()
        with runtime.store.transaction() as tx:
            if self.rt.refuse_delete_with_children and self._blocking_children(runtime, tx, rid):
                raise errors.conflict(
                    "CannotDeleteResourceWithChildren",
                    f"The resource '{rid.id}' cannot be deleted while it still contains child resources. "
                    "Delete them first.",
                )
            if profile.synchronous:
                tx.delete_tree(rid.key, now=now, cancel_error=canceled_by_delete(rid.id))
                sync_parent(tx, self.rt, rid.type_key, rid.parent_key, now)
                return empty_response(200)
            op = self._new_operation(
                runtime, request, rid, existing.body, "delete", api_version, profile, None, existing
            )
            tx.add_operation(op)
            body = json_copy(existing.body)
            state = profile.steps[0].provisioning_state
            body.setdefault("properties", {})["provisioningState"] = state
            record = existing.evolve(
                body=body,
                provisioning_state=state,
                operation_id=op.id,
                due_at=op.due_at,
                etag=new_etag(now),
                updated_at=now,
            )
            tx.put_resource(record)
            sync_parent(tx, self.rt, rid.type_key, rid.parent_key, now)
        headers = polling_headers(
            runtime,
            base_url(request, runtime.settings.public_url),
            self.provider.operation_status,
            op,
            profile,
        )
        return empty_response(profile.status_code, headers)

    # -- lists ---------------------------------------------------------------------------------------

    async def list_by_resource_group(self, request: Request, params: dict[str, str]) -> Response:
        runtime = runtime_of(request)
        self._models(request)
        with runtime.store.transaction() as tx:
            group = require_resource_group(runtime, tx, params["subscriptionId"], params["resourceGroupName"])
        return self._list(request, scope=group.key, resource_group_key=group.key)

    async def list_by_subscription(self, request: Request, params: dict[str, str]) -> Response:
        runtime = runtime_of(request)
        self._models(request)
        with runtime.store.transaction() as tx:
            subscription = require_subscription(runtime, tx, params["subscriptionId"])
        scope = f"/subscriptions/{subscription.key}"
        return self._list(request, scope=scope, subscription_key=subscription.key)

    async def list_by_parent(self, request: Request, params: dict[str, str]) -> Response:
        runtime = runtime_of(request)
        self._models(request)
        parent_id = self.collection_path.rsplit("/", 1)[0].format(**params)
        with runtime.store.transaction() as tx:
            require_resource_group(runtime, tx, params["subscriptionId"], params["resourceGroupName"])
            if tx.get_resource(key_of(parent_id)) is None:
                raise errors.parent_resource_not_found(parent_id)
        return self._list(request, scope=key_of(parent_id), parent_key=key_of(parent_id))

    def _list(self, request: Request, *, scope: str, **filters: str) -> Response:
        runtime = runtime_of(request)
        api_version, _ = self._models(request)
        catch_up_operations(runtime, scope)
        return list_response(
            request,
            runtime,
            api_version=api_version,
            scope=scope,
            type_key=self.type_name.lower(),
            render=lambda record: self._render_text(api_version, record),
            **filters,
        )

    # -- read-only items computed from the parent ------------------------------------------------------

    def _computed(self, request: Request, params: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
        runtime = runtime_of(request)
        rid = self._resource_id({**params, self.rt.name_parameters[-1]: params.get(self.rt.name_parameters[-1], "-")})
        api_version, _ = self._models(request)
        parent = rid.parent
        assert parent is not None, "computed items always have a parent"
        with runtime.store.transaction() as tx:
            require_resource_group(runtime, tx, rid.subscription_id, rid.resource_group)
            record = tx.get_resource(parent.key)
        if record is None:
            raise errors.parent_resource_not_found(parent.id)
        context = self.writer.context(runtime, parent, api_version, record)
        items = self.rt.computed_from_parent(context, record.body)  # type: ignore[misc]
        return api_version, [self.writer.view(api_version, item) for item in items]

    async def get_computed(self, request: Request, params: dict[str, str]) -> Response:
        _, items = self._computed(request, params)
        wanted = params[self.rt.name_parameters[-1]].lower()
        for item in items:
            if str(item.get("name", "")).lower() == wanted:
                return json_response(item)
        rid = self._resource_id(params)
        raise errors.resource_not_found(rid.type_path_with_names, rid.resource_group)

    async def list_computed(self, request: Request, params: dict[str, str]) -> Response:
        _, items = self._computed(request, params)
        return json_response({"value": items})

    # -- POST actions ------------------------------------------------------------------------------------

    async def post_action(self, request: Request, params: dict[str, str]) -> Response:
        runtime = runtime_of(request)
        action = find_action(self.rt.actions, request.url.path.rsplit("/", 1)[-1])
        rid = self._resource_id(params)
        if action is None:
            raise errors.no_route("POST", request.url.path)
        api_version, _ = self._models(request, rid)
        raw_body = await request.body()
        existing = fresh_resource(runtime, rid.key)
        if existing is None:
            self._require_scope(runtime, rid)
            if action.resource_required:
                raise errors.resource_not_found(rid.type_path_with_names, rid.resource_group)
        response, changed = run_action(
            runtime,
            request,
            action,
            api_version,
            raw_body,
            rid.subscription_id,
            rid,
            existing.body if existing else None,
        )
        if changed is not None and existing is not None:
            if existing.operation_id is not None:
                raise errors.operation_in_progress(existing.id, action.name)
            self._store_action_change(runtime, rid, existing, changed)
        return response

    def _store_action_change(
        self, runtime: Runtime, rid: ResourceId, existing: ResourceRecord, changed: dict[str, Any]
    ) -> None:
        """An action's new body for its resource: the envelope stays the engine's, the ETag is new."""
        now = runtime.clock.now()
        body = {**changed, **{k: existing.body[k] for k in ("id", "name", "type", "systemData") if k in existing.body}}
        record = existing.evolve(body=body, etag=new_etag(now), updated_at=now)
        with runtime.store.transaction() as tx:
            tx.put_resource(record.evolve(raw=dump_json(body).decode()), new=False)
            sync_parent(tx, self.rt, rid.type_key, rid.parent_key, now)
