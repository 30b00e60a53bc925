"""The scope an extension resource of ARM's own (tags, locks) is addressed under: `{scope}/providers/...`
where the scope is a subscription, a resource group or a resource (served, or stored generically)."""

from __future__ import annotations

from ..store.repository import ResourceRecord
from . import errors
from .generic_writes import is_generic_namespace
from .operations import fresh_resource
from .resource_id import ResourceId, resource_group_id
from .runtime import Runtime
from .scopes import require_resource_group, require_subscription


class ExtensionScope:
    """A subscription, a resource group or a resource, parsed from the `{scope}` of a path
    (404 NotFound for anything else); `id` is the scope's id as the caller wrote it."""

    def __init__(self, runtime: Runtime, method: str, path: str, scope: str) -> None:
        self.runtime = runtime
        segments = scope.strip("/").split("/")
        if any(not s for s in segments) or len(segments) < 2 or segments[0].lower() != "subscriptions":
            raise errors.no_route(method, path)
        self.subscription_id = segments[1]
        self.resource_group: str | None = None
        self.rid: ResourceId | None = None
        if len(segments) == 2:
            self.id = f"/subscriptions/{self.subscription_id}"
            return
        is_group = len(segments) == 4
        is_resource = len(segments) >= 8 and len(segments) % 2 == 0 and segments[4].lower() == "providers"
        if segments[2].lower() != "resourcegroups" or not (is_group or is_resource):
            raise errors.no_route(method, path)
        self.resource_group = segments[3]
        if len(segments) == 4:
            self.id = resource_group_id(self.subscription_id, self.resource_group)
            return
        pairs = segments[6:]
        types = tuple((pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2))
        self.rid = ResourceId(self.subscription_id, self.resource_group, segments[5], types)
        if runtime.registry.provider(self.rid.namespace) is None:
            if not (runtime.settings.generic_resources and is_generic_namespace(runtime, self.rid.namespace)):
                raise errors.invalid_resource_namespace(self.rid.namespace, status=404)
        elif runtime.registry.resource_type(self.rid.type_key) is None:
            raise errors.invalid_resource_type("/".join(t for t, _ in types), self.rid.namespace, None)
        self.id = self.rid.id

    def require_exists(self) -> None:
        """404 (SubscriptionNotFound, ResourceGroupNotFound, ResourceNotFound...) if the scope is absent."""
        if self.resource_group is None:
            with self.runtime.store.transaction() as tx:
                require_subscription(self.runtime, tx, self.subscription_id)
            return
        self.record()

    def record(self) -> ResourceRecord:
        """The resource group's or the resource's record; 404 if it does not exist."""
        if self.rid is None:
            with self.runtime.store.transaction() as tx:
                return require_resource_group(self.runtime, tx, self.subscription_id, self.resource_group or "")
        record = fresh_resource(self.runtime, self.rid.key)
        if record is None:
            with self.runtime.store.transaction() as tx:
                require_resource_group(self.runtime, tx, self.subscription_id, self.resource_group or "")
                parent = self.rid.parent
                if parent is not None and tx.get_resource(parent.key) is None:
                    raise errors.parent_resource_not_found(parent.id)
            raise errors.resource_not_found(self.rid.type_path_with_names, self.rid.resource_group)
        return record
