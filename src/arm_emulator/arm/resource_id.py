"""ARM resource ids: building them, their case-insensitive keys, and case-insensitive routing.

ARM matches every name in a URL case-insensitively but echoes the casing the caller last supplied;
fixed segments (`resourceGroups`, namespaces, type names) are emitted in their canonical casing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Matched with fullmatch: `$` would also accept a trailing newline.
GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# ARM: up to 90 chars of letters, digits, '-', '_', '(', ')', '.'; must not end with '.'.
RESOURCE_GROUP_NAME = re.compile(r"[-\w._()]{1,90}")


def is_valid_resource_group_name(name: str) -> bool:
    return bool(RESOURCE_GROUP_NAME.fullmatch(name)) and not name.endswith(".")


def is_guid(value: str) -> bool:
    return GUID.fullmatch(value) is not None


@dataclass(frozen=True)
class ResourceId:
    """A tracked or nested resource id: subscription, resource group, namespace, (type, name) pairs."""

    subscription_id: str
    resource_group: str
    namespace: str
    types: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return self.types[-1][1]

    @property
    def type_name(self) -> str:
        """Canonical `Namespace/type[/childType]`."""
        return "/".join([self.namespace, *(t for t, _ in self.types)])

    @property
    def type_key(self) -> str:
        return self.type_name.lower()

    @property
    def resource_group_id(self) -> str:
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"

    @property
    def id(self) -> str:
        pairs = "/".join(f"{t}/{n}" for t, n in self.types)
        return f"{self.resource_group_id}/providers/{self.namespace}/{pairs}"

    @property
    def key(self) -> str:
        return key_of(self.id)

    @property
    def parent(self) -> ResourceId | None:
        if len(self.types) == 1:
            return None
        return ResourceId(self.subscription_id, self.resource_group, self.namespace, self.types[:-1])

    @property
    def parent_key(self) -> str:
        parent = self.parent
        return parent.key if parent else key_of(self.resource_group_id)

    @property
    def type_path_with_names(self) -> str:
        """`Namespace/type/name[/child/name]`, the form ARM's ResourceNotFound message uses."""
        return "/".join([self.namespace, *(f"{t}/{n}" for t, n in self.types)])


def key_of(resource_id: str) -> str:
    """The case-insensitive identity of an id (what the store indexes on)."""
    return resource_id.lower()


def resource_group_id(subscription_id: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


class PathCanonicalizer:
    """Rewrites the fixed segments of a request path to the casing the routes are declared in.

    ARM paths alternate `key/value` (`subscriptions/{id}/resourceGroups/{name}/...`), except that
    `providers` is followed directly by a namespace. Only keys and namespaces are rewritten, so a
    resource group that happens to be called `Providers` keeps its casing.
    """

    def __init__(self, route_paths: Iterable[str]) -> None:
        words: dict[str, str] = {}
        for path in route_paths:
            for segment in path.strip("/").split("/"):
                if not segment or segment.startswith("{"):
                    continue
                existing = words.setdefault(segment.lower(), segment)
                if existing != segment:
                    raise ValueError(f"route segment declared in two casings: {existing!r} and {segment!r}")
        self._words: Mapping[str, str] = words

    def canonicalize(self, path: str) -> str:
        segments = path.split("/")
        # segments[0] is "" for an absolute path.
        index = 1
        words = self._words
        while index < len(segments):
            segment = segments[index]
            canonical = words.get(segment.lower())
            if canonical is not None:
                segments[index] = canonical
            if canonical == "providers" and index + 1 < len(segments):
                namespace = segments[index + 1]
                segments[index + 1] = words.get(namespace.lower(), namespace)
            index += 2
        return "/".join(segments)


def parse_resource_id(resource_id: str) -> ResourceId:
    """Parse `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]...`."""
    segments = resource_id.strip("/").split("/")
    if (
        len(segments) < 8
        or len(segments) % 2
        or segments[0].lower() != "subscriptions"
        or segments[2].lower() != "resourcegroups"
        or segments[4].lower() != "providers"
    ):
        raise ValueError(f"not a provider resource id: {resource_id!r}")
    pairs = segments[6:]
    types = tuple((pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2))
    return ResourceId(segments[1], segments[3], segments[5], types)
