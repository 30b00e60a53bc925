"""Where a deployment lives (a resource group, a subscription, a management group or the tenant) and what
its template sees of it.

Management groups are not otherwise served by the emulator: any group id is taken as existing (its
display name is its id) and belongs to the emulator's default tenant, as do tenant-scope deployments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...store.repository import StoreTransaction
from .. import cloud_metadata
from ..resource_id import key_of
from ..runtime import Runtime
from ..scopes import require_resource_group, require_subscription

DEPLOYMENT_TYPE = "Microsoft.Resources/deployments"
DEPLOYMENTS_SEGMENT = "/providers/Microsoft.Resources/deployments"


MANAGEMENT_GROUPS_PREFIX = "/providers/Microsoft.Management/managementGroups/"


@dataclass(frozen=True)
class DeploymentScope:
    subscription_id: str = ""  # "" at management-group and tenant scope
    resource_group: str | None = None
    management_group: str | None = None

    @classmethod
    def from_path(cls, params: dict[str, str]) -> DeploymentScope:
        if params.get("groupId"):
            return cls(management_group=params["groupId"])
        if params.get("subscriptionId"):
            return cls(params["subscriptionId"], params.get("resourceGroupName"))
        return cls()  # the tenant

    @classmethod
    def from_deployment_id(cls, deployment_id: str) -> DeploymentScope:
        segments = deployment_id.strip("/").split("/")
        if segments[0].lower() == "subscriptions":
            return cls(segments[1], segments[3] if segments[2].lower() == "resourcegroups" else None)
        if len(segments) > 3 and "/".join(segments[:3]).lower() == "providers/microsoft.management/managementgroups":
            return cls(management_group=segments[3])
        return cls()

    @property
    def level(self) -> str:
        """ARM's name for the scope, as its messages say it."""
        if self.resource_group is not None:
            return "resource group"
        if self.subscription_id:
            return "subscription"
        return "management group" if self.management_group else "tenant"

    @property
    def id(self) -> str:
        if self.management_group:
            return f"{MANAGEMENT_GROUPS_PREFIX}{self.management_group}"
        if not self.subscription_id:
            return ""  # the tenant
        base = f"/subscriptions/{self.subscription_id}"
        return f"{base}/resourceGroups/{self.resource_group}" if self.resource_group else base

    @property
    def subscription_key(self) -> str | None:
        return self.subscription_id.lower() or None

    @property
    def key(self) -> str:
        return key_of(self.id)

    def deployment_id(self, name: str) -> str:
        return f"{self.id}{DEPLOYMENTS_SEGMENT}/{name}"

    def deployment_key(self, name: str) -> str:
        return key_of(self.deployment_id(name))

    def require(self, runtime: Runtime, tx: StoreTransaction) -> dict[str, Any] | None:
        """Check the scope exists (ARM's 404s); the group's body at group scope."""
        if not self.subscription_id:
            return None  # the tenant, or a management group (not modelled: every one exists)
        if self.resource_group is None:
            require_subscription(runtime, tx, self.subscription_id)
            return None
        return require_resource_group(runtime, tx, self.subscription_id, self.resource_group).body


def environment(base: str) -> dict[str, Any]:
    """What the template function environment() returns: the emulator's own cloud."""
    return {**cloud_metadata.cloud(base), "gallery": f"{base}/"}


def scope_info(runtime: Runtime, scope: DeploymentScope, name: str, location: str | None, base: str) -> Any:
    """The engine's view of the deployment's scope (arm_emulator.templates.ScopeInfo)."""
    from ...templates import ScopeInfo

    with runtime.store.transaction() as tx:
        group = scope.require(runtime, tx)
        subscription = tx.get_subscription(scope.subscription_id.lower()) if scope.subscription_id else None
    group_view = None
    if group is not None:
        group_view = {
            key: group[key] for key in ("id", "name", "type", "location", "managedBy", "tags") if key in group
        }
        group_view.setdefault("tags", {})
        group_view["properties"] = {"provisioningState": "Succeeded"}
    return ScopeInfo(
        tenant_id=runtime.tenant_of(scope.subscription_id),
        subscription_id=scope.subscription_id or None,
        subscription_display_name=subscription.display_name if subscription else None,
        resource_group=group_view,
        management_group=scope.management_group,
        deployment_name=name,
        deployment_location=location,
        environment=environment(base),
    )
