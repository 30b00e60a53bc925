"""ResourceWriter's view of a stored body at one api-version: whether that version is known to see every
field any version stores (so its view is the stored text itself), decided without loading a model."""

from __future__ import annotations

from pydantic import BaseModel

from arm_emulator.arm.resource_type import (
    ApiVersionModels,
    Lifecycle,
    LroProfile,
    ModelNames,
    NameRule,
    OperationStatusEndpoint,
    Provider,
    ResourceType,
)
from arm_emulator.arm.writes import ResourceWriter

OLD, NEW = "2020-01-01", "2021-01-01"
SYNC = LroProfile(status_code=200)


class Narrow(BaseModel):
    id: str | None = None
    name: str | None = None


class Wide(Narrow):
    location: str | None = None


class Status(BaseModel):
    status: str


def writer() -> tuple[ResourceWriter, ApiVersionModels, ApiVersionModels]:
    """A type whose newer version knows every field of the older one (models made for each test)."""
    old = ApiVersionModels(__name__, ModelNames("Narrow", "Narrow"))
    new = ApiVersionModels(__name__, ModelNames("Wide", "Wide"))
    resource_type = ResourceType(
        type_segments=("things",),
        name_parameters=("thingName",),
        name_rule=NameRule(r"[a-z]{1,10}", "letters"),
        api_versions={OLD: old, NEW: new},
        lifecycle=Lifecycle(SYNC, SYNC, SYNC, SYNC, SYNC, SYNC),
    )
    provider = Provider(
        namespace="Contoso.Views",
        resource_types=(resource_type,),
        operation_status=OperationStatusEndpoint(path="/x/{operationId}", body_model=Status, new_operation_id=str),
        error_envelope=Status,
    )
    return ResourceWriter(provider, resource_type), old, new


def test_a_version_is_known_to_see_everything_only_once_every_version_is_loaded() -> None:
    views, old, new = writer()
    assert not views.sees_all(NEW)
    assert not old.shape_loaded and not new.shape_loaded  # asking loaded nothing
    assert new.shape is not None
    assert not views.sees_all(NEW)  # the older version's fields are not known yet
    assert old.shape is not None
    assert views.sees_all(NEW)
    assert not views.sees_all(OLD)  # it lacks `location`


def test_the_view_of_a_version_that_cannot_know_everything_is_projected() -> None:
    views, _, _ = writer()
    stored = '{"id":"/x","name":"t","location":"eastus"}'
    assert views.view_text(OLD, stored) == '{"id":"/x","name":"t"}'
    assert views.view_text(NEW, stored) == stored
