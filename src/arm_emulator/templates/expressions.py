"""ARM template language expressions: recognising them in JSON strings, tokenising and parsing to a small AST.

Grammar: "[" expr "]" where expr := primary (("." identifier) | ("[" expr "]"))*, primary := 'string' (with ''
escaping) | integer | name "(" args ")" | namespace "." name "(" args ")". A string starting with "[[" is the
literal text without its first bracket."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .errors import ExpressionFailure


@dataclass(frozen=True, slots=True)
class Literal:
    value: object


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # as written
    args: tuple[Node, ...]

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Member:
    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    target: Node
    index: Node


Node = Literal | Call | Member | Index


def is_expression(text: str) -> bool:
    return len(text) >= 2 and text[0] == "[" and text[-1] == "]" and not text.startswith("[[")


def unescape_literal(text: str) -> str:
    """'[[x]' is the literal '[x]' (only strings that would otherwise be expressions are escaped)."""
    if text.startswith("[[") and text.endswith("]"):
        return text[1:]
    return text


_PUNCTUATION = "().,[]"


def _tokens(text: str) -> list[tuple[str, object, int]]:
    """(kind, value, position) with kind in: punct, string, int, ident."""
    tokens: list[tuple[str, object, int]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _PUNCTUATION:
            tokens.append(("punct", ch, i))
            i += 1
        elif ch == "'":
            start = i
            i += 1
            parts = []
            while True:
                end = text.find("'", i)
                if end < 0:
                    raise ExpressionFailure(
                        f"Unable to parse language expression '{text}': the string literal starting at position "
                        f"'{start}' is not terminated."
                    )
                parts.append(text[i:end])
                if end + 1 < n and text[end + 1] == "'":
                    parts.append("'")
                    i = end + 2
                else:
                    i = end + 1
                    break
            tokens.append(("string", "".join(parts), start))
        elif ch.isdigit() or (ch == "-" and i + 1 < n and text[i + 1].isdigit()):
            start = i
            i += 1
            while i < n and text[i].isdigit():
                i += 1
            tokens.append(("int", int(text[start:i]), start))
        elif ch.isalpha() or ch in "_$":
            start = i
            while i < n and (text[i].isalnum() or text[i] in "_$"):
                i += 1
            tokens.append(("ident", text[start:i], start))
        else:
            raise ExpressionFailure(
                f"Unable to parse language expression '{text}': the character '{ch}' at position '{i}' is not valid."
            )
    return tokens


class _Parser:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.depth = 0
        self.max_depth = max_depth

    def fail(self, expected: str) -> ExpressionFailure:
        if self.pos < len(self.tokens):
            kind, value, _ = self.tokens[self.pos]
            actual = f"'{value}'" if kind == "punct" else f"{kind} '{value}'"
        else:
            actual = "the end of the expression"
        return ExpressionFailure(
            f"Unable to parse language expression '{self.text}': expected {expected} and got {actual}."
        )

    def peek(self, value: str) -> bool:
        return self.pos < len(self.tokens) and self.tokens[self.pos][0] == "punct" and self.tokens[self.pos][1] == value

    def expect(self, value: str) -> None:
        if not self.peek(value):
            raise self.fail(f"'{value}'")
        self.pos += 1

    def parse(self) -> Node:
        node = self.expression()
        if self.pos != len(self.tokens):
            raise self.fail("the end of the expression")
        return node

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > self.max_depth:
            raise ExpressionFailure(
                f"The language expression is nested more than {self.max_depth} levels deep and cannot be evaluated."
            )
        node = self.primary()
        while True:
            if self.peek("."):
                self.pos += 1
                if self.pos >= len(self.tokens) or self.tokens[self.pos][0] != "ident":
                    raise self.fail("a property name")
                node = Member(node, str(self.tokens[self.pos][1]))
                self.pos += 1
            elif self.peek("["):
                self.pos += 1
                node = Index(node, self.expression())
                self.expect("]")
            else:
                break
        self.depth -= 1
        return node

    def primary(self) -> Node:
        if self.pos >= len(self.tokens):
            raise self.fail("a value")
        kind, value, _ = self.tokens[self.pos]
        if kind in ("string", "int"):
            self.pos += 1
            return Literal(value)
        if kind != "ident":
            raise self.fail("a function call")
        self.pos += 1
        name = str(value)
        # user-defined functions are called as namespace.name(...)
        if (
            self.peek(".")
            and self.pos + 2 < len(self.tokens)
            and self.tokens[self.pos + 1][0] == "ident"
            and (self.tokens[self.pos + 2][:2] == ("punct", "("))
        ):
            name = f"{name}.{self.tokens[self.pos + 1][1]}"
            self.pos += 2
        if not self.peek("("):
            raise self.fail("'(' after the function name")
        self.pos += 1
        args: list[Node] = []
        if self.peek(")"):
            self.pos += 1
            return Call(name, tuple(args))
        while True:
            args.append(self.expression())
            if self.peek(","):
                self.pos += 1
                continue
            self.expect(")")
            return Call(name, tuple(args))


@lru_cache(maxsize=4096)
def parse_expression(text: str, max_depth: int = 64) -> Node:
    """Parse the inside of an expression string (the text between the outer brackets)."""
    if not text.strip():
        raise ExpressionFailure("The language expression '' is not valid: the expression is empty.")
    return _Parser(text, max_depth).parse()


def walk(node: Node):
    """Every node of an expression, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Call):
            stack.extend(current.args)
        elif isinstance(current, Member):
            stack.append(current.target)
        elif isinstance(current, Index):
            stack.extend((current.target, current.index))
