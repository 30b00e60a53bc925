"""The `$filter` subset ARM's resource lists (Resources_List, Resources_ListByResourceGroup) take.

Supported, as the Microsoft.Resources swagger documents them and azure-cli builds them:
`name`, `resourceType`, `resourceGroup`, `location` with `eq`/`ne`; `substringof('x', name)` and
`substringof('x', resourceGroup)`; `tagName eq 'n'` (optionally `and tagValue eq 'v'`) and
`startswith(tagName, 'prefix')`; clauses joined by `and`. Names and values compare ignoring case.
ARM refuses tag filters combined with anything else; so does this parser. Whatever it does not
understand (`or`, parentheses, `plan`, `identity`, other functions) is refused with ARM's 400
`InvalidFilterInQueryString` rather than ignored: an ignored filter would answer with everything.
No SQL here: the list pushes what it can into the store and asks `matches` for the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ArmError

COMPARED_PROPERTIES = ("name", "resourceType", "resourceGroup", "location")
TAG_PROPERTIES = ("tagName", "tagValue")
SUBSTRING_PROPERTIES = ("name", "resourceGroup")
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<word>[A-Za-z_][\w/]*)|(?P<symbol>[(),]))")


def invalid_filter(text: str, reason: str) -> ArmError:
    return ArmError(400, "InvalidFilterInQueryString", f"The $filter '{text}' is invalid: {reason}.")


@dataclass(frozen=True)
class Comparison:
    """`property eq|ne 'value'`, or `substringof('value', property)` (operator `substringof`)."""

    property: str
    operator: str
    value: str


@dataclass(frozen=True)
class FilteredItem:
    """What a filter looks at in one resource."""

    name: str
    type: str
    resource_group: str
    location: str
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResourceFilter:
    comparisons: tuple[Comparison, ...] = ()
    tag_name: str | None = None
    tag_value: str | None = None
    tag_name_prefix: str | None = None

    @property
    def by_tag(self) -> bool:
        return self.tag_name is not None or self.tag_name_prefix is not None

    def equal_to(self, prop: str) -> str | None:
        """The value an `eq` clause on `prop` asks for (for the store to narrow the scan), if any."""
        return next((c.value for c in self.comparisons if c.property == prop and c.operator == "eq"), None)

    def matches(self, item: FilteredItem) -> bool:
        for comparison in self.comparisons:
            if not _compare(comparison, item):
                return False
        if self.tag_name_prefix is not None:
            return any(name.lower().startswith(self.tag_name_prefix.lower()) for name in item.tags)
        if self.tag_name is not None:
            wanted = self.tag_name.lower()
            values = [value for name, value in item.tags.items() if name.lower() == wanted]
            if not values:
                return False
            if self.tag_value is not None:
                return any(value.lower() == self.tag_value.lower() for value in values)
        return True


def _compare(comparison: Comparison, item: FilteredItem) -> bool:
    actual = {
        "name": item.name,
        "resourceType": item.type,
        "resourceGroup": item.resource_group,
        "location": item.location,
    }[comparison.property].lower()
    value = comparison.value.lower()
    if comparison.property == "location":
        value = "".join(value.split())  # `West US` is `westus`, as everywhere in ARM
    if comparison.operator == "substringof":
        return value in actual
    return (actual == value) == (comparison.operator == "eq")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        found = _TOKEN.match(text, position)
        if found is None:
            raise invalid_filter(text, f"unexpected text at '{text[position : position + 20].strip()}'")
        kind = found.lastgroup or ""
        token = found.group(kind)
        tokens.append((kind, token[1:-1].replace("''", "'") if kind == "string" else token))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def fail(self, reason: str) -> ArmError:
        return invalid_filter(self.text, reason)

    def take(self, kind: str, what: str) -> str:
        if self.index >= len(self.tokens) or self.tokens[self.index][0] != kind:
            raise self.fail(f"{what} expected")
        value = self.tokens[self.index][1]
        self.index += 1
        return value

    def symbol(self, symbol: str) -> None:
        if self.take("symbol", f"'{symbol}'") != symbol:
            raise self.fail(f"'{symbol}' expected")

    def property_name(self, allowed: tuple[str, ...]) -> str:
        word = self.take("word", "a property name")
        found = next((p for p in allowed if p.lower() == word.lower()), None)
        if found is None:
            raise self.fail(f"filtering on '{word}' is not supported here; supported: {', '.join(allowed)}")
        return found

    def clause(self) -> Comparison:
        word = self.take("word", "a property or function name")
        lowered = word.lower()
        if lowered == "substringof":
            self.symbol("(")
            value = self.take("string", "a quoted string")
            self.symbol(",")
            prop = self.property_name(SUBSTRING_PROPERTIES)
            self.symbol(")")
            return Comparison(prop, "substringof", value)
        if lowered == "startswith":
            self.symbol("(")
            self.property_name(("tagName",))
            self.symbol(",")
            value = self.take("string", "a quoted string")
            self.symbol(")")
            return Comparison("tagName", "startswith", value)
        self.index -= 1
        prop = self.property_name(COMPARED_PROPERTIES + TAG_PROPERTIES)
        operator = self.take("word", "'eq' or 'ne'").lower()
        if operator not in ("eq", "ne") or (operator == "ne" and prop in TAG_PROPERTIES):
            raise self.fail(f"the operator '{operator}' is not supported for '{prop}'")
        return Comparison(prop, operator, self.take("string", "a quoted string"))

    def parse(self) -> list[Comparison]:
        clauses = [self.clause()]
        while self.index < len(self.tokens):
            joiner = self.take("word", "'and'")
            if joiner.lower() != "and":
                raise self.fail(f"'{joiner}' is not supported between clauses; only 'and' is")
            clauses.append(self.clause())
        return clauses


def parse_filter(text: str | None) -> ResourceFilter:
    """The filter a `$filter` value asks for; no filter for an absent or blank one."""
    if text is None or not text.strip():
        return ResourceFilter()
    clauses = _Parser(text).parse()
    tags = [c for c in clauses if c.property == "tagName" or c.property == "tagValue"]
    others = tuple(c for c in clauses if c not in tags)
    if not tags:
        return ResourceFilter(others)
    if others:
        raise invalid_filter(text, "a tag filter (tagName, tagValue) cannot be combined with other filters")
    names = [c for c in tags if c.property == "tagName"]
    values = [c for c in tags if c.property == "tagValue"]
    if len(names) != 1 or len(values) > 1:
        raise invalid_filter(text, "give one tagName, optionally with one tagValue")
    name = names[0]
    if name.operator == "startswith":
        if values:
            raise invalid_filter(text, "startswith(tagName, ...) cannot be combined with tagValue")
        return ResourceFilter(tag_name_prefix=name.value)
    return ResourceFilter(tag_name=name.value, tag_value=values[0].value if values else None)
