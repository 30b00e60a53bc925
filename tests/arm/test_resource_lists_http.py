"""ARM's lists of every resource over raw HTTP: `GET /subscriptions/{s}/resources` and
`/subscriptions/{s}/resourceGroups/{rg}/resources`, with `$filter`, `$expand`, `$top` and nextLink."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION, arm_path, unique

SUB = f"/subscriptions/{SUBSCRIPTION}"
V = "api-version=2025-04-01"
HC = "api-version=2024-03-31"
WORKSPACES = "Microsoft.HealthcareApis/workspaces"
DICOM = "Microsoft.HealthcareApis/workspaces/dicomservices"


@dataclass
class Group:
    name: str
    first: str  # a workspace in eastus, tagged env=dev
    second: str  # a workspace in westus2, tagged env=prod
    dicom: str  # the first workspace's DICOM service (a tracked child), in eastus

    def path(self) -> str:
        return f"{SUB}/resourceGroups/{self.name}"


def _put(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = http.put(f"{path}?{HC}", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def group(http: httpx.Client, resource_group: str) -> Group:
    first, second = unique("ws"), unique("ws")
    _put(http, arm_path(resource_group, "workspaces", first), {"location": "eastus", "tags": {"env": "dev"}})
    _put(http, arm_path(resource_group, "workspaces", second), {"location": "West US 2", "tags": {"env": "prod"}})
    _put(http, arm_path(resource_group, "workspaces", first, "dicomservices", "dicom1"), {"location": "eastus"})
    # A proxy resource (no location): never listed.
    approved = {"status": "Approved", "description": "ok"}
    connection = arm_path(resource_group, "workspaces", first, "privateEndpointConnections", "pe1.1")
    _put(http, connection, {"properties": {"privateLinkServiceConnectionState": approved}})
    return Group(resource_group, first, second, "dicom1")


def _ids(group: Group) -> dict[str, str]:
    return {
        "first": arm_path(group.name, "workspaces", group.first),
        "second": arm_path(group.name, "workspaces", group.second),
        "dicom": arm_path(group.name, "workspaces", group.first, "dicomservices", group.dicom),
    }


def _list(http: httpx.Client, path: str, **query: str) -> dict[str, Any]:
    response = http.get(path, params={"api-version": "2025-04-01", **query})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _every_item(http: httpx.Client, path: str, **query: str) -> list[dict[str, Any]]:
    """Every page's items, as clients read a list (a filtered page may come back short, with a nextLink)."""
    body = _list(http, path, **query)
    items = list(body["value"])
    while body.get("nextLink"):
        response = http.get(body["nextLink"])
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["value"])
    return items


def _names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["value"]]


def test_group_list_has_every_tracked_resource_as_generic_resource_expanded(http: httpx.Client, group: Group) -> None:
    ids = _ids(group)
    body = _list(http, f"{group.path()}/resources")
    assert "nextLink" not in body
    assert body["value"] == [
        {"id": ids["first"], "name": group.first, "type": WORKSPACES, "location": "eastus", "tags": {"env": "dev"}},
        {
            "id": ids["second"],
            "name": group.second,
            "type": WORKSPACES,
            "location": "westus2",
            "tags": {"env": "prod"},
        },
        # A child's name is `parent/child` and its type the full nested type.
        {"id": ids["dicom"], "name": f"{group.first}/dicom1", "type": DICOM, "location": "eastus"},
    ]


def test_subscription_list_holds_the_groups_resources_and_no_groups(http: httpx.Client, group: Group) -> None:
    body = _list(http, f"{SUB}/resources", **{"$filter": f"resourceGroup eq '{group.name.upper()}'"})
    assert [item["id"] for item in body["value"]] == list(_ids(group).values())
    assert not any(item["type"] == "Microsoft.Resources/resourceGroups" for item in body["value"])


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("resourceType eq 'microsoft.healthcareapis/workspaces'", ["first", "second"]),
        (f"resourceType eq '{DICOM}'", ["dicom"]),
        ("resourceType ne 'Microsoft.HealthcareApis/workspaces'", ["dicom"]),
        ("name eq '{first}'", ["first"]),
        ("name eq '{first}/dicom1'", ["dicom"]),
        ("substringof('DICOM', name)", ["dicom"]),
        ("substringof('{second_tail}', name) and resourceType eq 'Microsoft.HealthcareApis/workspaces'", ["second"]),
        ("location eq 'westus2'", ["second"]),
        ("location eq 'East US' and resourceType eq 'Microsoft.HealthcareApis/workspaces/dicomservices'", ["dicom"]),
        ("tagName eq 'env'", ["first", "second"]),
        ("tagName eq 'ENV' and tagValue eq 'prod'", ["second"]),
        ("startswith(tagName, 'en')", ["first", "second"]),
        ("tagName eq 'nothing'", []),
    ],
)
def test_filters_select_as_arm_does(http: httpx.Client, group: Group, expression: str, expected: list[str]) -> None:
    expression = expression.format(first=group.first, second_tail=group.second[-6:])
    ids = _ids(group)
    for path in (f"{group.path()}/resources", f"{SUB}/resources"):
        items = _every_item(http, path, **{"$filter": expression})
        listed = [item["id"] for item in items if f"/resourceGroups/{group.name}/" in item["id"]]
        assert listed == [ids[key] for key in expected], (path, expression)


