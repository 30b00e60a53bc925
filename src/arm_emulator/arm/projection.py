"""The fields one api-version knows, at every depth: the view that version has of a stored resource.

The store keeps one body per resource, the union of what every version wrote and computed. A version's
`Shape`, read off its generated response model, projects that body onto the fields the version knows
(`project`), and tells which stored fields a write at that version must carry over untouched because the
version cannot see them (`hidden`). No validation happens here: a stored value one version accepts may
break another's constraints (a CORS origin without the pattern older versions had), and a read must
never fail for that.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, RootModel


@dataclass(eq=False)
class Shape:
    """An object: its known keys (wire names), each with the shape of its value (None: taken whole)."""

    fields: dict[str, Node] = field(default_factory=dict)


@dataclass(frozen=True)
class ListOf:
    item: Node


@dataclass(frozen=True)
class MapOf:
    value: Node


Node = Shape | ListOf | MapOf | None


def shape_of(model: type[BaseModel]) -> Shape:
    return _model_shape(model, {})


def _model_shape(model: type[BaseModel], seen: dict[type, Shape]) -> Shape:
    if model in seen:  # a recursive schema (error details) refers to the shape being built
        return seen[model]
    shape = seen[model] = Shape()
    for name, info in model.model_fields.items():
        shape.fields[info.alias or name] = _node(info.annotation, seen)
    return shape


def _node(annotation: Any, seen: dict[type, Shape]) -> Node:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _node(get_args(annotation)[0], seen)
    if origin in (Union, types.UnionType):
        nodes = [_node(arg, seen) for arg in get_args(annotation) if arg is not type(None)]
        return next((n for n in nodes if n is not None), None)
    if origin in (list, tuple, set):
        item = _node(get_args(annotation)[0], seen)
        return None if item is None else ListOf(item)
    if origin is dict:
        value = _node(get_args(annotation)[1], seen)
        return None if value is None else MapOf(value)
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        return _node(annotation.model_fields["root"].annotation, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.model_config.get("extra") == "allow":
            return None
        return _model_shape(annotation, seen)
    return None  # a scalar, or free-form JSON: taken whole


def project(node: Node, value: Any) -> Any:
    """`value` with only the fields `node` knows."""
    if node is None:
        return value
    if isinstance(node, Shape):
        if not isinstance(value, dict):
            return value
        known = node.fields
        return {k: project(known[k], v) for k, v in value.items() if k in known}
    if isinstance(node, ListOf):
        return [project(node.item, v) for v in value] if isinstance(value, list) else value
    if isinstance(value, dict):
        return {k: project(node.value, v) for k, v in value.items()}
    return value


def sees_all(node: Node, value: Any) -> bool:
    """Whether `node` knows every field of `value`, at every depth (projecting would change nothing).
    Plain loops, not `all()` over generators: every write's answer is checked."""
    if node is None:
        return True
    if isinstance(node, Shape):
        if not isinstance(value, dict):
            return True
        known = node.fields
        for key, item in value.items():
            if key not in known:
                return False
            inner = known[key]
            if inner is not None and isinstance(item, dict | list) and not sees_all(inner, item):
                return False
        return True
    if isinstance(node, ListOf):
        items = value if isinstance(value, list) else ()
    else:
        items = value.values() if isinstance(value, dict) else ()
    inner = node.item if isinstance(node, ListOf) else node.value
    for item in items:  # noqa: SIM110 (a loop, not all(): see above)
        if isinstance(item, dict | list) and not sees_all(inner, item):
            return False
    return True


_NOTHING: Any = object()


def hidden(node: Node, value: Any) -> Any:
    """The part of `value` that `node` does not know, as a nested dict (None if there is none).

    Lists and maps are replaced whole by a write, so only object fields can be hidden from a version.
    """
    found = _hidden(node, value)
    return None if found is _NOTHING else found


def _hidden(node: Node, value: Any) -> Any:
    if not isinstance(node, Shape) or not isinstance(value, dict):
        return _NOTHING
    out = {}
    for key, item in value.items():
        if key not in node.fields:
            out[key] = item
        else:
            inner = _hidden(node.fields[key], item)
            if inner is not _NOTHING:
                out[key] = inner
    return out or _NOTHING


def carry_over(body: dict[str, Any], preserved: dict[str, Any] | None) -> dict[str, Any]:
    """`body` with the preserved fields put back where it has nothing of its own."""
    if not preserved:
        return body
    for key, value in preserved.items():
        mine = body.get(key)
        if key not in body:
            body[key] = value
        elif isinstance(mine, dict) and isinstance(value, dict):
            carry_over(mine, value)
    return body


def covers(node: Node, other: Node) -> bool:
    """Whether `node` knows every field `other` knows (projecting through it changes nothing)."""
    return _covers(node, other, set())


def _covers(node: Node, other: Node, visiting: set[tuple[int, int]]) -> bool:
    if node is None:
        return True
    if other is None:
        return False
    if isinstance(node, ListOf) and isinstance(other, ListOf):
        return _covers(node.item, other.item, visiting)
    if isinstance(node, MapOf) and isinstance(other, MapOf):
        return _covers(node.value, other.value, visiting)
    if not (isinstance(node, Shape) and isinstance(other, Shape)):
        return False
    pair = (id(node), id(other))
    if pair in visiting:  # a recursive schema: this pair is being compared further up
        return True
    visiting.add(pair)
    return all(key in node.fields and _covers(node.fields[key], sub, visiting) for key, sub in other.fields.items())
