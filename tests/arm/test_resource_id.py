"""Resource ids and case-insensitive routing."""

from __future__ import annotations

import pytest

from arm_emulator.arm.resource_id import PathCanonicalizer, ResourceId, parse_resource_id

ROUTES = [
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.HealthcareApis/"
    "workspaces/{workspaceName}/dicomservices/{dicomServiceName}",
    "/providers/Microsoft.DeviceUpdate/locations/{location}/operationStatuses/{operationId}",
]


def test_fixed_segments_take_the_declared_casing_and_names_keep_theirs() -> None:
    canonical = PathCanonicalizer(ROUTES)
    assert canonical.canonicalize(
        "/SUBSCRIPTIONS/Sub/resourcegroups/Providers/PROVIDERS/microsoft.healthcareapis/Workspaces/WS/DICOMSERVICES/Dicom"
    ) == (
        "/subscriptions/Sub/resourceGroups/Providers/providers/Microsoft.HealthcareApis/workspaces/WS/"
        "dicomservices/Dicom"
    )
    assert canonical.canonicalize("/providers/microsoft.deviceupdate/Locations/westus2/operationstatuses/X") == (
        "/providers/Microsoft.DeviceUpdate/locations/westus2/operationStatuses/X"
    )
    # A name that happens to equal a keyword is left alone: only key positions are rewritten.
    assert canonical.canonicalize("/subscriptions/s/resourceGroups/resourcegroups") == (
        "/subscriptions/s/resourceGroups/resourcegroups"
    )


def test_two_casings_of_one_segment_are_refused() -> None:
    with pytest.raises(ValueError, match="two casings"):
        PathCanonicalizer(["/a/{x}/operationResults/{y}", "/b/{x}/operationresults/{y}"])


def test_ids_round_trip_and_compare_case_insensitively() -> None:
    rid = ResourceId("S", "Rg", "Microsoft.HealthcareApis", (("workspaces", "Ws"), ("dicomservices", "D1")))
    assert parse_resource_id(rid.id) == rid
    assert rid.key == rid.id.lower()
    assert rid.parent is not None and rid.parent.id.endswith("/workspaces/Ws")
    assert rid.type_name == "Microsoft.HealthcareApis/workspaces/dicomservices"
    assert rid.type_path_with_names == "Microsoft.HealthcareApis/workspaces/Ws/dicomservices/D1"
    with pytest.raises(ValueError):
        parse_resource_id("/subscriptions/S/resourceGroups/Rg")