def test_a_tag_filtered_list_does_not_return_tags(http: httpx.Client, group: Group) -> None:
    body = _list(http, f"{group.path()}/resources", **{"$filter": "tagName eq 'env' and tagValue eq 'dev'"})
    assert body["value"] == [
        {"id": _ids(group)["first"], "name": group.first, "type": WORKSPACES, "location": "eastus"}
    ]


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("tagName eq 'env' and resourceType eq 'Microsoft.HealthcareApis/workspaces'", "cannot be combined"),
        ("location eq 'eastus' and tagName eq 'env'", "cannot be combined"),
        ("tagValue eq 'dev'", "one tagName"),
        ("name eq 'a' or name eq 'b'", "'or' is not supported"),
        ("plan eq 'x'", "filtering on 'plan' is not supported"),
        ("name gt 'a'", "the operator 'gt' is not supported"),
        ("substringof('a', location)", "filtering on 'location' is not supported"),
        ("name eq", "a quoted string expected"),
        ("name eq 'unterminated", "unexpected text"),
        ("(name eq 'a')", "a property or function name expected"),
    ],
)
def test_bad_filters_get_arms_400(http: httpx.Client, resource_group: str, expression: str, reason: str) -> None:
    for path in (f"{SUB}/resources", f"{SUB}/resourceGroups/{resource_group}/resources"):
        response = http.get(path, params={"api-version": "2025-04-01", "$filter": expression})
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "InvalidFilterInQueryString"
        assert error["message"].startswith(f"The $filter '{expression}' is invalid: ")
        assert reason in error["message"]


def test_expand_adds_times_and_provisioning_state(http: httpx.Client, group: Group) -> None:
    first = http.get(f"{_ids(group)['first']}?{HC}").json()
    body = _list(
        http,
        f"{group.path()}/resources",
        **{"$expand": "createdTime,changedTime,provisioningState", "$filter": f"name eq '{group.first}'"},
    )
    [item] = body["value"]
    assert item["createdTime"] == first["systemData"]["createdAt"]
    assert item["changedTime"] >= item["createdTime"]
    assert item["provisioningState"] == first["properties"]["provisioningState"] == "Succeeded"

    bad = http.get(f"{group.path()}/resources", params={"api-version": "2025-04-01", "$expand": "properties"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "InvalidExpandQueryOptionValue"


def test_top_pages_with_next_links_that_keep_the_filter(http: httpx.Client, group: Group) -> None:
    query = {"$top": "1", "$filter": f"substringof('{group.name}', resourceGroup)", "$expand": "provisioningState"}
    page = _list(http, f"{SUB}/resources", **query)
    seen = _names(page)
    while "nextLink" in page:
        assert "%24filter=" in page["nextLink"] and "%24expand=provisioningState" in page["nextLink"]
        response = http.get(page["nextLink"])
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["value"]) <= 1
        assert all("provisioningState" in item for item in page["value"])
        seen += _names(page)
    assert seen == [group.first, group.second, f"{group.first}/dicom1"]

    # A skip token belongs to its own list and filter.
    first = _list(http, f"{group.path()}/resources", **{"$top": "1"})
    token = first["nextLink"].split("%24skipToken=")[1]
    other = http.get(f"{SUB}/resources", params={"api-version": "2025-04-01", "$skipToken": token})
    assert other.status_code == 400
    assert http.get(f"{SUB}/resources", params={"api-version": "2025-04-01", "$top": "0"}).status_code == 400


def test_type_and_group_filters_page_exactly_with_full_pages_until_the_last(http: httpx.Client, group: Group) -> None:
    # The store answers these filters whole, so every page but the last is full and the last has no nextLink.
    workspaces = f"resourceType eq 'Microsoft.HealthcareApis/workspaces' and resourceGroup eq '{group.name.upper()}'"
    page = _list(http, f"{SUB}/resources", **{"$top": "1", "$filter": workspaces})
    pages = [_names(page)]
    while "nextLink" in page:
        response = http.get(page["nextLink"])
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(_names(page))
    assert pages == [[group.first], [group.second]]
    # A group filter naming another group than the listed one lists nothing.
    other = _list(http, f"{group.path()}/resources", **{"$filter": "resourceGroup eq 'another-group'"})
    assert other == {"value": []}


def test_missing_scopes_and_api_versions_get_arms_errors(http: httpx.Client) -> None:
    missing = http.get(f"{SUB}/resourceGroups/{unique('nope')}/resources?{V}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ResourceGroupNotFound"
    assert http.get(f"{SUB}/resources").json()["error"]["code"] == "MissingApiVersionParameter"
    old = http.get(f"{SUB}/resources?api-version=2014-01-01")
    assert old.status_code == 400
    assert old.json()["error"]["code"] == "InvalidApiVersionParameter"
    # Older dated versions clients still send are served.
    for version in ("2016-09-01", "2021-04-01", "2024-11-01"):
        assert http.get(f"{SUB}/resources?api-version={version}&$top=1").status_code == 200


def test_a_deleted_resource_leaves_the_list(http: httpx.Client, group: Group) -> None:
    deleted = http.delete(f"{_ids(group)['second']}?{HC}")
    assert deleted.status_code == 202, deleted.text
    assert http.get(deleted.headers["azure-asyncoperation"]).json()["status"] == "Succeeded"
    assert _names(_list(http, f"{group.path()}/resources")) == [group.first, f"{group.first}/dicom1"]
