"""ARM templates for the deployment tests, in the style of Microsoft's quickstarts for the emulated
providers (azure-quickstart-templates: quickstarts/microsoft.healthcareapis, microsoft.deviceupdate),
and the polling the tests share."""

from __future__ import annotations

import copy
import time
from typing import Any

import httpx

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SUBSCRIPTION_SCHEMA = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
HEALTH_API = "2024-03-31"
DU_API = "2023-07-01"

# Health Data Services: a workspace with a FHIR service and a DICOM service; outputs read the
# services back with reference(), as the quickstart "azure-api-for-fhir"/"dicom" templates do.
WORKSPACE_FHIR_DICOM: dict[str, Any] = {
    "$schema": SCHEMA,
    "contentVersion": "1.0.0.0",
    "parameters": {
        "workspaceName": {"type": "string", "metadata": {"description": "The workspace name."}},
        "fhirServiceName": {"type": "string", "defaultValue": "fhir1"},
        "dicomServiceName": {"type": "string", "defaultValue": "dicom1"},
        "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
        "environment": {"type": "string", "defaultValue": "dev", "allowedValues": ["dev", "prod"]},
    },
    "variables": {
        "authority": "[format('{0}{1}', environment().authentication.loginEndpoint, subscription().tenantId)]",
        "fhirAudience": "[format('https://{0}-{1}.fhir.azurehealthcareapis.com', parameters('workspaceName'), "
        "parameters('fhirServiceName'))]",
    },
    "resources": [
        {
            "type": "Microsoft.HealthcareApis/workspaces",
            "apiVersion": HEALTH_API,
            "name": "[parameters('workspaceName')]",
            "location": "[parameters('location')]",
            "tags": {"env": "[parameters('environment')]"},
            "properties": {},
        },
        {
            "type": "Microsoft.HealthcareApis/workspaces/fhirservices",
            "apiVersion": HEALTH_API,
            "name": "[format('{0}/{1}', parameters('workspaceName'), parameters('fhirServiceName'))]",
            "location": "[parameters('location')]",
            "kind": "fhir-R4",
            "identity": {"type": "SystemAssigned"},
            "dependsOn": ["[resourceId('Microsoft.HealthcareApis/workspaces', parameters('workspaceName'))]"],
            "properties": {
                "authenticationConfiguration": {
                    "authority": "[variables('authority')]",
                    "audience": "[variables('fhirAudience')]",
                    "smartProxyEnabled": False,
                }
            },
        },
        {
            "type": "Microsoft.HealthcareApis/workspaces/dicomservices",
            "apiVersion": HEALTH_API,
            "name": "[concat(parameters('workspaceName'), '/', parameters('dicomServiceName'))]",
            "location": "[parameters('location')]",
            "dependsOn": ["[resourceId('Microsoft.HealthcareApis/workspaces', parameters('workspaceName'))]"],
            "properties": {},
        },
    ],
    "outputs": {
        "workspaceId": {
            "type": "string",
            "value": "[resourceId('Microsoft.HealthcareApis/workspaces', parameters('workspaceName'))]",
        },
        "fhirAudience": {
            "type": "string",
            "value": "[reference(resourceId('Microsoft.HealthcareApis/workspaces/fhirservices', "
            f"parameters('workspaceName'), parameters('fhirServiceName')), '{HEALTH_API}')"
            ".authenticationConfiguration.audience]",
        },
        "dicomServiceUrl": {
            "type": "string",
            "value": "[reference(resourceId('Microsoft.HealthcareApis/workspaces/dicomservices', "
            f"parameters('workspaceName'), parameters('dicomServiceName')), '{HEALTH_API}').serviceUrl]",
        },
    },
}

