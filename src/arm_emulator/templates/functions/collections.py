"""Array and object functions (template-functions-array, template-functions-object); several also take strings."""

from __future__ import annotations

from typing import Any

from ..evaluator import Context, function
from ..values import deep_equals, is_int, lookup, to_text, type_name
from . import _checks as c


@function("array", 1)
def _array(ctx: Context, value: Any) -> list:
    return value if isinstance(value, list) else [value]


@function("createArray", 0, None, grows=True)
def _create_array(ctx: Context, *values: Any) -> list:
    return list(values)


@function("concat", 0, None, grows=True)
def _concat(ctx: Context, *values: Any) -> Any:
    if values and all(isinstance(v, list) or v is None for v in values) and any(isinstance(v, list) for v in values):
        result: list = []
        for value in values:
            result.extend(value or [])
        return result
    if any(isinstance(v, (list, dict)) for v in values):
        raise c.fail("concat", "the parameters must be all arrays or all strings (or numbers and booleans).")
    return "".join(to_text(v) for v in values)


@function("contains", 2)
def _contains(ctx: Context, container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return to_text(item) in container
    if isinstance(container, list):
        return any(deep_equals(element, item) for element in container)
    if isinstance(container, dict):
        return lookup(container, to_text(item))[0]
    raise c.wrong_type("contains", "Array, Object, String", container)


@function("empty", 1)
def _empty(ctx: Context, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, list, dict)):
        return len(value) == 0
    raise c.wrong_type("empty", "Array, Object, String", value)


@function("first", 1)
def _first(ctx: Context, value: Any) -> Any:
    if isinstance(value, str):
        return value[:1]
    if isinstance(value, list):
        return value[0] if value else None
    raise c.wrong_type("first", "Array, String", value)


@function("last", 1)
def _last(ctx: Context, value: Any) -> Any:
    if isinstance(value, str):
        return value[-1:]
    if isinstance(value, list):
        return value[-1] if value else None
    raise c.wrong_type("last", "Array, String", value)


@function("indexOf", 2)
def _index_of(ctx: Context, value: Any, item: Any) -> int:
    if isinstance(value, str):
        return value.lower().find(c.text("indexOf", item).lower())
    if isinstance(value, list):
        return next((i for i, element in enumerate(value) if deep_equals(element, item)), -1)
    raise c.wrong_type("indexOf", "Array, String", value)


@function("lastIndexOf", 2)
def _last_index_of(ctx: Context, value: Any, item: Any) -> int:
    if isinstance(value, str):
        return value.lower().rfind(c.text("lastIndexOf", item).lower())
    if isinstance(value, list):
        return next((i for i in range(len(value) - 1, -1, -1) if deep_equals(value[i], item)), -1)
    raise c.wrong_type("lastIndexOf", "Array, String", value)


