"""The engine's provider-surface features, in-process with a provider made for the test: POST actions,
children listed in their parent, items computed from the parent, hooks that read the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from starlette.testclient import TestClient

from arm_emulator.app import create_app
from arm_emulator.arm import errors
from arm_emulator.arm.resource_type import (
    Action,
    ActionContext,
    ActionResult,
    ApiVersionModels,
    Lifecycle,
    LroProfile,
    LroStep,
    ModelNames,
    NameRule,
    OperationStatusEndpoint,
    Provider,
    ResourceContext,
    ResourceType,
)
from arm_emulator.settings import Settings

VERSION = "2030-01-01"
NAMESPACE = "Contoso.Widgets"
SUB = "6a3c2f1e-0b7d-4c55-9e2a-3f1d2c4b5a61"
AUTH = {"Authorization": "Bearer test"}


class Properties(BaseModel):
    provisioningState: str | None = None
    target: str | None = None
    state: str | None = None
    links: list[dict[str, Any]] | None = None


class Resource(BaseModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    location: str | None = None
    tags: dict[str, str] | None = None
    properties: Properties | None = None
    systemData: dict[str, Any] | None = None


class Status(BaseModel):
    id: str | None = None
    name: str | None = None
    status: str
    startTime: str | None = None
    endTime: str | None = None


class Error(BaseModel):
    error: dict[str, Any] | None = None


MODELS = {VERSION: ApiVersionModels(__name__, ModelNames("Resource", "Resource", "Resource"))}
ANY_NAME = NameRule(r"[a-z0-9-]{1,40}", "lower-case letters, digits and hyphens")
SYNC = LroProfile(status_code=200)
ASYNC = LroProfile(status_code=201, steps=(LroStep("Updating", "Running"),))
LIFECYCLE = Lifecycle(LroProfile(201), SYNC, SYNC, SYNC, SYNC, LroProfile(202, (LroStep("Deleting", "Running"),)))
LINK_LIFECYCLE = Lifecycle(ASYNC, ASYNC, SYNC, SYNC, SYNC, LroProfile(202, (LroStep("Deleting", "Running"),)))


def ping(context: ActionContext, body: dict[str, Any] | None) -> ActionResult:
    return ActionResult(200, {"resource": context.resource_id.id if context.resource_id else None, "sent": body})


def check_name(context: ActionContext, body: dict[str, Any] | None) -> ActionResult:
    name = (body or {}).get("name", "")
    return ActionResult(200, {"nameAvailable": not context.name_taken(f"{NAMESPACE}/things", name)})


def needs_target(ctx: ResourceContext, body: dict[str, Any]) -> dict[str, Any]:
    target = body.get("properties", {}).get("target")
    if target and ctx.lookup(target) is None:
        raise errors.ArmError(400, "TargetNotFound", f"'{target}' does not exist.")
    return body


def link_resources(ctx: ResourceContext, parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": f"{ctx.resource_id.id}/linkResources/web", "name": "web", "type": "x", "properties": {}}]


def types(name: str, **options: Any) -> ResourceType:
    segments = tuple(name.split("/"))
    defaults: dict[str, Any] = dict(
        type_segments=segments,
        name_parameters=tuple(f"n{i}" for i in range(len(segments))),
        name_rule=ANY_NAME,
        api_versions=MODELS,
        lifecycle=LIFECYCLE,
        list_by_parent=len(segments) > 1,
    )
    return ResourceType(**{**defaults, **options})


PROVIDER = Provider(
    namespace=NAMESPACE,
    resource_types=(
        types("things", actions=(Action("ping", ping),), refuse_delete_with_children=True, prepare=needs_target),
        types("things/links", embedded_in_parent="links", location_required=False, lifecycle=LINK_LIFECYCLE),
        types("things/linkResources", computed_from_parent=link_resources),
        types("things/parts"),
    ),
    operation_status=OperationStatusEndpoint(
        path="/subscriptions/{subscriptionId}/providers/Contoso.Widgets/locations/{location}/operationStatuses/{operationId}",
        body_model=Status,
        new_operation_id=lambda request_id: request_id,
    ),
    error_envelope=Error,
    actions=(Action("checkNameAvailability", check_name),),
    operations=({"name": f"{NAMESPACE}/things/read", "isDataAction": False},),
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("surface")), port=0), providers=(PROVIDER,))
    with TestClient(app, base_url="https://testserver", headers=AUTH) as test_client:
        group = test_client.put(
            f"/subscriptions/{SUB}/resourceGroups/rg?api-version=2021-04-01", json={"location": "eastus"}
        )
        assert group.status_code in (200, 201), group.text
        yield test_client


def path(*pairs: str) -> str:
    return (
        f"/subscriptions/{SUB}/resourceGroups/rg/providers/{NAMESPACE}/" + "/".join(pairs) + f"?api-version={VERSION}"
    )


def test_actions_on_a_resource_and_on_the_provider_match_any_casing(client: TestClient) -> None:
    assert client.put(path("things", "t1"), json={"location": "eastus"}).status_code == 201
    pinged = client.post(path("things", "t1", "PING"), json={"hello": 1})
    assert pinged.status_code == 200
    assert pinged.json() == {
        "resource": f"/subscriptions/{SUB}/resourceGroups/rg/providers/{NAMESPACE}/things/t1",
        "sent": {"hello": 1},
    }
    assert client.post(path("things", "nothere", "ping")).status_code == 404
    unknown = client.post(path("things", "t1", "nosuchaction"))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "InvalidResourceType")
    # The provider's list path is not an action: ARM's 405 naming what it serves.
    listed = client.post(f"/subscriptions/{SUB}/providers/{NAMESPACE}/things?api-version={VERSION}")
    assert (listed.status_code, listed.headers["Allow"]) == (405, "GET")
    check = f"/subscriptions/{SUB}/providers/{NAMESPACE}/checknameavailability?api-version={VERSION}"
    assert client.post(check, json={"name": "T1"}).json() == {"nameAvailable": False}
    assert client.post(check, json={"name": "t2"}).json() == {"nameAvailable": True}
    # ARM's own register action still answers on the same path shape.
    registered = client.post(f"/subscriptions/{SUB}/providers/{NAMESPACE}/register?api-version=2016-02-01")
    assert registered.status_code == 200
    assert (
        client.get(f"/providers/{NAMESPACE}/operations?api-version={VERSION}").json()["value"][0]["name"]
        == f"{NAMESPACE}/things/read"
    )


def test_children_are_listed_in_their_parent_through_every_state(client: TestClient) -> None:
    assert client.put(path("things", "t3"), json={"location": "eastus"}).status_code == 201
    created = client.put(path("things", "t3", "links", "l1"), json={"properties": {"state": "Approved"}})
    assert created.status_code == 201, created.text
    assert "/locations/eastus/" in created.headers["Azure-AsyncOperation"]  # the parent's location
    client.get(created.headers["Azure-AsyncOperation"])
    links = client.get(path("things", "t3")).json()["properties"]["links"]
    assert [(link["name"], link["properties"]["provisioningState"]) for link in links] == [("l1", "Succeeded")]
    # Listed children do not block the parent's delete; other children do.
    deleting = client.delete(path("things", "t3", "links", "l1"))
    assert deleting.status_code == 202
    client.get(deleting.headers["Azure-AsyncOperation"])
    assert client.get(path("things", "t3")).json()["properties"]["links"] == []
    assert client.put(path("things", "t3", "links", "l2"), json={}).status_code == 201
    assert client.delete(path("things", "t3")).status_code == 202
    assert client.put(path("things", "t4"), json={"location": "eastus"}).status_code == 201
    assert client.put(path("things", "t4", "parts", "p1"), json={"location": "eastus"}).status_code == 201
    assert client.delete(path("things", "t4")).status_code == 409


def test_items_computed_from_the_parent_are_read_only(client: TestClient) -> None:
    assert client.put(path("things", "t5"), json={"location": "eastus"}).status_code == 201
    listed = client.get(path("things", "t5", "linkResources"))
    assert [item["name"] for item in listed.json()["value"]] == ["web"]
    assert client.get(path("things", "t5", "linkResources", "WEB")).json()["name"] == "web"
    assert client.get(path("things", "t5", "linkResources", "other")).status_code == 404
    assert client.get(path("things", "nothere", "linkResources")).status_code == 404
    assert client.put(path("things", "t5", "linkResources", "web"), json={}).status_code == 405


def test_hooks_read_other_stored_resources(client: TestClient) -> None:
    assert client.put(path("things", "t6"), json={"location": "eastus"}).status_code == 201
    target = f"/subscriptions/{SUB}/resourceGroups/rg/providers/{NAMESPACE}/things/T6"
    assert (
        client.put(path("things", "t7"), json={"location": "eastus", "properties": {"target": target}}).status_code
        == 201
    )
    refused = client.put(path("things", "t8"), json={"location": "eastus", "properties": {"target": target + "x"}})
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "TargetNotFound")