# Device Update: an account and an instance (quickstart "deviceupdate-create-instance" style).
DEVICE_UPDATE: dict[str, Any] = {
    "$schema": SCHEMA,
    "contentVersion": "1.0.0.0",
    "parameters": {
        "accountName": {"type": "string"},
        "instanceName": {"type": "string", "defaultValue": "instance1"},
        "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
    },
    "resources": [
        {
            "type": "Microsoft.DeviceUpdate/accounts",
            "apiVersion": DU_API,
            "name": "[parameters('accountName')]",
            "location": "[parameters('location')]",
            "identity": {"type": "None"},
            "properties": {"publicNetworkAccess": "Enabled", "sku": "Standard"},
        },
        {
            "type": "Microsoft.DeviceUpdate/accounts/instances",
            "apiVersion": DU_API,
            "name": "[format('{0}/{1}', parameters('accountName'), parameters('instanceName'))]",
            "location": "[parameters('location')]",
            "dependsOn": ["[resourceId('Microsoft.DeviceUpdate/accounts', parameters('accountName'))]"],
            "properties": {"iotHubs": [], "enableDiagnostics": False},
        },
    ],
    "outputs": {
        "hostName": {
            "type": "string",
            "value": "[reference(resourceId('Microsoft.DeviceUpdate/accounts', parameters('accountName')), "
            f"'{DU_API}').hostName]",
        }
    },
}

# An IoT connector (MedTech service) with its FHIR destination, in a workspace with a FHIR service.
IOT_CONNECTOR: dict[str, Any] = {
    "$schema": SCHEMA,
    "contentVersion": "1.0.0.0",
    "parameters": {"workspaceName": {"type": "string"}, "location": {"type": "string", "defaultValue": "eastus"}},
    "variables": {
        "fhirId": "[resourceId('Microsoft.HealthcareApis/workspaces/fhirservices', "
        "parameters('workspaceName'), 'fhir')]"
    },
    "resources": [
        {
            "type": "Microsoft.HealthcareApis/workspaces",
            "apiVersion": HEALTH_API,
            "name": "[parameters('workspaceName')]",
            "location": "[parameters('location')]",
            "properties": {},
        },
        {
            "type": "Microsoft.HealthcareApis/workspaces/fhirservices",
            "apiVersion": HEALTH_API,
            "name": "[format('{0}/fhir', parameters('workspaceName'))]",
            "location": "[parameters('location')]",
            "kind": "fhir-R4",
            "dependsOn": ["[resourceId('Microsoft.HealthcareApis/workspaces', parameters('workspaceName'))]"],
            "properties": {},
        },
        {
            "type": "Microsoft.HealthcareApis/workspaces/iotconnectors",
            "apiVersion": HEALTH_API,
            "name": "[format('{0}/medtech', parameters('workspaceName'))]",
            "location": "[parameters('location')]",
            "identity": {"type": "SystemAssigned"},
            "dependsOn": ["[resourceId('Microsoft.HealthcareApis/workspaces', parameters('workspaceName'))]"],
            "properties": {
                "ingestionEndpointConfiguration": {
                    "eventHubName": "devicedata",
                    "consumerGroup": "medtech",
                    "fullyQualifiedEventHubNamespace": "ns1.servicebus.windows.net",
                },
                "deviceMapping": {"content": {"templateType": "CollectionContent", "template": []}},
            },
        },
        {
            "type": "Microsoft.HealthcareApis/workspaces/iotconnectors/fhirdestinations",
            "apiVersion": HEALTH_API,
            "name": "[format('{0}/medtech/dest', parameters('workspaceName'))]",
            "location": "[parameters('location')]",
            "dependsOn": [
                "[resourceId('Microsoft.HealthcareApis/workspaces/iotconnectors', "
                "parameters('workspaceName'), 'medtech')]",
                "[variables('fhirId')]",
            ],
            "properties": {
                "resourceIdentityResolutionType": "Create",
                "fhirServiceResourceId": "[variables('fhirId')]",
                "fhirMapping": {"content": {"templateType": "CollectionFhirTemplate", "template": []}},
            },
        },
    ],
}


def workspace_by_name(outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """The inner template of a nested deployment: a workspace named by its `name` parameter, in the
    group the deployment targets."""
    template: dict[str, Any] = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {"name": {"type": "string"}},
        "resources": [
            {
                "type": "Microsoft.HealthcareApis/workspaces",
                "apiVersion": HEALTH_API,
                "name": "[parameters('name')]",
                "location": "[resourceGroup().location]",
                "properties": {},
            }
        ],
    }
    if outputs:
        template["outputs"] = outputs
    return template


