"""Building and storing resource bodies, with no HTTP: shared by the routes and by seeding."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..clock import iso8601
from ..store.repository import OperationRecord, ResourceRecord, StoreTransaction
from . import errors
from .bodies import blank, check_tags, json_copy, validate
from .conditions import new_etag
from .embedding import fill_listed_children, sync_parent
from .projection import carry_over, covers, hidden, project, sees_all
from .resource_id import ResourceId, ScopedResourceId, key_of
from .resource_type import ApiVersionModels, Provider, ResourceContext, ResourceType, unchanged
from .responses import dump_json, shape
from .runtime import Runtime
from .scopes import normalize_location

# Rendered views kept per type: a list page's worth many times over, a few MB at most.
_VIEW_CACHE_SIZE = 4096

# Fields a PUT cannot change, so they are ignored when telling "changed" from "unchanged".
_VOLATILE = ("etag", "systemData", "tags")


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in body.items() if k not in _VOLATILE}
    if isinstance(view.get("properties"), dict):
        view["properties"] = {k: v for k, v in view["properties"].items() if k != "provisioningState"}
    return view


def _shaped(models: ApiVersionModels, body: dict[str, Any]) -> dict[str, Any]:
    """The body through the version's response model; a value stored by another version that this
    one's constraints refuse (a PATCH keeps it) is kept as it is rather than failing the write."""
    try:
        return shape(models.response, body)
    except ValidationError:
        return project(models.shape, body)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ResourceWriter:
    provider: Provider
    rt: ResourceType

    @property
    def type_name(self) -> str:
        return self.provider.type_name(self.rt)

    # api-version -> whether that version sees every field any version of the type stores
    _sees_all: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    # (resource key, ETag, api-version) -> the text that version shows of that write (None: the stored
    # text as it is). Every write makes a new ETag, so an entry never goes stale; the oldest are dropped.
    _views: OrderedDict[tuple[str, str, str], str | None] = field(
        default_factory=OrderedDict, compare=False, repr=False
    )
    # The versions whose models are not loaded yet; it only shrinks (see `sees_all`).
    _unloaded: list[ApiVersionModels] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._unloaded.extend(self.rt.api_versions.values())

    def models(self, api_version: str | None, location: str | None = None) -> ApiVersionModels:
        if not api_version:
            raise errors.missing_api_version()
        models = self.rt.api_versions.get(api_version)
        if models is None:
            raise errors.unsupported_api_version(
                api_version, self.type_name, location, sorted(self.rt.api_versions), self.provider.locations
            )
        return models

    def sees_all(self, api_version: str) -> bool:
        """Whether `api_version` is known to know every field of every version: its view of a body is
        the body. Known only once every version's models are loaded (each loads on first use); until
        then False, and callers check the body itself: loading them all for this would make the first
        write of a type after a start wait seconds (every version's module, the event loop blocked)."""
        known = self._sees_all.get(api_version)
        if known is None:
            # Every write asks: one version's flag is looked at, not every version's.
            unloaded = self._unloaded
            while unloaded and unloaded[-1].shape_loaded:
                unloaded.pop()
            if unloaded:
                return False
            versions = self.rt.api_versions.values()
            mine = self.rt.api_versions[api_version].shape
            known = all(covers(mine, other.shape) for other in versions)
            self._sees_all[api_version] = known
        return known

    def view(self, api_version: str, body: dict[str, Any]) -> dict[str, Any]:
        """A stored body as `api_version` shows it: only the fields that version knows."""
        if self.sees_all(api_version):
            return body
        return project(self.rt.api_versions[api_version].shape, body)  # type: ignore[no-any-return]

    def view_text(
        self,
        api_version: str,
        raw: str | None,
        body: dict[str, Any] | None = None,
        version_of: tuple[str, str] | None = None,
    ) -> str:
        """`view`, as JSON text: the stored text itself wherever the version sees all of it.
        `version_of` (resource key, ETag) names the write, so its view is made once."""
        if raw is not None and self.sees_all(api_version):
            return raw
        key = (*version_of, api_version) if version_of else None
        if key is not None and raw is not None and key in self._views:
            self._views.move_to_end(key)
            return self._views[key] or raw
        if body is None:
            body = json.loads(raw or "{}")
        shape = self.rt.api_versions[api_version].shape
        text = None if raw is not None and sees_all(shape, body) else dump_json(project(shape, body)).decode()
        if key is not None and raw is not None:
            self._views[key] = text
            if len(self._views) > _VIEW_CACHE_SIZE:
                self._views.popitem(last=False)
        return text or raw  # type: ignore[return-value]

    def context(
        self, runtime: Runtime, rid: ResourceId, api_version: str, existing: ResourceRecord | None
    ) -> ResourceContext:
        return ResourceContext(
            rid,
            api_version,
            runtime.tenant_of(rid.subscription_id),
            existing.body if existing else None,
            runtime.lookup,
        )

    def requested(self, models: ApiVersionModels, raw: dict[str, Any]) -> dict[str, Any]:
        """A PUT body validated with the generated request model (defaults filled, read-only dropped)."""
        if self.rt.location_required and blank(raw.get("location")):
            raise errors.location_required()
        requested = validate(models.request, raw)
        check_tags(requested.get("tags"))
        if requested.get("location") and self.provider.locations:
            location = normalize_location(requested["location"])
            if location not in self.provider.locations:
                raise errors.location_not_available(location, self.type_name, self.provider.locations)
        return requested

    def build(
        self,
        runtime: Runtime,
        rid: ResourceId,
        api_version: str,
        models: ApiVersionModels,
        requested: dict[str, Any],
        existing: ResourceRecord | None,
    ) -> dict[str, Any]:
        """The stored body: what was asked for, the ARM envelope fields, and the provider's own."""
        body = json_copy(requested)
        body.pop("etag", None)
        body["id"] = rid.id
        body["name"] = rid.name
        body["type"] = self.type_name
        if "location" in body:
            body["location"] = normalize_location(body["location"])
        properties = body.setdefault("properties", {})
        if existing is not None:
            properties["provisioningState"] = existing.provisioning_state
            # A write at one version keeps what other versions set and this one cannot see.
            carry_over(body, hidden(models.shape, existing.body))
        if self.rt.prepare is not unchanged:  # as in `provisioned`
            body = self.rt.prepare(self.context(runtime, rid, api_version, existing), body)
        with runtime.store.transaction() as tx:  # what it lists is never the request's to set
            fill_listed_children(tx, runtime.registry, rid.type_key, rid.key, body, new=existing is None)
        # The fields this version knows are shaped by its model; the others are stored as they are.
        return carry_over(_shaped(models, body), hidden(models.shape, body))

    @staticmethod
    def system_data(
        who: tuple[str, str], now: float, existing: ResourceRecord | None, *, modified: bool
    ) -> dict[str, Any]:
        by, by_type = who
        at = iso8601(now)
        data = dict(existing.body.get("systemData") or {}) if existing else {}
        if existing is None:
            data.update(createdBy=by, createdByType=by_type, createdAt=at)
        if modified or existing is None:
            data.update(lastModifiedBy=by, lastModifiedByType=by_type, lastModifiedAt=at)
        return data

    @staticmethod
    def record(
        rid: ResourceId,
        body: dict[str, Any],
        existing: ResourceRecord | None,
        now: float,
        *,
        operation: OperationRecord | None = None,
        raw: str | None = None,
    ) -> ResourceRecord:
        """The stored record of `body`: provisioned, or at the first step of `operation`; `raw`: its text."""
        return ResourceRecord(
            key=rid.key,
            id=rid.id,
            subscription_key=rid.subscription_id.lower(),
            resource_group_key=key_of(rid.resource_group_id),
            parent_key=rid.parent_key,
            type_key=rid.type_key,
            body=body,
            etag=new_etag(now),
            provisioning_state="Succeeded" if operation is None else operation.steps[0][0],
            operation_id=None if operation is None else operation.id,
            due_at=None if operation is None else operation.due_at,
            created_at=existing.created_at if existing else now,
            updated_at=now,
            raw=raw,
        )

    def provisioned(
        self, runtime: Runtime, rid: ResourceId, api_version: str, body: dict[str, Any], existing: ResourceRecord | None
    ) -> dict[str, Any]:
        body["properties"]["provisioningState"] = "Succeeded"
        if self.rt.on_provisioned is unchanged:
            return body  # no hook, no context to make for it (every synchronous write comes here)
        return self.rt.on_provisioned(self.context(runtime, rid, api_version, existing), body)

    def write_final(
        self,
        runtime: Runtime,
        tx: StoreTransaction,
        rid: ResourceId,
        api_version: str,
        raw: dict[str, Any],
        who: tuple[str, str],
    ) -> ResourceRecord:
        """Create or replace a resource directly in its final state (seeds and state imports)."""
        models = self.models(api_version)
        if self.rt.computed_from_parent is not None:
            raise errors.method_not_allowed("PUT", rid.id)  # derived from the parent, never stored
        if not self.rt.name_rule.matches(rid.name):
            raise errors.invalid_resource_name(rid.name, self.rt.name_rule.explanation)
        existing = tx.get_resource(rid.key)
        now = runtime.clock.now()
        body = self.build(runtime, rid, api_version, models, self.requested(models, raw), existing)
        body["systemData"] = self.system_data(who, now, existing, modified=True)
        body = self.provisioned(runtime, rid, api_version, body, existing)
        record = self.record(
            rid, fill_listed_children(tx, runtime.registry, rid.type_key, rid.key, body), existing, now
        )
        tx.put_resource(record)
        sync_parent(tx, self.rt, rid.type_key, rid.parent_key, now)
        return record


def scoped_record(
    rid: ScopedResourceId, body: dict[str, Any], existing: ResourceRecord | None, now: float, raw: str | None = None
) -> ResourceRecord:
    """The stored record of a resource at any scope (generic types, locks), in its final state; its
    parent is what it is nested in or extends, so it goes with that."""
    return ResourceRecord(
        key=rid.key,
        id=rid.id,
        subscription_key=rid.subscription_id.lower(),
        resource_group_key=rid.resource_group_key,
        parent_key=key_of(rid.parent_id),
        type_key=rid.type_key,
        body=body,
        etag=new_etag(now),
        provisioning_state="Succeeded",
        created_at=existing.created_at if existing is not None else now,
        updated_at=now,
        raw=raw,
    )
