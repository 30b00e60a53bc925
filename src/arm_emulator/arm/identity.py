"""Managed identities: the principal and client ids ARM's identity service would assign."""

from __future__ import annotations

import uuid
from typing import Any

from .resource_type import Body, ResourceContext

# A fixed namespace so the same resource always gets the same ids (stable across updates/restarts).
_IDENTITY_NAMESPACE = uuid.UUID("5f1c3d2e-7a8b-4c9d-8e0f-a1b2c3d4e5f6")


def _stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_IDENTITY_NAMESPACE, "|".join(p.lower() for p in parts)))


def fill_managed_identity(ctx: ResourceContext, body: Body) -> Body:
    """SystemAssigned gets principalId + tenantId; each user-assigned identity principalId + clientId."""
    identity: dict[str, Any] | None = body.get("identity")
    if not identity:
        return body
    kinds = {part.strip().lower() for part in str(identity.get("type", "")).split(",")}
    resource_id = ctx.resource_id.id
    if "systemassigned" in kinds:
        identity["principalId"] = _stable_id(resource_id, "system")
        identity["tenantId"] = ctx.tenant_id
    else:
        identity.pop("principalId", None)
        identity.pop("tenantId", None)
    user_assigned = identity.get("userAssignedIdentities")
    if "userassigned" in kinds and user_assigned:
        identity["userAssignedIdentities"] = {
            key: {"principalId": _stable_id(key, "principal"), "clientId": _stable_id(key, "client")}
            for key in user_assigned
        }
    else:
        identity.pop("userAssignedIdentities", None)
    return body
