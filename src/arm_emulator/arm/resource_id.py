"""ARM resource ids: building them, their case-insensitive keys, and case-insensitive routing.

ARM matches every name in a URL case-insensitively but echoes the casing the caller last supplied;
fixed segments (`resourceGroups`, namespaces, type names) are emitted in their canonical casing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

# Matched with fullmatch: `$` would also accept a trailing newline.
GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# ARM: up to 90 chars of letters, digits, '-', '_', '(', ')', '.'; must not end with '.'.
RESOURCE_GROUP_NAME = re.compile(r"[-\w._()]{1,90}")


def is_valid_resource_group_name(name: str) -> bool:
    return bool(RESOURCE_GROUP_NAME.fullmatch(name)) and not name.endswith(".")


def is_guid(value: str) -> bool:
    return GUID.fullmatch(value) is not None


_T = TypeVar("_T")


class computed_once(Generic[_T]):
    """`functools.cached_property` without the lock Python 3.11's takes on every first read (about a
    microsecond each: a write builds several ids and reads a few properties of each)."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self._compute = compute
        self._name = compute.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: Any, owner: type | None = None) -> _T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self._name] = self._compute(instance)
        return value


class _TypedId:
    """What every id of `namespace` and (type, name) pairs derives from them. The derived strings are
    computed once per id (a write reads its id, key and type several times)."""

    namespace: str
    types: tuple[tuple[str, str], ...]

    @property
    def id(self) -> str:
        raise NotImplementedError

    @property
    def name(self) -> str:
        return self.types[-1][1]

    @computed_once
    def type_name(self) -> str:
        """Canonical `Namespace/type[/childType]`."""
        return "/".join([self.namespace, *(t for t, _ in self.types)])

    @computed_once
    def type_key(self) -> str:
        return self.type_name.lower()

    @computed_once
    def key(self) -> str:
        return key_of(self.id)

    @property
    def type_path_with_names(self) -> str:
        """`Namespace/type/name[/child/name]`, the form ARM's ResourceNotFound message uses."""
        return "/".join([self.namespace, *(f"{t}/{n}" for t, n in self.types)])


@dataclass(frozen=True)
class ResourceId(_TypedId):
    """A tracked or nested resource id: subscription, resource group, namespace, (type, name) pairs."""

    subscription_id: str
    resource_group: str
    namespace: str
    types: tuple[tuple[str, str], ...]

    @computed_once
    def resource_group_id(self) -> str:
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"

    @computed_once
    def id(self) -> str:
        pairs = "/".join(f"{t}/{n}" for t, n in self.types)
        return f"{self.resource_group_id}/providers/{self.namespace}/{pairs}"

    @computed_once
    def parent(self) -> ResourceId | None:
        if len(self.types) == 1:
            return None
        return ResourceId(self.subscription_id, self.resource_group, self.namespace, self.types[:-1])

    @computed_once
    def parent_key(self) -> str:
        parent = self.parent
        return parent.key if parent else key_of(self.resource_group_id)


def key_of(resource_id: str) -> str:
    """The case-insensitive identity of an id (what the store indexes on)."""
    return resource_id.lower()


def resource_group_id(subscription_id: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


_EMPTY_SEGMENTS = re.compile(r"/{2,}")


class PathCanonicalizer:
    """Rewrites the fixed segments of a request path to the casing the routes are declared in.

    ARM paths alternate `key/value` (`subscriptions/{id}/resourceGroups/{name}/...`), except that
    `providers` is followed directly by a namespace. Only keys and namespaces are rewritten, so a
    resource group that happens to be called `Providers` keeps its casing. Empty segments are dropped,
    as ARM drops them: clients build `providers/{ns}/{parentPath}/{type}` with an empty parent path,
    and `/{resourceId}` with an id that starts with `/`.
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
        if "//" in path:
            path = _EMPTY_SEGMENTS.sub("/", path)
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


@dataclass(frozen=True)
class ScopedResourceId(_TypedId):
    """A resource id at any scope: `{scope}/providers/{ns}/{type}/{name}[/{type}/{name}]...`, where the
    scope is a subscription, a resource group or another resource (an extension resource, such as a
    role assignment on a storage account)."""

    scope: str
    subscription_id: str
    resource_group: str | None
    namespace: str
    types: tuple[tuple[str, str], ...]

    @computed_once
    def id(self) -> str:
        pairs = "/".join(f"{t}/{n}" for t, n in self.types)
        return f"{self.scope}/providers/{self.namespace}/{pairs}"

    @computed_once
    def parent_id(self) -> str:
        """The resource it is nested in, else its scope."""
        if len(self.types) == 1:
            return self.scope
        pairs = "/".join(f"{t}/{n}" for t, n in self.types[:-1])
        return f"{self.scope}/providers/{self.namespace}/{pairs}"

    @computed_once
    def resource_group_key(self) -> str | None:
        return key_of(resource_group_id(self.subscription_id, self.resource_group)) if self.resource_group else None


def parse_scoped_path(path: str) -> tuple[ScopedResourceId, str | None] | None:
    """A path to a resource at any scope, or to a collection of one type there: the id (for a
    collection, of the collection's parent with the listed type's name left empty) and the listed
    type (None for a single resource). None if the path is neither. The namespace is the one after
    the last `providers`."""
    segments = path.strip("/").split("/")
    if len(segments) < 4 or segments[0].lower() != "subscriptions" or not all(segments):
        return None
    providers_at = max((i for i, s in enumerate(segments) if s.lower() == "providers" and i % 2 == 0), default=0)
    if providers_at < 2 or providers_at + 2 >= len(segments):
        return None
    scope_segments = segments[:providers_at]
    if len(scope_segments) > 2 and scope_segments[2].lower() != "resourcegroups":
        return None  # a subscription-level resource's own extension: not a shape ARM clients send
    if len(scope_segments) not in (2, 4) and (len(scope_segments) < 8 or scope_segments[4].lower() != "providers"):
        return None
    resource_group = scope_segments[3] if len(scope_segments) >= 4 else None
    rest = segments[providers_at + 2 :]
    listed = rest[-1] if len(rest) % 2 else None
    pairs = rest[:-1] if listed else rest
    types = tuple((pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2))
    if listed is not None:
        types = (*types, (listed, ""))
    scope = "/" + "/".join(scope_segments)
    return ScopedResourceId(scope, segments[1], resource_group, segments[providers_at + 1], types), listed


def shown_type_name(resource_id: str, type_key: str, stored_type: object) -> str:
    """A stored resource's type as lists and exports show it: the body's `type` (the casing it was
    written in) when it is that type, else read from the id."""
    if isinstance(stored_type, str) and stored_type.lower() == type_key:
        return stored_type
    parsed = parse_scoped_path(resource_id)
    return parsed[0].type_name if parsed is not None and parsed[1] is None else type_key
