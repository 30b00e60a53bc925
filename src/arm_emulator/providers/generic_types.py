"""Types stored generically (no provider declared here) whose real service computes a field or two
that clients read back: declared as hooks on the generic store, keyed by type."""

from __future__ import annotations

from typing import Any

from ..arm.identity import user_assigned_identity_ids


def user_assigned_identity(resource_id: str, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Microsoft.ManagedIdentity/userAssignedIdentities: its tenant, principal and client ids (the same
    ids a resource that is assigned this identity shows for it)."""
    properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    body["properties"] = {**properties, "tenantId": tenant_id, **user_assigned_identity_ids(resource_id)}
    return body


def role_assignment(resource_id: str, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Microsoft.Authorization/roleAssignments: the scope it is on, and when it was made and changed."""
    properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    scope = resource_id[: resource_id.lower().rindex("/providers/microsoft.authorization/roleassignments/")]
    system_data = body.get("systemData") or {}
    body["properties"] = {
        **properties,
        "scope": scope or "/",
        "createdOn": system_data.get("createdAt"),
        "updatedOn": system_data.get("lastModifiedAt"),
    }
    return body


GENERIC_HOOKS = {
    "microsoft.managedidentity/userassignedidentities": user_assigned_identity,
    "microsoft.authorization/roleassignments": role_assignment,
}
