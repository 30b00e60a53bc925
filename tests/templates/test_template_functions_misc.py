"""Date, CIDR and URI functions, and the deployment and scope functions fed by ScopeInfo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from template_fakes import ENVIRONMENT, SUBSCRIPTION, TENANT, evaluate, group_scope, subscription_scope, template

from arm_emulator.templates import TemplateError, prepare


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[dateTimeAdd('2020-04-07T14:53:14Z', 'P3Y')]", "2023-04-07T14:53:14Z"),
        ("[dateTimeAdd('2020-04-07T14:53:14Z', '-PT9H')]", "2020-04-07T05:53:14Z"),
        ("[dateTimeAdd('2020-04-07T14:53:14Z', 'PT1H', 'yyyy-MM-dd HH:mm')]", "2020-04-07 15:53"),
        ("[dateTimeAdd('2020-01-31T00:00:00Z', 'P1M')]", "2020-02-29T00:00:00Z"),
        ("[dateTimeFromEpoch(1683040573)]", "2023-05-02T15:16:13Z"),
        ("[dateTimeToEpoch('2023-05-02T15:16:13Z')]", 1683040573),
    ],
)
def test_date_functions(expression: str, expected: object) -> None:
    assert evaluate(expression) == expected


def test_utc_now_formats_with_dotnet_format_strings() -> None:
    moment = datetime(2024, 3, 5, 7, 8, 9, tzinfo=UTC)
    prepared = prepare(
        template(
            parameters={
                "default": {"type": "string", "defaultValue": "[utcNow()]"},
                "custom": {"type": "string", "defaultValue": "[utcNow('yyyy-MM-dd HH:mm:ss')]"},
                "universal": {"type": "string", "defaultValue": "[utcNow('u')]"},
            }
        ),
        {},
        group_scope(),
        now=moment,
    )
    assert prepared.parameters["default"]["value"] == "20240305T070809Z"
    assert prepared.parameters["custom"]["value"] == "2024-03-05 07:08:09"
    assert prepared.parameters["universal"]["value"] == "2024-03-05 07:08:09Z"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "[parseCidr('10.144.0.0/20')]",
            {
                "network": "10.144.0.0",
                "netmask": "255.255.240.0",
                "broadcast": "10.144.15.255",
                "firstUsable": "10.144.0.1",
                "lastUsable": "10.144.15.254",
                "cidr": 20,
            },
        ),
        (
            "[parseCidr('fdad:3236:5555::/48')]",
            {
                "network": "fdad:3236:5555::",
                "netmask": "ffff:ffff:ffff::",
                "firstUsable": "fdad:3236:5555::",
                "lastUsable": "fdad:3236:5555:ffff:ffff:ffff:ffff:ffff",
                "cidr": 48,
            },
        ),
        (
            "[map(range(0, 3), lambda('i', cidrSubnet('10.144.0.0/20', 24, lambdaVariables('i'))))]",
            ["10.144.0.0/24", "10.144.1.0/24", "10.144.2.0/24"],
        ),
        ("[cidrSubnet('fdad:3236:5555::/48', 52, 1)]", "fdad:3236:5555:1000::/52"),
        ("[cidrSubnet('fdad:3236:5555::/48', 52, 0)]", "fdad:3236:5555::/52"),
        ("[cidrHost('fdad:3236:5555:3000::/52', 4)]", "fdad:3236:5555:3000::5"),
        (
            "[map(range(0, 3), lambda('i', cidrHost('10.144.3.0/24', lambdaVariables('i'))))]",
            ["10.144.3.1", "10.144.3.2", "10.144.3.3"],
        ),
        (
            "[buildUri(createObject('scheme', 'https', 'host', 'www.contoso.com', 'port', 8080, 'path', '/a/b', "
            "'query', 'q=1'))]",
            "https://www.contoso.com:8080/a/b?q=1",
        ),
        ("[parseUri('https://www.contoso.com/path/to/resource?query=value').host]", "www.contoso.com"),
        ("[parseUri('https://www.contoso.com/path/to/resource?query=value').port]", 443),
        ("[parseUri('https://www.contoso.com/path/to/resource?query=value').query]", "?query=value"),
    ],
)
def test_cidr_and_uri_functions(expression: str, expected: object) -> None:
    assert evaluate(expression) == expected


def test_scope_functions_at_resource_group_scope() -> None:
    group = evaluate("[resourceGroup()]")
    assert group["name"] == "my-rg" and group["location"] == "westeurope"
    assert evaluate("[subscription()]") == {
        "id": f"/subscriptions/{SUBSCRIPTION}",
        "subscriptionId": SUBSCRIPTION,
        "tenantId": TENANT,
        "displayName": "Emulated subscription",
    }
    assert evaluate("[tenant().tenantId]") == TENANT
    assert evaluate("[environment()]") == ENVIRONMENT
    deployment = evaluate("[deployment()]")
    assert deployment["name"] == "deploy1"
    assert deployment["properties"]["template"]["contentVersion"] == "1.0.0.0"
    assert deployment["properties"]["templateHash"].isdigit()


def test_resource_group_is_not_available_at_subscription_scope() -> None:
    with pytest.raises(TemplateError, match="'resourceGroup' is not expected at this location"):
        evaluate("[resourceGroup()]", scope=subscription_scope())
    assert evaluate("[deployment().location]", scope=subscription_scope()) == "eastus"
    with pytest.raises(TemplateError, match="'managementGroup' is not expected"):
        evaluate("[managementGroup()]")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "[resourceId('Microsoft.Storage/storageAccounts', 'st1')]",
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/st1",
        ),
        (
            "[resourceId('otherGroup', 'Microsoft.Storage/storageAccounts', 'st1')]",
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/otherGroup/providers/Microsoft.Storage/storageAccounts/st1",
        ),
        (
            "[resourceId('11111111-1111-1111-1111-111111111111', 'g', 'Microsoft.Storage/storageAccounts', 'st1')]",
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/g/providers/"
            "Microsoft.Storage/storageAccounts/st1",
        ),
        (
            "[resourceId('Microsoft.HealthcareApis/workspaces/fhirservices', 'ws', 'fhir')]",
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/my-rg/providers/"
            "Microsoft.HealthcareApis/workspaces/ws/fhirservices/fhir",
        ),
        (
            "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', 'acct', 'default', 'c')]",
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/my-rg/providers/"
            "Microsoft.Storage/storageAccounts/acct/blobServices/default/containers/c",
        ),
        (
            "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'abc')]",
            f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/abc",
        ),
        (
            "[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p')]",
            "/providers/Microsoft.Authorization/policyDefinitions/p",
        ),
        (
            "[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'l')]",
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/my-rg/providers/Microsoft.Authorization/locks/l",
        ),
        (
            "[managementGroupResourceId('mg1', 'Microsoft.Authorization/policyDefinitions', 'p')]",
            "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyDefinitions/p",
        ),
    ],
)
def test_resource_id_functions(expression: str, expected: str) -> None:
    assert evaluate(expression) == expected


def test_resource_id_at_subscription_scope_has_no_group() -> None:
    assert evaluate("[resourceId('Microsoft.Resources/resourceGroups', 'g')]", scope=subscription_scope()) == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/g"
    )
    assert evaluate(
        "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'u')]", scope=subscription_scope()
    ) == (f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u")


def test_resource_id_refuses_a_wrong_number_of_names() -> None:
    with pytest.raises(TemplateError, match="requires '2' resource name argument"):
        evaluate("[resourceId('Microsoft.HealthcareApis/workspaces/fhirservices', 'ws')]")


def test_runtime_functions_need_a_host() -> None:
    with pytest.raises(TemplateError, match="'reference' is not expected at this location"):
        evaluate("[reference('/subscriptions/x/resourceGroups/g/providers/A.B/c/d')]")


def test_pick_zones_and_providers() -> None:
    assert evaluate("[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]") == ["1"]
    with pytest.raises(TemplateError, match="'providers' is deprecated"):
        evaluate("[providers('Microsoft.Storage')]")
