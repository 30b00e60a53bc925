"""Composing ARM resource ids from a type and names, the way ARM interleaves them."""

from __future__ import annotations

from .errors import ExpressionFailure


def split_type(resource_type: str) -> tuple[str, list[str]]:
    """'Microsoft.A/b/c' -> ('Microsoft.A', ['b', 'c'])."""
    parts = [p for p in resource_type.split("/")]
    if len(parts) < 2 or not all(parts):
        raise ExpressionFailure(f"The resource type '{resource_type}' is not valid; expected 'Namespace/type'.")
    return parts[0], parts[1:]


def compose_id(base: str, resource_type: str, names: list[str]) -> str:
    """{base}/providers/{ns}/{t1}/{n1}/{t2}/{n2}; resource groups and subscriptions have their own shapes."""
    namespace, types = split_type(resource_type)
    if namespace.lower() == "microsoft.resources" and len(types) == 1:
        if (
            types[0].lower() == "resourcegroups"
            and base.startswith("/subscriptions/")
            and "/resourceGroups/" not in base
        ):
            return f"{base}/resourceGroups/{names[0]}"
        if types[0].lower() == "subscriptions" and not base:
            return f"/subscriptions/{names[0]}"
    segments = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"{base}/providers/{namespace}/{segments}"