def nested(inner_group: str) -> dict[str, Any]:
    """A nested deployment (inner expression scope) into another group, and an output read from it."""
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {"workspaceName": {"type": "string"}},
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "inner",
                "resourceGroup": inner_group,
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"name": {"value": "[parameters('workspaceName')]"}},
                    "template": workspace_by_name(
                        outputs={"group": {"type": "string", "value": "[resourceGroup().name]"}}
                    ),
                },
            }
        ],
        "outputs": {
            "innerGroup": {
                "type": "string",
                "value": f"[reference(resourceId('{inner_group}', 'Microsoft.Resources/deployments', 'inner'))"
                ".outputs.group.value]",
            }
        },
    }


# Subscription scope: a resource group, and a deployment into it (the quickstart
# "create-rg-and-deploy" pattern).
SUBSCRIPTION_GROUP_AND_WORKSPACE: dict[str, Any] = {
    "$schema": SUBSCRIPTION_SCHEMA,
    "contentVersion": "1.0.0.0",
    "parameters": {
        "groupName": {"type": "string"},
        "workspaceName": {"type": "string"},
        "location": {"type": "string", "defaultValue": "[deployment().location]"},
    },
    "resources": [
        {
            "type": "Microsoft.Resources/resourceGroups",
            "apiVersion": "2021-04-01",
            "name": "[parameters('groupName')]",
            "location": "[parameters('location')]",
            "tags": {"purpose": "deployments-test"},
        },
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "workspace",
            "resourceGroup": "[parameters('groupName')]",
            "dependsOn": ["[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('groupName'))]"],
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "parameters": {"name": {"value": "[parameters('workspaceName')]"}},
                "template": workspace_by_name(),
            },
        },
    ],
    "outputs": {
        "groupId": {
            "type": "string",
            "value": "[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('groupName'))]",
        }
    },
}


def slow_account(name: str) -> dict[str, Any]:
    """A Device Update account whose creation takes an hour of the emulator's clock a step (the LRO
    timing tag), so a deployment of it stays running until a test moves the clock."""
    return {
        "type": "Microsoft.DeviceUpdate/accounts",
        "apiVersion": "2023-07-01",
        "name": name,
        "location": "westus2",
        "tags": {"arm-emulator-lro-step-seconds": "3600"},
        "properties": {},
    }


def plain(*resources: dict[str, Any], outputs: dict[str, Any] | None = None, **parameters: Any) -> dict[str, Any]:
    """A template of literal resources (and string parameters)."""
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {name: {"type": "string", "defaultValue": value} for name, value in parameters.items()},
        "resources": list(resources),
        "outputs": outputs or {},
    }


def workspace(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.HealthcareApis/workspaces",
        "apiVersion": HEALTH_API,
        "name": name,
        "location": "eastus",
        "properties": {},
        **extra,
    }


def values(**parameters: Any) -> dict[str, Any]:
    """Parameters as a deployment request carries them."""
    return {name: {"value": value} for name, value in parameters.items()}


def subscription_group_deployment(name: str, subscription_id: str) -> dict[str, Any]:
    """A nested deployment (inner scope) of SUBSCRIPTION_GROUP_AND_WORKSPACE into a subscription, for
    management-group and tenant templates; it passes on their groupName and workspaceName parameters."""
    return {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": name,
        "subscriptionId": subscription_id,
        "location": "[deployment().location]",
        "properties": {
            "mode": "Incremental",
            "expressionEvaluationOptions": {"scope": "inner"},
            "parameters": {
                "groupName": {"value": "[parameters('groupName')]"},
                "workspaceName": {"value": "[parameters('workspaceName')]"},
            },
            "template": copy.deepcopy(SUBSCRIPTION_GROUP_AND_WORKSPACE),
        },
    }


def account_then_workspace(account: str, space: str, **outputs: Any) -> dict[str, Any]:
    """A slow Device Update account and a workspace that waits for it; the account's final state is
    an output (`accountState`), besides `outputs`."""
    state = {
        "type": "string",
        "value": f"[reference(resourceId('Microsoft.DeviceUpdate/accounts', '{account}'), "
        f"'{DU_API}').provisioningState]",
    }
    resources = (slow_account(account), workspace(space, dependsOn=[account]))
    return plain(*resources, outputs={"accountState": state, **outputs})


def wait_for_status(http: httpx.Client, status_url: str, timeout: float = 30) -> dict[str, Any]:
    """Poll a deployment's operation status until it ends (the emulator runs it in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(status_url)
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()
        if status["status"] in ("Succeeded", "Failed", "Canceled") or time.monotonic() > deadline:
            return status
        time.sleep(0.02)