@function("length", 1)
def _length(ctx: Context, value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    if value is None:
        return 0
    raise c.wrong_type("length", "Array, Object, String", value)


@function("range", 2)
def _range(ctx: Context, start: Any, count: Any) -> list[int]:
    start = c.integer("range", start)
    count = c.integer("range", count)
    if count < 0 or count > ctx.limits.max_range_count:
        raise c.fail("range", f"the count '{count}' must be between 0 and {ctx.limits.max_range_count}.")
    if start + count > 2**31 - 1:
        raise c.fail("range", "the sum of the start index and the count must not exceed 2147483647.")
    ctx.budget.step(count)
    return list(range(start, start + count))


def _count(name: str, value: Any) -> int:
    return max(0, c.integer(name, value))


@function("skip", 2)
def _skip(ctx: Context, value: Any, count: Any) -> Any:
    if not isinstance(value, (str, list)):
        raise c.wrong_type("skip", "Array, String", value)
    return value[_count("skip", count) :]


@function("take", 2)
def _take(ctx: Context, value: Any, count: Any) -> Any:
    if not isinstance(value, (str, list)):
        raise c.wrong_type("take", "Array, String", value)
    return value[: _count("take", count)]


@function("flatten", 1, grows=True)
def _flatten(ctx: Context, value: Any) -> list:
    result: list = []
    for item in c.array("flatten", value):
        if not isinstance(item, list):
            raise c.fail("flatten", f"every element must be an array; found '{type_name(item)}'.")
        result.extend(item)
    return result


@function("tryIndexFromEnd", 2)
def _try_index_from_end(ctx: Context, value: Any, index: Any) -> Any:
    items = c.array("tryIndexFromEnd", value)
    index = c.integer("tryIndexFromEnd", index)
    return items[len(items) - index] if 1 <= index <= len(items) else None


@function("indexFromEnd", 2)
def _index_from_end(ctx: Context, value: Any, index: Any) -> Any:
    items = c.array("indexFromEnd", value)
    index = c.integer("indexFromEnd", index)
    if not 1 <= index <= len(items):
        raise c.fail("indexFromEnd", f"the index '{index}' is out of range of the array length '{len(items)}'.")
    return items[len(items) - index]


def _same_kind(name: str, values: tuple[Any, ...]) -> str:
    if all(isinstance(v, list) for v in values):
        return "array"
    if all(isinstance(v, dict) for v in values):
        return "object"
    raise c.fail(name, "the parameters must be all arrays or all objects.")


@function("intersection", 2, None)
def _intersection(ctx: Context, *values: Any) -> Any:
    if _same_kind("intersection", values) == "array":
        first = []
        for item in values[0]:
            if all(any(deep_equals(item, other) for other in rest) for rest in values[1:]) and not any(
                deep_equals(item, kept) for kept in first
            ):
                first.append(item)
        return first
    result = {}
    for key, item in values[0].items():
        if all(lookup(other, key)[0] and deep_equals(lookup(other, key)[1], item) for other in values[1:]):
            result[key] = item
    return result


def _deep_merge(target: dict, source: dict) -> dict:
    for key, value in source.items():
        found, existing = lookup(target, key)
        if found and isinstance(existing, dict) and isinstance(value, dict):
            merged = _deep_merge(dict(existing), value)
            _set(target, key, merged)
        else:
            _set(target, key, value)
    return target


def _set(target: dict, key: str, value: Any) -> None:
    for existing in list(target):
        if existing.lower() == key.lower() and existing != key:
            del target[existing]
    target[key] = value


@function("union", 1, None, grows=True)
def _union(ctx: Context, *values: Any) -> Any:
    if _same_kind("union", values) == "array":
        result: list = []
        for value in values:
            for item in value:
                if not any(deep_equals(item, kept) for kept in result):
                    result.append(item)
        return result
    merged: dict = {}
    for value in values:
        _deep_merge(merged, value)
    return merged


@function("createObject", 0, None, grows=True)
def _create_object(ctx: Context, *values: Any) -> dict:
    if len(values) % 2:
        raise c.fail("createObject", "the function requires an even number of parameters (key, value pairs).")
    result: dict = {}
    for i in range(0, len(values), 2):
        result[c.text("createObject", values[i])] = values[i + 1]
    return result


@function("null", 0)
def _null(ctx: Context) -> None:
    return None


@function("items", 1)
def _items(ctx: Context, value: Any) -> list:
    obj = c.obj("items", value)
    return [{"key": key, "value": obj[key]} for key in sorted(obj, key=str.lower)]


@function("objectKeys", 1)
def _object_keys(ctx: Context, value: Any) -> list:
    return list(c.obj("objectKeys", value))


@function("shallowMerge", 1, grows=True)
def _shallow_merge(ctx: Context, value: Any) -> dict:
    result: dict = {}
    for item in c.array("shallowMerge", value):
        for key, entry in c.obj("shallowMerge", item).items():
            _set(result, key, entry)
    return result


@function("tryGet", 2, None)
def _try_get(ctx: Context, value: Any, *keys: Any) -> Any:
    current = value
    for key in keys:
        if isinstance(current, dict) and isinstance(key, str):
            found, current = lookup(current, key)
            if not found:
                return None
        elif isinstance(current, list) and is_int(key):
            if not 0 <= key < len(current):
                return None
            current = current[key]
        else:
            return None
    return current
