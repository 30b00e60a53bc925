"""Role definitions over raw HTTP: the built-in roles at any scope, found by name as clients look them
up, and custom roles stored generically beside them."""

from __future__ import annotations

import uuid

import httpx
from conftest import SUBSCRIPTION, arm_path, unique

SUB = f"/subscriptions/{SUBSCRIPTION}"
V = "api-version=2022-04-01"
DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def test_built_in_roles_by_name_at_every_scope(http: httpx.Client, resource_group: str) -> None:
    workspace = arm_path(resource_group, "workspaces", unique("ws"))
    assert http.put(f"{workspace}?api-version=2024-03-31", json={"location": "eastus"}).status_code in (200, 201)
    for scope in (SUB, f"{SUB}/resourceGroups/{resource_group}", workspace):
        found = http.get(f"{scope}{DEFINITIONS}?{V}&$filter=roleName eq 'contributor'")
        assert found.status_code == 200, found.text
        [role] = found.json()["value"]
        assert role == {
            "id": f"{SUB}{DEFINITIONS}/{CONTRIBUTOR}",
            "name": CONTRIBUTOR,
            "type": "Microsoft.Authorization/roleDefinitions",
            "properties": role["properties"],
        }
        assert (role["properties"]["roleName"], role["properties"]["type"]) == ("Contributor", "BuiltInRole")
        assert role["properties"]["permissions"][0]["actions"] == ["*"]
    one = http.get(f"{workspace}{DEFINITIONS}/58A3B984-7ADF-4C20-983A-32417C86FBC8?{V}")
    assert one.status_code == 200 and one.json()["properties"]["roleName"] == "DICOM Data Owner"
    every = http.get(f"{SUB}{DEFINITIONS}?{V}").json()["value"]
    assert {"Owner", "Reader", "FHIR Data Contributor"} <= {r["properties"]["roleName"] for r in every}


def test_custom_roles_are_stored_and_listed_with_the_built_in_ones(http: httpx.Client) -> None:
    name = str(uuid.uuid4())
    body = {
        "properties": {
            "roleName": unique("Custom reader "),
            "type": "CustomRole",
            "description": "reads",
            "assignableScopes": [SUB],
            "permissions": [{"actions": ["*/read"], "notActions": []}],
        }
    }
    created = http.put(f"{SUB}{DEFINITIONS}/{name}?{V}", json=body)
    assert created.status_code == 201, created.text
    role_name = body["properties"]["roleName"]
    found = http.get(f"{SUB}{DEFINITIONS}?{V}&$filter=roleName eq '{role_name}'").json()["value"]
    assert [r["name"] for r in found] == [name]
    custom = http.get(f"{SUB}{DEFINITIONS}?{V}&$filter=type eq 'CustomRole'").json()["value"]
    assert name in {r["name"] for r in custom} and all(r["properties"]["type"] == "CustomRole" for r in custom)
    assert http.get(f"{SUB}{DEFINITIONS}/{name}?{V}").json()["properties"]["roleName"] == role_name
    assert http.delete(f"{SUB}{DEFINITIONS}/{name}?{V}").status_code == 200
    missing = http.get(f"{SUB}{DEFINITIONS}/{name}?{V}")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "RoleDefinitionDoesNotExist")


def test_bad_role_definition_requests(http: httpx.Client) -> None:
    bad = http.get(f"{SUB}{DEFINITIONS}?{V}&$filter=permissions eq 'x'")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidFilter")
    assert http.get(f"{SUB}{DEFINITIONS}").json()["error"]["code"] == "MissingApiVersionParameter"
    nowhere = http.get(f"{SUB}/resourceGroups/{unique('nope-')}{DEFINITIONS}?{V}")
    assert (nowhere.status_code, nowhere.json()["error"]["code"]) == (404, "ResourceGroupNotFound")
