"""The ARM contract around every request, checked on the wire with raw httpx over HTTPS."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from conftest import SUBSCRIPTION, arm_path, unique

HC = "api-version=2022-06-01"
DU = "api-version=2023-07-01"
GUID = re.compile(r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")


def workspace(http: httpx.Client, group: str, name: str | None = None) -> str:
    name = name or unique("ws")
    response = http.put(f"{arm_path(group, 'workspaces', name)}?{HC}", json={"location": "eastus"})
    assert response.status_code == 201, response.text
    return name


def account_path(group: str, name: str) -> str:
    return arm_path(group, "accounts", name, namespace="Microsoft.DeviceUpdate")


def error_of(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()["error"]  # type: ignore[no-any-return]


# -- routing and ids -------------------------------------------------------------------------------


def test_paths_are_case_insensitive_and_ids_keep_the_callers_casing(http: httpx.Client) -> None:
    group = unique("Rg-Mixed-")
    assert (
        http.put(
            f"/subscriptions/{SUBSCRIPTION}/resourcegroups/{group}?api-version=2021-04-01",
            json={"location": "eastus"},
        ).status_code
        == 201
    )
    name = unique("ws")
    created = http.put(
        f"/SUBSCRIPTIONS/{SUBSCRIPTION}/RESOURCEGROUPS/{group.lower()}/PROVIDERS/microsoft.healthcareapis/"
        f"WORKSPACES/{name}?{HC}",
        json={"location": "East US"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    # Canonical fixed segments and type; names as the caller last wrote them.
    assert body["id"] == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group.lower()}/providers/Microsoft.HealthcareApis/"
        f"workspaces/{name}"
    )
    assert body["type"] == "Microsoft.HealthcareApis/workspaces"
    assert body["location"] == "eastus"
    fetched = http.get(f"{arm_path(group.upper(), 'workspaces', name.upper())}?{HC}")
    assert fetched.status_code == 200
    assert fetched.json()["name"] == name


def test_standard_headers_on_every_response(http: httpx.Client, resource_group: str) -> None:
    correlation = str(uuid.uuid4())
    client_request = str(uuid.uuid4())
    response = http.get(
        f"{arm_path(resource_group, 'workspaces', 'nothere')}?{HC}",
        headers={
            "x-ms-correlation-request-id": correlation,
            "x-ms-client-request-id": client_request,
            "x-ms-return-client-request-id": "true",
        },
    )
    assert response.status_code == 404
    assert GUID.match(response.headers["x-ms-request-id"])
    assert response.headers["x-ms-correlation-request-id"] == correlation
    assert response.headers["x-ms-client-request-id"] == client_request
    assert response.headers["cache-control"] == "no-cache"
    assert "strict-transport-security" in response.headers
    generated = http.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{resource_group}?api-version=2021-04-01")
    assert GUID.match(generated.headers["x-ms-correlation-request-id"])
    assert generated.headers["x-ms-request-id"] != response.headers["x-ms-request-id"]


# -- api-version -----------------------------------------------------------------------------------


def test_missing_api_version(http: httpx.Client, resource_group: str) -> None:
    response = http.get(arm_path(resource_group, "workspaces", "ws1"))
    assert response.status_code == 400
    assert error_of(response)["code"] == "MissingApiVersionParameter"


def test_unsupported_api_version_names_the_supported_ones(http: httpx.Client, resource_group: str) -> None:
    response = http.get(f"{arm_path(resource_group, 'workspaces', 'ws1')}?api-version=2020-01-01")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "NoRegisteredProviderFound"
    assert "2022-06-01, 2022-12-01" in error["message"]  # the supported ones, oldest first
    groups = http.get(f"/subscriptions/{SUBSCRIPTION}/resourcegroups?api-version=2015-01-01")
    assert groups.status_code == 400
    assert error_of(groups)["code"] == "InvalidApiVersionParameter"


def test_unknown_namespace_type_and_route_are_arm_errors(http: httpx.Client, resource_group: str) -> None:
    namespace = http.get(f"{arm_path(resource_group, 'things', 'x', namespace='Nope')}?{HC}")
    assert (namespace.status_code, error_of(namespace)["code"]) == (400, "InvalidResourceNamespace")
    generic = http.get(f"{arm_path(resource_group, 'things', 'x', namespace='Microsoft.Nope')}?{HC}")
    assert (generic.status_code, error_of(generic)["code"]) == (404, "ResourceNotFound")  # stored generically
    kind = http.get(f"{arm_path(resource_group, 'fhirservices', 'x')}?{HC}")
    assert (kind.status_code, error_of(kind)["code"]) == (400, "InvalidResourceType")
    nowhere = http.get("/not/an/arm/path")
    assert nowhere.status_code == 404
    assert error_of(nowhere)["code"] == "NotFound"
    assert "does not serve this endpoint" in error_of(nowhere)["message"]


# -- names and bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ab", "UPPER", "-lead", "has_underscore", "x" * 24])
def test_invalid_dicom_and_workspace_names(http: httpx.Client, resource_group: str, name: str) -> None:
    response = http.put(f"{arm_path(resource_group, 'workspaces', name)}?{HC}", json={"location": "eastus"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "InvalidResourceName"
    assert name in error_of(response)["message"]


@pytest.mark.parametrize("name", ["ab", "double--hyphen", "trailing-", "a" * 25, "dot.ted"])
def test_invalid_account_names(http: httpx.Client, resource_group: str, name: str) -> None:
    response = http.put(f"{account_path(resource_group, name)}?{DU}", json={"location": "westus2"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "InvalidResourceName"


def test_invalid_resource_group_and_subscription_ids(http: httpx.Client) -> None:
    group = http.put(
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/ends.?api-version=2021-04-01",
        json={"location": "eastus"},
    )
    assert (group.status_code, error_of(group)["code"]) == (400, "InvalidResourceGroupName")
    subscription = http.get("/subscriptions/not-a-guid/resourceGroups?api-version=2021-04-01")
    assert (subscription.status_code, error_of(subscription)["code"]) == (400, "InvalidSubscriptionId")


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"{not json", "Expecting property name"),
        (b"[1, 2]", "Expected a JSON object"),
        (b'{"location": "westus2", "tags": {"a": 5}}', "tags.a"),
        (b'{"location": "westus2", "properties": {"sku": "Gold"}}', "properties.sku"),
        (b'{"location": 7}', "location"),
        (b"", "empty"),
    ],
)
def test_bad_bodies_are_invalid_request_content(
    http: httpx.Client, resource_group: str, content: bytes, detail: str
) -> None:
    response = http.put(
        f"{account_path(resource_group, unique('acct'))}?{DU}",
        content=content,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "InvalidRequestContent"
    assert detail in error["message"]


def test_missing_location_and_wrong_content_type(http: httpx.Client, resource_group: str) -> None:
    missing = http.put(f"{account_path(resource_group, unique('acct'))}?{DU}", json={"tags": {}})
    assert (missing.status_code, error_of(missing)["code"]) == (400, "LocationRequired")
    text = http.put(
        f"{account_path(resource_group, unique('acct'))}?{DU}",
        content=b"location=westus2",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert (text.status_code, error_of(text)["code"]) == (415, "UnsupportedMediaType")


def test_reserved_tag_names_are_refused(http: httpx.Client, resource_group: str) -> None:
    response = http.put(
        f"{account_path(resource_group, unique('acct'))}?{DU}",
        json={"location": "westus2", "tags": {"a/b": "x"}},
    )
    assert (response.status_code, error_of(response)["code"]) == (400, "InvalidTagNameCharacters")


def test_bodies_over_4_mb_are_refused(http: httpx.Client, resource_group: str) -> None:
    big = b'{"location": "westus2", "tags": {"a": "' + b"x" * (4 * 1024 * 1024) + b'"}}'
    declared = http.put(
        f"{account_path(resource_group, unique('acct'))}?{DU}",
        content=big,
        headers={"content-type": "application/json"},
    )
    assert (declared.status_code, error_of(declared)["code"]) == (413, "RequestEntityTooLarge")

    def chunks():  # no Content-Length: the limit is counted while reading
        for _ in range(5):
            yield b" " * (1024 * 1024)

    streamed = http.put(
        f"{account_path(resource_group, unique('acct'))}?{DU}",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert (streamed.status_code, error_of(streamed)["code"]) == (413, "RequestEntityTooLarge")


def test_read_only_fields_in_a_request_are_ignored(http: httpx.Client, resource_group: str) -> None:
    name = unique("acct")
    response = http.put(
        f"{account_path(resource_group, name)}?{DU}",
        json={
            "location": "westus2",
            "id": "/somewhere/else",
            "name": "other",
            "type": "Microsoft.Other/things",
            "systemData": {"createdBy": "mallory"},
            "properties": {"provisioningState": "Failed", "hostName": "evil.example.com"},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == name
    assert body["type"] == "Microsoft.DeviceUpdate/accounts"
    assert body["properties"]["hostName"] == f"{name}.api.adu.microsoft.com"
    assert body["properties"]["provisioningState"] == "Accepted"
    assert body["systemData"]["createdBy"] != "mallory"


# -- scopes and lookups ----------------------------------------------------------------------------


def test_missing_group_resource_and_parent(http: httpx.Client, resource_group: str) -> None:
    no_group = http.put(f"{account_path('no-such-group', 'acct1')}?{DU}", json={"location": "westus2"})
    assert no_group.status_code == 404
    assert error_of(no_group) == {
        "code": "ResourceGroupNotFound",
        "message": "Resource group 'no-such-group' could not be found.",
    }
    no_resource = http.get(f"{account_path(resource_group, 'acct1')}?{DU}")
    assert no_resource.status_code == 404
    assert error_of(no_resource)["message"] == (
        f"The Resource 'Microsoft.DeviceUpdate/accounts/acct1' under resource group '{resource_group}' "
        "was not "
        "found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
    )
    orphan = http.put(
        f"{arm_path(resource_group, 'workspaces', 'nows', 'dicomservices', 'dcm')}?{HC}",
        json={"location": "eastus"},
    )
    assert (orphan.status_code, error_of(orphan)["code"]) == (404, "ParentResourceNotFound")
    orphan_list = http.get(f"{arm_path(resource_group, 'workspaces', 'nows', 'dicomservices')}?{HC}")
    assert orphan_list.status_code == 404


def test_missing_and_malformed_authorization(emulator) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=emulator.url, verify=emulator.verify) as anonymous:
        missing = anonymous.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups?api-version=2021-04-01")
        assert missing.status_code == 401
        assert error_of(missing)["code"] == "AuthenticationFailed"
        # The challenge points at the emulator's own Entra ID tenant.
        assert missing.headers["www-authenticate"].startswith(f'Bearer authorization_uri="{emulator.url}/')
        malformed = anonymous.get(
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups?api-version=2021-04-01",
            headers={"Authorization": "Basic dXNlcjpwYXNz"},
        )
        assert malformed.status_code == 401
        assert "invalid format" in error_of(malformed)["message"]
        assert anonymous.get("/_emulator/health").status_code == 200


# -- writes: ETags, locations, systemData ----------------------------------------------------------


def test_etags_and_conditional_requests(http: httpx.Client, resource_group: str) -> None:
    name = unique("ws")
    url = f"{arm_path(resource_group, 'workspaces', name)}?{HC}"
    assert http.put(url, json={"location": "eastus"}, headers={"If-Match": "*"}).status_code == 412
    created = http.put(url, json={"location": "eastus"}, headers={"If-None-Match": "*"})
    assert created.status_code == 201
    etag = created.headers["etag"]
    assert created.json()["etag"] == etag
    again = http.put(url, json={"location": "eastus"}, headers={"If-None-Match": "*"})
    assert (again.status_code, error_of(again)["code"]) == (412, "PreconditionFailed")
    stale = http.patch(url, json={"tags": {"a": "b"}}, headers={"If-Match": '"stale"'})
    assert stale.status_code == 412
    fresh = http.patch(url, json={"tags": {"a": "b"}}, headers={"If-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != etag
    assert http.delete(url, headers={"If-Match": etag}).status_code == 412
    assert http.get(url).headers["etag"] == fresh.headers["etag"]
    assert http.delete(url, headers={"If-Match": fresh.headers["etag"]}).status_code == 202


def test_location_is_normalised_and_immutable(http: httpx.Client, resource_group: str) -> None:
    url = f"{account_path(resource_group, unique('acct'))}?{DU}"
    assert http.put(url, json={"location": "West US 2"}).json()["location"] == "westus2"
    moved = http.put(url, json={"location": "eastus"})
    assert (moved.status_code, error_of(moved)["code"]) == (409, "InvalidResourceLocation")
    assert http.get(url).json()["location"] == "westus2"


def test_system_data_tracks_creation_and_changes(http: httpx.Client, resource_group: str) -> None:
    url = f"{arm_path(resource_group, 'workspaces', unique('ws'))}?{HC}"
    first = http.put(url, json={"location": "eastus"}).json()["systemData"]
    assert first["createdAt"] == first["lastModifiedAt"]
    assert first["createdByType"] == "Application"
    unchanged = http.put(url, json={"location": "eastus"})
    assert unchanged.status_code == 200
    assert unchanged.json()["systemData"] == first
    assert http.post("/_emulator/clock/advance", json={"seconds": 1}).status_code == 200  # a later moment, surely
    changed = http.put(url, json={"location": "eastus", "tags": {"k": "v"}}).json()["systemData"]
    assert changed["createdAt"] == first["createdAt"]
    assert changed["lastModifiedAt"] > first["lastModifiedAt"]


# -- lists and deletes -----------------------------------------------------------------------------


def test_list_pages_follow_absolute_next_links(http: httpx.Client, resource_group: str) -> None:
    names = [unique("acct") for _ in range(5)]
    for name in names:
        assert http.put(f"{account_path(resource_group, name)}?{DU}", json={"location": "westus2"}).status_code == 201
    url = f"{arm_path(resource_group, 'accounts', namespace='Microsoft.DeviceUpdate')}?{DU}&$top=2"
    seen, pages = [], 0
    next_url: str | None = url
    while next_url:
        page = http.get(next_url).json()
        pages += 1
        seen += [item["name"] for item in page["value"]]
        next_url = page.get("nextLink")
        if next_url:
            assert next_url.startswith(f"{http.base_url.scheme}://")
            assert "api-version=2023-07-01" in next_url and "%24skipToken=" in next_url
    assert seen == names
    assert pages == 3
    empty = http.get(
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{resource_group}/providers/Microsoft.HealthcareApis/workspaces?{HC}"
    )
    assert empty.json() == {"value": []}


def test_skip_tokens_are_bound_to_their_list(http: httpx.Client, resource_group: str) -> None:
    for _ in range(2):
        http.put(f"{account_path(resource_group, unique('acct'))}?{DU}", json={"location": "westus2"})
    listing = arm_path(resource_group, "accounts", namespace="Microsoft.DeviceUpdate")
    next_link = http.get(f"{listing}?{DU}&$top=1").json()["nextLink"]
    token = httpx.URL(next_link).params["$skipToken"]
    other = http.get(
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.DeviceUpdate/accounts",
        params={"api-version": "2023-07-01", "$skipToken": token},
    )
    assert (other.status_code, error_of(other)["code"]) == (400, "InvalidSkipToken")
    bad_top = http.get(f"{listing}?{DU}&$top=zero")
    assert (bad_top.status_code, error_of(bad_top)["code"]) == (400, "InvalidTopParameter")


def test_delete_of_missing_resource_is_204_and_group_delete_cascades(http: httpx.Client) -> None:
    group = unique("rg-")
    group_url = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01"
    assert http.put(group_url, json={"location": "eastus"}).status_code == 201
    assert http.delete(f"{account_path(group, 'ghost')}?{DU}").status_code == 204
    ws = workspace(http, group)
    dicom_url = f"{arm_path(group, 'workspaces', ws, 'dicomservices', 'dcm1')}?{HC}"
    assert http.put(dicom_url, json={"location": "eastus"}).status_code == 201
    assert http.head(group_url).status_code == 204

    deleted = http.delete(group_url)
    assert deleted.status_code == 202
    location = deleted.headers["location"]
    assert location.startswith(f"{http.base_url.scheme}://") and "/operationresults/" in location
    assert http.get(location).status_code == 204  # done: what a synchronous DELETE would answer
    assert http.head(group_url).status_code == 404
    assert http.get(group_url).status_code == 404
    assert http.get(dicom_url).status_code == 404
    assert http.delete(group_url).status_code == 404


def test_head_on_accounts(http: httpx.Client, resource_group: str) -> None:
    url = f"{account_path(resource_group, unique('acct'))}?{DU}"
    assert http.head(url).status_code == 404
    http.put(url, json={"location": "westus2"})
    head = http.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"]
