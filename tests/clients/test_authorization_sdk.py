"""azure-mgmt-authorization at its default api-versions: a built-in role found by name, as a user's
code looks it up, assigned on a group (a role assignment is stored generically), listed, deleted."""

from __future__ import annotations

import uuid

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from conftest import unique
from emulator_process import EmulatorProcess
from sdk_clients import authorization, resources

pytestmark = pytest.mark.clients


def test_role_by_name_assigned_listed_and_deleted(emulator: EmulatorProcess) -> None:
    group = resources(emulator).resource_groups.create_or_update(unique("rg-"), {"location": "eastus"})
    client = authorization(emulator)
    [reader] = client.role_definitions.list(group.id, filter="roleName eq 'FHIR Data Reader'")
    assert reader.name == "4c8d0bbc-75d3-4935-991f-5f3c56d81508"
    assert reader.role_type == "BuiltInRole"
    assert client.role_definitions.get(group.id, reader.name).role_name == "FHIR Data Reader"
    with pytest.raises(ResourceNotFoundError):
        client.role_definitions.get(group.id, str(uuid.uuid4()))

    principal = str(uuid.uuid4())
    name = str(uuid.uuid4())
    made = client.role_assignments.create(
        group.id,
        name,
        RoleAssignmentCreateParameters(role_definition_id=reader.id, principal_id=principal, principal_type="User"),
    )
    assert (made.name, made.scope, made.role_definition_id) == (name, group.id, reader.id)
    listed = client.role_assignments.list_for_scope(group.id)
    assert [a.principal_id for a in listed if a.name == name] == [principal]
    deleted = client.role_assignments.delete(group.id, name)
    assert deleted is not None and deleted.name == name
    assert [a for a in client.role_assignments.list_for_scope(group.id) if a.name == name] == []
