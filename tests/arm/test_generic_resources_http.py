"""Resource types no provider here declares, stored generically, over raw HTTP: the ARM contract
(synchronous 201/200, ETags, systemData, tags, PATCH merge, lists, cascade, identities) and nothing
more; extension resources at any scope; and what declared namespaces keep answering."""

from __future__ import annotations

import uuid

import httpx
from conftest import SUBSCRIPTION, arm_path, unique

SUB = f"/subscriptions/{SUBSCRIPTION}"
STORAGE_V = "api-version=2023-05-01"
HC = "api-version=2024-03-31"


def _storage(group: str, name: str) -> str:
    return f"{SUB}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}"


def _plain(group: str, name: str) -> str:
    """A type nothing here declares anything for: the ARM contract alone."""
    return f"{SUB}/resourceGroups/{group}/providers/Microsoft.Cache/redis/{name}"


def test_an_undeclared_type_round_trips_as_a_plain_arm_resource(http: httpx.Client, resource_group: str) -> None:
    path = _plain(resource_group, unique("redis"))
    body = {
        "location": "West Europe",
        "kind": "StorageV2",
        "sku": {"name": "Standard_LRS"},
        "tags": {"env": "test"},
        "properties": {"minimumTlsVersion": "TLS1_2"},
    }
    created = http.put(f"{path}?{STORAGE_V}", json=body)
    assert created.status_code == 201, created.text
    stored = created.json()
    assert stored["id"] == path
    assert stored["name"] == path.rsplit("/", 1)[1]
    assert stored["type"] == "Microsoft.Cache/redis"
    assert stored["location"] == "westeurope"
    assert stored["kind"] == "StorageV2" and stored["sku"] == {"name": "Standard_LRS"}
    assert stored["properties"] == {"minimumTlsVersion": "TLS1_2", "provisioningState": "Succeeded"}
    assert stored["systemData"]["createdAt"] == stored["systemData"]["lastModifiedAt"]
    etag = created.headers["ETag"]

    read = http.get(f"{path}?api-version=2019-06-01")  # any version reads it
    assert read.status_code == 200 and read.json() == stored and read.headers["ETag"] == etag

    patched = http.patch(
        f"{path}?{STORAGE_V}", json={"tags": {"owner": "me"}, "properties": {"allowBlobPublicAccess": False}}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["tags"] == {"owner": "me"}
    assert patched.json()["properties"] == {
        "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False,
        "provisioningState": "Succeeded",
    }
    assert patched.headers["ETag"] != etag

    replaced = http.put(f"{path}?{STORAGE_V}", json={**body, "tags": {}})
    assert replaced.status_code == 200
    assert replaced.json()["systemData"]["createdAt"] == stored["systemData"]["createdAt"]

    stale = http.put(f"{path}?{STORAGE_V}", json=body, headers={"If-Match": etag})
    assert stale.status_code == 412

    assert http.head(f"{path}?{STORAGE_V}").status_code == 204
    assert http.delete(f"{path}?{STORAGE_V}").status_code == 200
    assert http.head(f"{path}?{STORAGE_V}").status_code == 404
    missing = http.get(f"{path}?{STORAGE_V}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"
    assert http.delete(f"{path}?{STORAGE_V}").status_code == 204


def test_generic_lists_nested_types_and_the_group_cascade(http: httpx.Client, resource_group: str) -> None:
    names = sorted(unique("sa") for _ in range(3))
    for name in names:
        assert http.put(f"{_storage(resource_group, name)}?{STORAGE_V}", json={"location": "eastus"}).status_code == 201
    listed = http.get(f"{SUB}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts?{STORAGE_V}")
    assert listed.status_code == 200
    assert sorted(item["name"] for item in listed.json()["value"]) == names
    paged = http.get(
        f"{SUB}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts?{STORAGE_V}&$top=2"
    )
    assert len(paged.json()["value"]) == 2 and "nextLink" in paged.json()
    by_subscription = http.get(f"{SUB}/providers/Microsoft.Storage/storageAccounts?{STORAGE_V}").json()["value"]
    assert set(names) <= {item["name"] for item in by_subscription}

    container = f"{_storage(resource_group, names[0])}/blobServices/default/containers/data"
    orphan = http.put(f"{_storage(resource_group, 'nosuch')}/blobServices/default?{STORAGE_V}", json={})
    assert orphan.status_code == 404 and orphan.json()["error"]["code"] == "ParentResourceNotFound"
    # The account's blob service came with it (an implicit child): a write replaces it.
    assert (
        http.put(f"{_storage(resource_group, names[0])}/blobServices/default?{STORAGE_V}", json={}).status_code == 200
    )
    made = http.put(f"{container}?{STORAGE_V}", json={"properties": {"publicAccess": "None"}})
    assert made.status_code == 201, made.text
    assert made.json()["type"] == "Microsoft.Storage/storageAccounts/blobServices/containers"
    assert "provisioningState" not in made.json()["properties"]  # a proxy resource: as sent
    children = http.get(f"{_storage(resource_group, names[0])}/blobServices/default/containers?{STORAGE_V}")
    assert [item["id"] for item in children.json()["value"]] == [container]

    # Deleting the account takes what is nested in it; deleting the group takes everything.
    assert http.delete(f"{_storage(resource_group, names[0])}?{STORAGE_V}").status_code == 200
    assert http.get(f"{container}?{STORAGE_V}").status_code == 404
    deleting = http.delete(f"{SUB}/resourceGroups/{resource_group}?api-version=2021-04-01")
    assert deleting.status_code == 202
    assert http.get(deleting.headers["Location"]).status_code in (200, 204)  # fast mode: the first poll sees it done
    for name in names[1:]:
        assert http.get(f"{_storage(resource_group, name)}?{STORAGE_V}").status_code == 404


def test_managed_identities_get_their_ids_and_resources_that_use_them_agree(
    http: httpx.Client, resource_group: str
) -> None:
    group = f"{SUB}/resourceGroups/{resource_group}"
    identity = f"{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{unique('id')}"
    made = http.put(f"{identity}?api-version=2023-01-31", json={"location": "eastus"})
    assert made.status_code == 201, made.text
    properties = made.json()["properties"]
    assert uuid.UUID(properties["principalId"]) and uuid.UUID(properties["clientId"])
    assert uuid.UUID(properties["tenantId"])

    hub = f"{SUB}/resourceGroups/{resource_group}/providers/Microsoft.Devices/IotHubs/{unique('hub')}"
    body = {
        "location": "eastus",
        "sku": {"name": "S1", "capacity": 1},
        "identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {identity: {}}},
    }
    created = http.put(f"{hub}?api-version=2023-06-30", json=body)
    assert created.status_code == 201, created.text
    assigned = created.json()["identity"]
    assert uuid.UUID(assigned["principalId"]) and assigned["tenantId"] == properties["tenantId"]
    assert assigned["userAssignedIdentities"][identity] == {
        "principalId": properties["principalId"],
        "clientId": properties["clientId"],
    }

    # A declared resource (a DICOM service) given the same identity shows the same ids for it.
    workspace = unique("ws")
    assert http.put(f"{arm_path(resource_group, 'workspaces', workspace)}?{HC}", json={"location": "eastus"}).is_success
    dicom = arm_path(resource_group, "workspaces", workspace, "dicomservices", unique("dicom"))
    made_dicom = http.put(
        f"{dicom}?{HC}",
        json={"location": "eastus", "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity: {}}}},
    )
    assert made_dicom.status_code in (200, 201), made_dicom.text
    assert (
        made_dicom.json()["identity"]["userAssignedIdentities"][identity]
        == assigned["userAssignedIdentities"][identity]
    )


def test_role_assignments_are_extension_resources_at_any_scope(http: httpx.Client, resource_group: str) -> None:
    workspace = arm_path(resource_group, "workspaces", unique("ws"))
    assert http.put(f"{workspace}?{HC}", json={"location": "eastus"}).status_code in (200, 201)
    body = {
        "properties": {
            "roleDefinitionId": f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{uuid.uuid4()}",
            "principalId": str(uuid.uuid4()),
        }
    }
    scopes = [SUB, f"{SUB}/resourceGroups/{resource_group}", workspace]
    ids = []
    for scope in scopes:
        assignment = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
        made = http.put(f"{assignment}?api-version=2022-04-01", json=body)
        assert made.status_code == 201, made.text
        assert made.json()["type"] == "Microsoft.Authorization/roleAssignments"
        properties = made.json()["properties"]
        assert properties.items() >= body["properties"].items()  # no location, no provisioningState
        assert properties["scope"] == scope and properties["createdOn"] == made.json()["systemData"]["createdAt"]
        ids.append(assignment)
    on_workspace = http.get(f"{workspace}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01")
    assert [item["id"] for item in on_workspace.json()["value"]] == [ids[2]]

    # The workspace's assignment does not stop its deletion, and goes with it.
    deleted = http.delete(f"{workspace}?{HC}")
    assert deleted.status_code == 202, deleted.text
    assert http.get(deleted.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"  # fast mode
    assert http.get(f"{ids[2]}?api-version=2022-04-01").status_code == 404
    missing_scope = http.put(f"{ids[2]}?api-version=2022-04-01", json=body)
    assert missing_scope.status_code == 404 and missing_scope.json()["error"]["code"] == "ParentResourceNotFound"
    assert http.get(f"{ids[0]}?api-version=2022-04-01").status_code == 200
    assert http.delete(f"{ids[0]}?api-version=2022-04-01").status_code == 200


def test_generic_namespaces_appear_in_the_provider_documents(http: httpx.Client, resource_group: str) -> None:
    path = f"{SUB}/resourceGroups/{resource_group}/providers/Microsoft.Cache/redis/{unique('r')}"
    assert http.put(f"{path}?api-version=2024-03-01", json={"location": "eastus"}).status_code == 201
    assert http.put(f"{path}?api-version=2023-08-01", json={"location": "eastus"}).status_code == 200
    document = http.get(f"{SUB}/providers/microsoft.cache?api-version=2021-04-01")
    assert document.status_code == 200, document.text
    assert document.json()["namespace"] == "Microsoft.Cache"
    types = {t["resourceType"]: t for t in document.json()["resourceTypes"]}
    assert types["redis"]["apiVersions"][:2] == ["2024-03-01", "2023-08-01"]
    listed = http.get(f"{SUB}/providers?api-version=2021-04-01").json()["value"]
    assert "Microsoft.Cache" in {p["namespace"] for p in listed}
    registered = http.post(f"{SUB}/providers/Microsoft.Cache/register?api-version=2021-04-01")
    assert registered.status_code == 200 and registered.json()["namespace"] == "Microsoft.Cache"
    assert http.get(f"{SUB}/providers/Not.Yet.Used?api-version=2021-04-01").json()["resourceTypes"] == []
    assert http.get(f"{SUB}/providers/NotANamespace?api-version=2021-04-01").status_code == 404


def test_bad_generic_requests_get_arm_errors(http: httpx.Client, resource_group: str) -> None:
    path = _storage(resource_group, unique("sa"))
    assert http.put(path, json={}).json()["error"]["code"] == "MissingApiVersionParameter"
    bad_version = http.put(f"{path}?api-version=latest", json={})
    assert bad_version.status_code == 400 and bad_version.json()["error"]["code"] == "InvalidApiVersionParameter"
    not_object = http.put(f"{path}?{STORAGE_V}", content=b"[1]", headers={"content-type": "application/json"})
    assert not_object.status_code == 400
    bad_location = http.put(f"{path}?{STORAGE_V}", json={"location": "not a/region"})
    assert bad_location.status_code == 400
    bad_tags = http.put(f"{path}?{STORAGE_V}", json={"location": "eastus", "tags": {"a": 1}})
    assert bad_tags.status_code == 400 and bad_tags.json()["error"]["code"] == "InvalidTag"
    no_group = http.put(f"{_storage('no-such-group-' + unique('g'), 'x')}?{STORAGE_V}", json={"location": "eastus"})
    assert no_group.status_code == 404 and no_group.json()["error"]["code"] == "ResourceGroupNotFound"
    assert http.put(f"{path}?{STORAGE_V}", json={"location": "eastus"}).status_code == 201
    moved = http.put(f"{path}?{STORAGE_V}", json={"location": "westus"})
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "InvalidResourceLocation"
    assert http.get(f"{path}?{STORAGE_V}").json()["location"] == "eastus"


def test_declared_namespaces_and_arms_own_keep_their_answers(http: httpx.Client, resource_group: str) -> None:
    unknown_type = http.put(f"{arm_path(resource_group, 'gizmos', 'g1')}?{HC}", json={"location": "eastus"})
    assert unknown_type.status_code == 400 and unknown_type.json()["error"]["code"] == "InvalidResourceType"
    deployments = f"{SUB}/resourceGroups/{resource_group}/providers/Microsoft.Resources/deployments/d1"
    assert http.put(f"{deployments}?api-version=2021-04-01", json={}).status_code in (400, 404)
    tags = http.patch(
        f"{SUB}/resourceGroups/{resource_group}/providers/Microsoft.Resources/tags/default?api-version=2021-04-01",
        json={},
    )
    assert tags.status_code == 400  # the tags API's own validation, not a generic write
    no_action = http.post(f"{_plain(resource_group, 'x')}/listKeys?api-version=2024-03-01")
    assert (no_action.status_code, no_action.json()["error"]["code"]) == (404, "NotFound")  # none declared


def test_tags_and_locks_apply_to_generic_resources(http: httpx.Client, resource_group: str) -> None:
    path = _storage(resource_group, unique("sa"))
    assert http.put(f"{path}?{STORAGE_V}", json={"location": "eastus", "tags": {"a": "1"}}).status_code == 201
    tags = f"{path}/providers/Microsoft.Resources/tags/default?api-version=2021-04-01"
    merged = http.patch(tags, json={"operation": "Merge", "properties": {"tags": {"b": "2"}}})
    assert merged.status_code == 200, merged.text
    assert http.get(f"{path}?{STORAGE_V}").json()["tags"] == {"a": "1", "b": "2"}

    lock = f"{path}/providers/Microsoft.Authorization/locks/keep?api-version=2020-05-01"
    assert http.put(lock, json={"properties": {"level": "ReadOnly"}}).status_code == 201
    refused = http.patch(f"{path}?{STORAGE_V}", json={"tags": {}})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "ScopeLocked"
    assert http.delete(f"{path}?{STORAGE_V}").status_code == 409
    assert http.delete(lock).status_code == 200
    assert http.delete(f"{path}?{STORAGE_V}").status_code == 200


def test_generic_resources_are_in_resource_lists_and_group_export(http: httpx.Client, resource_group: str) -> None:
    name = unique("sa")
    path = _storage(resource_group, name)
    body = {"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "tags": {"k": "v"}}
    assert http.put(f"{path}?{STORAGE_V}", json=body).status_code == 201
    group = f"{SUB}/resourceGroups/{resource_group}"
    listed = http.get(f"{group}/resources?api-version=2021-04-01").json()["value"]
    [entry] = [item for item in listed if item["id"] == path]
    assert (entry["type"], entry["kind"], entry["sku"], entry["tags"]) == (
        "Microsoft.Storage/storageAccounts",
        "StorageV2",
        {"name": "Standard_LRS", "tier": "Standard"},
        {"k": "v"},
    )
    filtered = http.get(
        f"{SUB}/resources?api-version=2021-04-01&$filter=resourceType eq 'Microsoft.Storage/storageAccounts'"
    )
    assert path in {item["id"] for item in filtered.json()["value"]}

    exported = http.post(f"{group}/exportTemplate?api-version=2021-04-01", json={"resources": ["*"]})
    assert exported.status_code == 200, exported.text
    [resource] = [
        r for r in exported.json()["template"]["resources"] if r["type"] == "Microsoft.Storage/storageAccounts"
    ]
    assert resource["apiVersion"] == "2023-05-01"  # the version it was written with
    assert (resource["kind"], resource["sku"]) == ("StorageV2", {"name": "Standard_LRS", "tier": "Standard"})
