"""ARM's tags API over raw HTTP: `{scope}/providers/Microsoft.Resources/tags/default` at subscription,
resource-group and resource scope (the scope's own tags), and the subscription's tag names and values."""

from __future__ import annotations

import time

import httpx
import pytest
from conftest import SUBSCRIPTION, arm_path, unique

SUB = f"/subscriptions/{SUBSCRIPTION}"
V = "api-version=2021-04-01"
HC = "api-version=2024-03-31"
TAGS = "/providers/Microsoft.Resources/tags/default"


def _workspace(http: httpx.Client, group: str) -> str:
    path = arm_path(group, "workspaces", unique("ws"))
    response = http.put(f"{path}?{HC}", json={"location": "eastus", "tags": {"made": "by-put"}})
    assert response.status_code in (200, 201), response.text
    for _ in range(100):
        if http.get(f"{path}?{HC}").json()["properties"]["provisioningState"] == "Succeeded":
            break
        time.sleep(0.05)
    return path


def _tags(http: httpx.Client, scope: str) -> dict[str, str]:
    response = http.get(f"{scope}{TAGS}?{V}")
    assert response.status_code == 200, response.text
    return response.json()["properties"]["tags"]  # type: ignore[no-any-return]


def test_resource_group_tags_read_and_write_the_groups_own_tags(http: httpx.Client, resource_group: str) -> None:
    scope = f"{SUB}/resourceGroups/{resource_group}"
    response = http.put(f"{scope}{TAGS}?{V}", json={"properties": {"tags": {"env": "dev", "team": "a"}}})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": f"{scope}{TAGS}",
        "name": "default",
        "type": "Microsoft.Resources/tags",
        "properties": {"tags": {"env": "dev", "team": "a"}},
    }
    assert http.get(f"{scope}?{V}").json()["tags"] == {"env": "dev", "team": "a"}

    merged = http.patch(f"{scope}{TAGS}?{V}", json={"operation": "Merge", "properties": {"tags": {"env": "prod"}}})
    assert merged.json()["properties"]["tags"] == {"env": "prod", "team": "a"}
    deleted = http.patch(f"{scope}{TAGS}?{V}", json={"operation": "Delete", "properties": {"tags": {"team": "a"}}})
    assert deleted.json()["properties"]["tags"] == {"env": "prod"}
    replaced = http.patch(f"{scope}{TAGS}?{V}", json={"operation": "Replace", "properties": {"tags": {"x": "1"}}})
    assert replaced.json()["properties"]["tags"] == {"x": "1"}
    assert _tags(http, scope) == {"x": "1"}

    assert http.delete(f"{scope}{TAGS}?{V}").status_code == 200
    assert _tags(http, scope) == {}
    assert http.get(f"{scope}?{V}").json().get("tags", {}) == {}


def test_resource_tags_are_the_resources_own_with_a_new_etag(http: httpx.Client, resource_group: str) -> None:
    path = _workspace(http, resource_group)
    before = http.get(f"{path}?{HC}")
    assert _tags(http, path) == {"made": "by-put"}
    response = http.patch(f"{path}{TAGS}?{V}", json={"operation": "Merge", "properties": {"tags": {"cost": "42"}}})
    assert response.status_code == 200, response.text
    assert response.json()["id"] == f"{path}{TAGS}"
    after = http.get(f"{path}?{HC}")
    assert after.json()["tags"] == {"made": "by-put", "cost": "42"}
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["systemData"]["createdAt"] == before.json()["systemData"]["createdAt"]
    assert after.json()["systemData"]["lastModifiedAt"] >= before.json()["systemData"]["lastModifiedAt"]
    assert http.put(f"{path}{TAGS}?{V}", json={"properties": {"tags": {}}}).status_code == 200
    assert http.get(f"{path}?{HC}").json()["tags"] == {}


def test_subscription_tags_are_kept_with_the_subscription(http: httpx.Client) -> None:
    name = unique("subtag")
    original = _tags(http, SUB)
    try:
        merged = http.patch(f"{SUB}{TAGS}?{V}", json={"operation": "Merge", "properties": {"tags": {name: "v"}}})
        assert merged.status_code == 200, merged.text
        assert _tags(http, SUB)[name] == "v"
    finally:
        http.put(f"{SUB}{TAGS}?{V}", json={"properties": {"tags": original}})


def test_scope_paths_are_case_insensitive(http: httpx.Client, resource_group: str) -> None:
    scope = f"/SUBSCRIPTIONS/{SUBSCRIPTION}/resourcegroups/{resource_group}/PROVIDERS/microsoft.resources/TAGS/default"
    response = http.put(f"{scope}?{V}", json={"properties": {"tags": {"a": "b"}}})
    assert response.status_code == 200, response.text
    assert _tags(http, f"{SUB}/resourceGroups/{resource_group}") == {"a": "b"}


