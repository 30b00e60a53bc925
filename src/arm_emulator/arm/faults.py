"""Fault and latency injection: rules that match ARM requests and make them fail or slow down."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Match(_Model):
    """Every given field must match; names and types compare case-insensitively, `name` is a glob."""

    provider: str | None = None
    resource_type: str | None = Field(None, alias="resourceType")
    name: str | None = None
    method: str | None = None
    api_version: str | None = Field(None, alias="apiVersion")


class ErrorAction(_Model):
    """Answer at once with an ARM error (429 and 503 with a Retry-After)."""

    type: Literal["error"]
    status: int = Field(500, ge=400, le=599)
    code: str = "InternalServerError"
    message: str = "Injected fault."
    retry_after: int | None = Field(None, alias="retryAfter", ge=1)


class LatencyAction(_Model):
    """Answer normally, this much later."""

    type: Literal["latency"]
    milliseconds: int = Field(ge=0, le=600_000)


class FailOperationAction(_Model):
    """Let the write start as usual, and end its long-running operation Failed or Canceled."""

    type: Literal["failOperation"]
    status: Literal["Failed", "Canceled"] = "Failed"
    code: str = "InternalServerError"
    message: str = "The operation failed (injected)."


Action = Annotated[ErrorAction | LatencyAction | FailOperationAction, Field(discriminator="type")]


class FaultRuleSpec(_Model):
    """A rule as set through the control API or a seed file."""

    match: Match = Field(default_factory=Match)
    action: Action
    times: int | None = Field(None, ge=1, description="Fire this many times, then stop; default always.")
    probability: float = Field(1.0, ge=0.0, le=1.0)
    seed: int | None = Field(None, description="Seed for `probability`, for repeatable runs.")


@dataclass
class FaultRule:
    """A rule as this replica knows it; `fired` is the count when it was last read from the store."""

    id: str
    spec: FaultRuleSpec
    fired: int = 0
    _random: random.Random = field(default_factory=random.Random)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "fired": self.fired, **self.spec.model_dump(by_alias=True, exclude_none=True)}


@dataclass(frozen=True)
class Target:
    """What a request is about, read from its (canonical) path."""

    method: str
    provider: str | None
    resource_type: str | None
    name: str | None
    api_version: str | None


def target_of(method: str, path: str, api_version: str | None) -> Target:
    segments = [s for s in path.split("/") if s]
    lowered = [s.lower() for s in segments]
    if "providers" not in lowered:
        if len(segments) >= 4 and lowered[2] == "resourcegroups":  # a resource group
            return Target(method, "Microsoft.Resources", "resourceGroups", segments[3], api_version)
        return Target(method, None, None, None, api_version)
    index = lowered.index("providers")
    provider = segments[index + 1] if index + 1 < len(segments) else None
    rest = segments[index + 2 :]
    types = rest[0::2]
    names = rest[1::2]
    return Target(
        method,
        provider,
        "/".join(types) or None,
        names[-1] if len(names) == len(types) and names else None,
        api_version,
    )


def _equal(wanted: str | None, actual: str | None) -> bool:
    return wanted is None or (actual is not None and wanted.lower() == actual.lower())


class FaultRules:
    """The rules every replica shares (kept in the store, see arm.controls), matched here."""

    def __init__(self) -> None:
        self._rules: dict[str, FaultRule] = {}

    def load(self, rules: list[FaultRule]) -> None:
        """Take the store's rules; a rule already known keeps its random draws (its `seed` sequence)."""
        known = self._rules
        self._rules = {rule.id: known.get(rule.id, rule) for rule in rules}
        for rule in rules:
            self._rules[rule.id].fired = rule.fired

    @property
    def active(self) -> bool:
        return bool(self._rules)

    def all(self) -> list[FaultRule]:
        return list(self._rules.values())

    def candidates(self, target: Target) -> list[FaultRule]:
        """The rules that match this request and whose `probability` draw says fire (the draws are spent;
        whether a rule with `times` is spent up is for the store to say)."""
        chosen = []
        for rule in self._rules.values():
            match, spec = rule.spec.match, rule.spec
            if not (
                _equal(match.provider, target.provider)
                and _equal(match.resource_type, target.resource_type)
                and _equal(match.method, target.method)
                and _equal(match.api_version, target.api_version)
                and (
                    match.name is None
                    or (target.name is not None and fnmatch.fnmatchcase(target.name.lower(), match.name.lower()))
                )
            ):
                continue
            if spec.times is not None and rule.fired >= spec.times:
                continue
            if spec.probability < 1.0 and rule._random.random() >= spec.probability:
                continue
            chosen.append(rule)
        return chosen
