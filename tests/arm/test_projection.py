"""arm.projection: a version's view of a stored body, read off pydantic models (no validation)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, RootModel

from arm_emulator.arm.projection import carry_over, covers, hidden, project, sees_all, shape_of


class Origin(RootModel[str]):
    root: Annotated[str, Field(pattern="^https://")]


class Cors(BaseModel):
    origins: list[Origin] | None = None


class Identity(BaseModel):
    principalId: str | None = None


class PropertiesV1(BaseModel):
    cors: Cors | None = None
    state: str | None = None


class PropertiesV2(PropertiesV1):
    partitions: bool | None = None


class Error(BaseModel):
    code: str | None = None
    details: list[Error] | None = None


class ResourceV1(BaseModel):
    name: str | None = None
    properties: PropertiesV1 | None = None
    identities: dict[str, Identity] | None = None
    error: Error | None = None
    free_form: Annotated[dict[str, Any] | None, Field(alias="freeForm")] = None


class ResourceV2(ResourceV1):
    properties: PropertiesV2 | None = None


STORED = {
    "name": "r",
    "properties": {"cors": {"origins": ["not-a-url"]}, "state": "on", "partitions": True},
    "identities": {"a": {"principalId": "p", "extra": 1}},
    "error": {"code": "X", "details": [{"code": "Y", "more": 1}]},
    "freeForm": {"anything": {"goes": 1}},
}


def test_project_keeps_only_known_fields_at_every_depth_without_validating() -> None:
    view = project(shape_of(ResourceV1), STORED)
    assert view["properties"] == {"cors": {"origins": ["not-a-url"]}, "state": "on"}
    assert view["identities"] == {"a": {"principalId": "p"}}
    assert view["error"] == {"code": "X", "details": [{"code": "Y"}]}  # recursive schema
    assert view["freeForm"] == {"anything": {"goes": 1}}  # free-form JSON is taken whole
    assert project(shape_of(ResourceV2), STORED)["properties"]["partitions"] is True


def test_hidden_is_what_a_version_cannot_see_and_carry_over_puts_it_back() -> None:
    unseen = hidden(shape_of(ResourceV1), STORED)
    assert unseen == {"properties": {"partitions": True}}
    written = {"name": "r", "properties": {"state": "off"}}
    assert carry_over(written, unseen) == {"name": "r", "properties": {"state": "off", "partitions": True}}
    assert hidden(shape_of(ResourceV2), {"name": "r", "properties": {"partitions": False}}) is None


def test_covers_tells_whether_projecting_changes_anything() -> None:
    assert covers(shape_of(ResourceV2), shape_of(ResourceV1))
    assert not covers(shape_of(ResourceV1), shape_of(ResourceV2))
    assert covers(shape_of(Error), shape_of(Error))


def test_sees_all_is_true_only_when_nothing_would_be_dropped() -> None:
    assert not sees_all(shape_of(ResourceV1), STORED)
    assert sees_all(shape_of(ResourceV1), {"name": "r", "properties": {"state": "on"}, "identities": {}})
    assert not sees_all(shape_of(ResourceV1), {"error": {"details": [{"code": "Y", "more": 1}]}})
    assert sees_all(shape_of(ResourceV1), project(shape_of(ResourceV1), STORED))
