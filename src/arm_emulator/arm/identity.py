"""Managed identities: the principal and client ids ARM's identity service would assign."""

from __future__ import annotations

import uuid
from typing import Any

from .resource_type import Body, ResourceContext

# A fixed namespace so the same resource always gets the same ids (stable across updates/restarts).
_IDENTITY_NAMESPACE = uuid.UUID("5f1c3d2e-7a8b-4c9d-8e0f-a1b2c3d4e5f6")


def _stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_IDENTITY_NAMESPACE, "|".join(p.lower() for p in parts)))


def user_assigned_identity_ids(identity_id: str) -> dict[str, str]:
    """The principal and client ids of a user-assigned identity (the same wherever it is assigned)."""
    return {"principalId": _stable_id(identity_id, "principal"), "clientId": _stable_id(identity_id, "client")}


def fill_managed_identity(ctx: ResourceContext, body: Body) -> Body:
    """SystemAssigned gets principalId + tenantId; each user-assigned identity principalId + clientId."""
    return assign_identity_ids(body, ctx.resource_id.id, ctx.tenant_id)


def assign_identity_ids(body: Body, resource_id: str, tenant_id: str) -> Body:
    """`fill_managed_identity` for a resource known by its id alone (generic resources)."""
    identity: dict[str, Any] | None = body.get("identity")
    if not isinstance(identity, dict) or not identity:
        return body
    kinds = {part.strip().lower() for part in str(identity.get("type", "")).split(",")}
    if "systemassigned" in kinds:
        identity["principalId"] = _stable_id(resource_id, "system")
        identity["tenantId"] = tenant_id
    else:
        identity.pop("principalId", None)
        identity.pop("tenantId", None)
    user_assigned = identity.get("userAssignedIdentities")
    if "userassigned" in kinds and isinstance(user_assigned, dict) and user_assigned:
        identity["userAssignedIdentities"] = {key: user_assigned_identity_ids(key) for key in user_assigned}
    else:
        identity.pop("userAssignedIdentities", None)
    return body
