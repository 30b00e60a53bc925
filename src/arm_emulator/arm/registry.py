"""The registered providers, looked up by namespace or by resource type key."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .resource_type import Provider, ResourceType

# (resource id, tenant id, body) -> body: what a generically stored type's real service adds.
GenericHook = Callable[[str, str, dict[str, Any]], dict[str, Any]]


class Registry:
    def __init__(self, providers: Iterable[Provider], generic_hooks: Mapping[str, GenericHook] | None = None) -> None:
        self.providers: tuple[Provider, ...] = tuple(providers)
        self.generic_hooks: Mapping[str, GenericHook] = {k.lower(): v for k, v in (generic_hooks or {}).items()}
        self._by_namespace = {p.namespace.lower(): p for p in self.providers}
        self._by_type_key: dict[str, tuple[Provider, ResourceType]] = {
            provider.type_name(rt).lower(): (provider, rt)
            for provider in self.providers
            for rt in provider.resource_types
        }
        self._embedded: dict[str, list[tuple[str, ResourceType]]] = {}
        for type_key, (_, rt) in self._by_type_key.items():
            if rt.embedded_in_parent is not None:
                parent_key = type_key.rsplit("/", 1)[0]
                self._embedded.setdefault(parent_key, []).append((type_key, rt))

    def provider(self, namespace: str) -> Provider | None:
        return self._by_namespace.get(namespace.lower())

    def resource_type(self, type_key: str) -> tuple[Provider, ResourceType] | None:
        return self._by_type_key.get(type_key.lower())

    def embedded_children(self, type_key: str) -> list[tuple[str, ResourceType]]:
        """The child types (type key, declaration) that a resource of `type_key` lists in its properties."""
        return self._embedded.get(type_key.lower(), [])

    def provider_for_path(self, path: str) -> Provider | None:
        """The provider whose namespace follows the first `providers` segment of a path."""
        segments = path.split("/")
        for index, segment in enumerate(segments[:-1]):
            if segment.lower() == "providers":
                return self.provider(segments[index + 1])
        return None
