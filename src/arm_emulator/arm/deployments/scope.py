"""Where a deployment lives (a resource group or a subscription) and what its template sees of it."""

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


@dataclass(frozen=True)
class DeploymentScope:
    subscription_id: str
    resource_group: str | None = None

    @classmethod
    def from_path(cls, params: dict[str, str]) -> DeploymentScope:
        return cls(params["subscriptionId"], params.get("resourceGroupName"))

    @classmethod
    def from_deployment_id(cls, deployment_id: str) -> DeploymentScope:
        segments = deployment_id.strip("/").split("/")
        return cls(segments[1], segments[3] if segments[2].lower() == "resourcegroups" else None)

    @property
    def id(self) -> str:
        base = f"/subscriptions/{self.subscription_id}"
        return f"{base}/resourceGroups/{self.resource_group}" if self.resource_group else base

    @property
    def key(self) -> str:
        return key_of(self.id)

    def deployment_id(self, name: str) -> str:
        return f"{self.id}{DEPLOYMENTS_SEGMENT}/{name}"

    def deployment_key(self, name: str) -> str:
        return key_of(self.deployment_id(name))

    def require(self, runtime: Runtime, tx: StoreTransaction) -> dict[str, Any] | None:
        """Check the scope exists (ARM's 404s); the group's body at group scope."""
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
        subscription = tx.get_subscription(scope.subscription_id.lower())
    group_view = None
    if group is not None:
        group_view = {
            key: group[key] for key in ("id", "name", "type", "location", "managedBy", "tags") if key in group
        }
        group_view.setdefault("tags", {})
        group_view["properties"] = {"provisioningState": "Succeeded"}
    return ScopeInfo(
        tenant_id=runtime.tenant_of(scope.subscription_id),
        subscription_id=scope.subscription_id,
        subscription_display_name=subscription.display_name if subscription else None,
        resource_group=group_view,
        management_group=None,
        deployment_name=name,
        deployment_location=location,
        environment=environment(base),
    )
