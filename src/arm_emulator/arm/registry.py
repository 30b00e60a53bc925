"""The registered providers, looked up by namespace or by resource type key."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .resource_type import Provider, ResourceType

# (resource id, tenant id, body) -> body: what a generically stored type's real service adds.
GenericHook = Callable[[str, str, dict[str, Any]], dict[str, Any]]
# (resource id, its stored body, the request's body or None) -> the answer of a POST action.
GenericAction = Callable[[str, dict[str, Any], Any], Any]


@dataclass(frozen=True)
class GenericType:
    """What a generically stored type's real service does beyond the ARM contract, as data:
    - `computed`: fields it fills in on every write;
    - `implicit_children`: resources it makes with each new resource, as `type/name[/type/name...]`
      paths below it with their bodies (stored as generic resources of their own, in order, so they
      are read, listed, exported, nested in and deleted like any other);
    - `actions`: its POST actions (`{id}/{action}`, names case-insensitive) and what each answers."""

    computed: GenericHook | None = None
    implicit_children: tuple[tuple[str, dict[str, Any]], ...] = ()
    actions: Mapping[str, GenericAction] = field(default_factory=dict)

    def action(self, name: str) -> GenericAction | None:
        return next((act for key, act in self.actions.items() if key.lower() == name.lower()), None)


_NOTHING_DECLARED = GenericType()


class Registry:
    def __init__(self, providers: Iterable[Provider], generic_types: Mapping[str, GenericType] | None = None) -> None:
        self.providers: tuple[Provider, ...] = tuple(providers)
        self.generic_types: Mapping[str, GenericType] = {k.lower(): v for k, v in (generic_types or {}).items()}
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

    def generic_type(self, type_key: str) -> GenericType:
        """What is declared for a generically stored type (nothing, for most)."""
        return self.generic_types.get(type_key.lower()) or _NOTHING_DECLARED

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