@pytest.mark.parametrize(
    ("method", "body", "code"),
    [
        ("PATCH", {"operation": "Append", "properties": {"tags": {"a": "b"}}}, "InvalidRequestContent"),
        ("PATCH", {"properties": {"tags": {"a": "b"}}}, "InvalidRequestContent"),
        ("PUT", {"tags": {"a": "b"}}, "InvalidRequestContent"),
        ("PUT", {"properties": {"tags": {"a": 5}}}, "InvalidRequestContent"),
        ("PUT", {"properties": {"tags": {"a/b": "c"}}}, "InvalidTagNameCharacters"),
        ("PUT", {"properties": {"tags": {f"t{i}": "v" for i in range(51)}}}, "InvalidTag"),
    ],
)
def test_bad_bodies_get_arms_400s(
    http: httpx.Client, resource_group: str, method: str, body: dict[str, object], code: str
) -> None:
    scope = f"{SUB}/resourceGroups/{resource_group}"
    response = http.request(method, f"{scope}{TAGS}?{V}", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code


def test_absent_scopes_are_404s(http: httpx.Client, resource_group: str) -> None:
    assert http.get(f"{SUB}/resourceGroups/{unique('nope-')}{TAGS}?{V}").json()["error"]["code"] == (
        "ResourceGroupNotFound"
    )
    missing = arm_path(resource_group, "workspaces", unique("ws"))
    response = http.put(f"{missing}{TAGS}?{V}", json={"properties": {"tags": {}}})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ResourceNotFound"
    parent = arm_path(resource_group, "workspaces", unique("ws"), "dicomservices", "d")
    assert http.get(f"{parent}{TAGS}?{V}").json()["error"]["code"] == "ParentResourceNotFound"
    assert http.get(f"/subscriptions/not-a-guid{TAGS}?{V}").status_code == 400


def test_api_versions_from_2019_10_01(http: httpx.Client, resource_group: str) -> None:
    scope = f"{SUB}/resourceGroups/{resource_group}{TAGS}"
    assert http.get(f"{scope}?api-version=2019-10-01").status_code == 200
    assert http.get(f"{scope}?api-version=2025-01-01").status_code == 200
    assert http.get(f"{scope}?api-version=2019-05-01").status_code == 400
    assert http.get(scope).status_code == 400


def test_tag_names_count_what_is_used_and_keep_predefined_ones(http: httpx.Client, resource_group: str) -> None:
    name, value = unique("tn"), unique("tv")
    created = http.put(f"{SUB}/tagNames/{name}?{V}")
    assert created.status_code == 201, created.text
    assert created.json()["tagName"] == name
    assert http.put(f"{SUB}/tagNames/{name}?{V}").status_code == 200
    created_value = http.put(f"{SUB}/tagNames/{name}/tagValues/{value}?{V}")
    assert created_value.status_code == 201, created_value.text
    assert created_value.json()["id"] == f"{SUB}/tagNames/{name}/tagValues/{value}"

    def listed() -> dict[str, dict[str, object]]:
        response = http.get(f"{SUB}/tagNames?{V}")
        assert response.status_code == 200, response.text
        return {detail["tagName"]: detail for detail in response.json()["value"]}

    assert listed()[name]["count"] == {"type": "Total", "value": 0}
    group = f"{SUB}/resourceGroups/{resource_group}"
    http.put(f"{group}{TAGS}?{V}", json={"properties": {"tags": {name: value}}})
    detail = listed()[name]
    assert detail["count"] == {"type": "Total", "value": 1}
    assert detail["values"] == [
        {"id": f"{SUB}/tagNames/{name}/tagValues/{value}", "tagValue": value, "count": {"type": "Total", "value": 1}}
    ]

    in_use = http.delete(f"{SUB}/tagNames/{name}/tagValues/{value}?{V}")
    assert in_use.status_code == 409
    assert http.delete(f"{SUB}/tagNames/{name}?{V}").status_code == 409
    http.delete(f"{group}{TAGS}?{V}")
    still_has_values = http.delete(f"{SUB}/tagNames/{name}?{V}")
    assert still_has_values.status_code == 409
    assert http.delete(f"{SUB}/tagNames/{name}/tagValues/{value}?{V}").status_code == 200
    assert http.delete(f"{SUB}/tagNames/{name}?{V}").status_code == 200
    assert name not in listed()
    assert http.delete(f"{SUB}/tagNames/{name}?{V}").status_code == 204


def test_reserved_tag_name_prefixes_are_refused(http: httpx.Client) -> None:
    assert http.put(f"{SUB}/tagNames/microsoft-thing?{V}").status_code == 400
