"""What the engine is told about where it deploys (ScopeInfo) and how it reads live resources (RuntimeHost)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ScopeInfo:
    """What resourceGroup()/subscription()/tenant()/deployment()/environment() see."""

    tenant_id: str
    subscription_id: str | None
    subscription_display_name: str | None
    resource_group: dict | None
    management_group: str | None
    deployment_name: str
    deployment_location: str | None
    environment: dict = field(default_factory=dict)
    template_link: dict | None = None

    @property
    def base_id(self) -> str:
        """The id every resource of this deployment hangs under ('' at tenant scope)."""
        if self.resource_group is not None and self.subscription_id:
            return f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group['name']}"
        if self.subscription_id:
            return f"/subscriptions/{self.subscription_id}"
        if self.management_group:
            return f"/providers/Microsoft.Management/managementGroups/{self.management_group}"
        return ""


class RuntimeHost(Protocol):
    """Runtime functions' access to deployed resources (implemented by the Deployments API on the store)."""

    def reference(self, resource_id: str, api_version: str | None, full: bool) -> Any: ...

    def invoke_list(self, resource_id: str, function_name: str, api_version: str, body: Any | None) -> Any: ...
