"""azure-mgmt-resource's ResourceManagementClient.resources.list / list_by_resource_group (with each
$filter form, $expand and paging) and resource_groups.begin_export_template, over HTTPS at the
client's default api-version."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.healthcareapis.models import DicomService, Workspace
from azure.mgmt.resource.resources.models import ExportTemplateRequest
from conftest import unique
from emulator_process import EmulatorProcess
from sdk_clients import healthcare, resources

pytestmark = pytest.mark.clients


@pytest.fixture
def scene(emulator: EmulatorProcess) -> dict[str, str]:
    client = resources(emulator)
    group = client.resource_groups.create_or_update(unique("rg-"), {"location": "eastus"}).name
    hc = healthcare(emulator)
    first, second = unique("ws"), unique("ws")
    hc.workspaces.begin_create_or_update(group, first, Workspace(location="eastus", tags={"env": "dev"})).result()
    hc.workspaces.begin_create_or_update(group, second, Workspace(location="westus2", tags={"env": "prod"})).result()
    hc.dicom_services.begin_create_or_update(group, first, "dicom1", DicomService(location="eastus")).result()
    return {"group": group, "first": first, "second": second}


def test_list_by_resource_group_and_each_filter(emulator: EmulatorProcess, scene: dict[str, str]) -> None:
    client = resources(emulator)
    group, first, second = scene["group"], scene["first"], scene["second"]
    listed = list(client.resources.list_by_resource_group(group))
    assert [(r.name, r.type, r.location) for r in listed] == [
        (first, "Microsoft.HealthcareApis/workspaces", "eastus"),
        (second, "Microsoft.HealthcareApis/workspaces", "westus2"),
        (f"{first}/dicom1", "Microsoft.HealthcareApis/workspaces/dicomservices", "eastus"),
    ]
    assert listed[0].tags == {"env": "dev"}

    def names(expression: str) -> list[str]:
        in_group = f"resourceGroup eq '{group}'"
        by_sub = [r.name for r in client.resources.list(filter=f"{in_group} and {expression}")]
        by_group = [r.name for r in client.resources.list_by_resource_group(group, filter=expression)]
        assert by_sub == by_group, expression
        return by_group

    assert names("resourceType eq 'Microsoft.HealthcareApis/workspaces'") == [first, second]
    assert names(f"name eq '{second}'") == [second]
    assert names("substringof('dicom', name)") == [f"{first}/dicom1"]
    assert names("location eq 'westus2'") == [second]
    tagged = [
        r for r in client.resources.list_by_resource_group(group, filter="tagName eq 'env' and tagValue eq 'prod'")
    ]
    assert [r.name for r in tagged] == [second]
    assert [r.name for r in client.resources.list(filter=f"substringof('{group}', resourceGroup)")] == [
        first,
        second,
        f"{first}/dicom1",
    ]

    expanded = list(
        client.resources.list_by_resource_group(
            group, filter=f"name eq '{first}'", expand="createdTime,changedTime,provisioningState"
        )
    )
    assert [r.provisioning_state for r in expanded] == ["Succeeded"]
    assert expanded[0].created_time is not None and expanded[0].changed_time is not None

    # Paged one by one, the SDK follows every nextLink with the filter kept.
    paged = [r.name for r in client.resources.list_by_resource_group(group, top=1)]
    assert paged == [first, second, f"{first}/dicom1"]


def test_bad_filters_raise_arms_400(emulator: EmulatorProcess, scene: dict[str, str]) -> None:
    client = resources(emulator)
    with pytest.raises(HttpResponseError) as raised:
        list(client.resources.list(filter="tagName eq 'env' and resourceType eq 'Microsoft.HealthcareApis/workspaces'"))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "InvalidFilterInQueryString"
    with pytest.raises(HttpResponseError) as raised:
        list(client.resources.list_by_resource_group(scene["group"], filter="plan eq 'x'"))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "InvalidFilterInQueryString"


def test_begin_export_template(emulator: EmulatorProcess, scene: dict[str, str]) -> None:
    client = resources(emulator)
    result = client.resource_groups.begin_export_template(
        scene["group"], ExportTemplateRequest(resources=["*"], options="IncludeParameterDefaultValue")
    ).result()
    assert result.error is None
    template = result.template
    parameter = f"workspaces_{scene['first']}_name"
    assert template["parameters"][parameter] == {"defaultValue": scene["first"], "type": "String"}
    assert [r["type"] for r in template["resources"]] == [
        "Microsoft.HealthcareApis/workspaces",
        "Microsoft.HealthcareApis/workspaces",
        "Microsoft.HealthcareApis/workspaces/dicomservices",
    ]
    assert template["resources"][2]["dependsOn"] == [
        f"[resourceId('Microsoft.HealthcareApis/workspaces', parameters('{parameter}'))]"
    ]
