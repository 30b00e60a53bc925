"""azure-mgmt-resource's ResourceManagementClient.tags over HTTPS: tags at subscription, resource-group
and resource scope (long-running in the SDK: the emulator answers at once, 200 with the result), and
the subscription's tag names and values."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.healthcareapis.models import Workspace
from azure.mgmt.resource.resources.models import Tags, TagsPatchResource, TagsResource
from conftest import SUBSCRIPTION, unique
from emulator_process import EmulatorProcess
from sdk_clients import healthcare, resources

pytestmark = pytest.mark.clients


def test_tags_at_resource_group_and_resource_scope(emulator: EmulatorProcess) -> None:
    client = resources(emulator)
    group = client.resource_groups.create_or_update(unique("rg-"), {"location": "eastus"})
    created = client.tags.begin_create_or_update_at_scope(
        group.id, TagsResource(properties=Tags(tags={"env": "dev", "team": "a"}))
    ).result()
    assert created.name == "default"
    assert created.properties.tags == {"env": "dev", "team": "a"}
    assert client.resource_groups.get(group.name).tags == {"env": "dev", "team": "a"}

    merged = client.tags.begin_update_at_scope(
        group.id, TagsPatchResource(operation="Merge", properties=Tags(tags={"env": "prod"}))
    ).result()
    assert merged.properties.tags == {"env": "prod", "team": "a"}
    client.tags.begin_update_at_scope(
        group.id, TagsPatchResource(operation="Delete", properties=Tags(tags={"team": "a"}))
    ).result()
    assert client.tags.get_at_scope(group.id).properties.tags == {"env": "prod"}
    client.tags.begin_delete_at_scope(group.id).result()
    assert not client.tags.get_at_scope(group.id).properties.tags

    workspaces = healthcare(emulator).workspaces
    workspace = workspaces.begin_create_or_update(group.name, unique("ws"), Workspace(location="eastus")).result()
    client.tags.begin_update_at_scope(
        workspace.id, TagsPatchResource(operation="Replace", properties=Tags(tags={"cost": "42"}))
    ).result()
    assert workspaces.get(group.name, workspace.name).tags == {"cost": "42"}
    assert client.tags.get_at_scope(workspace.id).properties.tags == {"cost": "42"}


def test_tags_at_subscription_scope(emulator: EmulatorProcess) -> None:
    client = resources(emulator)
    scope = f"/subscriptions/{SUBSCRIPTION}"
    original = client.tags.get_at_scope(scope).properties.tags or {}
    name = unique("subtag")
    try:
        client.tags.begin_update_at_scope(
            scope, TagsPatchResource(operation="Merge", properties=Tags(tags={name: "v"}))
        ).result()
        assert client.tags.get_at_scope(scope).properties.tags[name] == "v"
    finally:
        client.tags.begin_create_or_update_at_scope(scope, TagsResource(properties=Tags(tags=original))).result()


def test_tag_names_and_values(emulator: EmulatorProcess) -> None:
    client = resources(emulator)
    name, value = unique("tn"), unique("tv")
    assert client.tags.create_or_update(name).tag_name == name
    assert client.tags.create_or_update_value(name, value).tag_value == value
    group = client.resource_groups.create_or_update(unique("rg-"), {"location": "eastus", "tags": {name: value}})
    listed = {detail.tag_name: detail for detail in client.tags.list()}
    assert listed[name].count.value == 1
    # (`values` is also the name of the model's mapping method, so the field is read by key.)
    assert [(v.tag_value, v.count.value) for v in listed[name]["values"]] == [(value, 1)]
    with pytest.raises(HttpResponseError) as refused:
        client.tags.delete(name)
    assert refused.value.status_code == 409
    client.resource_groups.begin_delete(group.name).result()
    client.tags.delete_value(name, value)
    client.tags.delete(name)
    assert name not in {detail.tag_name for detail in client.tags.list()}
