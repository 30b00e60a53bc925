"""A user's program on older SDK releases, at their default api-versions, run by tests/clients/test_legacy_sdk.py.

It runs in the venv `make test-clients` builds for them (.venv-sdk-legacy: azure-mgmt-healthcareapis 1.1.0,
azure-mgmt-deviceupdate 1.0.0), not in the test's own, so it imports nothing from the tests. It builds the
clients as the README says (no api-version: 1.1.0 cannot even be given one), does what it is asked, and
prints one JSON document: the packages and default versions it ran with, every call the SDKs made (method,
URL, status, JSON body), and the fields the SDK models read back. A step that raises ends the run with
`failedStep` and the traceback in that document, and exit code 1.

    python legacy_sdk_lifecycle.py '{"url": ..., "tenant": ..., "clientId": ..., "clientSecret": ...,
                                     "subscription": ..., "mode": "lifecycle", "group": ..., ...}'

`REQUESTS_CA_BUNDLE` must name the emulator's CA, as the README tells a user.
"""

from __future__ import annotations

import json
import sys
import traceback
from importlib.metadata import version
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.identity import ClientSecretCredential
from azure.mgmt.deviceupdate import DeviceUpdateMgmtClient
from azure.mgmt.deviceupdate.models import Account, AccountUpdate
from azure.mgmt.healthcareapis import HealthcareApisManagementClient
from azure.mgmt.healthcareapis.models import DicomService, DicomServicePatchResource, Workspace, WorkspacePatchResource
from azure.mgmt.resource.resources import ResourceManagementClient

PACKAGES = ("azure-mgmt-healthcareapis", "azure-mgmt-deviceupdate", "azure-mgmt-resource", "azure-core")


class Recorder(SansIOHTTPPolicy):  # type: ignore[misc]
    """Every call as it went out and came back: method, URL (with its api-version), status, JSON body."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def on_response(self, request: Any, response: Any) -> None:
        http = response.http_response
        body: Any = None
        if "json" in (http.headers.get("Content-Type") or ""):
            try:
                body = json.loads(http.text() or "null")
            except ValueError:
                body = http.text()
        call = {"method": request.http_request.method, "url": request.http_request.url, "status": http.status_code}
        self.calls.append({**call, "body": body})


class Run:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.recorder = Recorder()
        self.step = "clients"
        self.models: dict[str, Any] = {}
        credential = ClientSecretCredential(
            config["tenant"],
            config["clientId"],
            config["clientSecret"],
            authority=config["url"],
            disable_instance_discovery=True,
        )
        options = {
            "base_url": config["url"],
            "credential_scopes": [f"{config['url']}/.default"],
            "per_call_policies": [self.recorder],
            # An emulator error must fail the run at once, not after retries.
            "retry_total": 0,
        }
        subscription = config["subscription"]
        self.resources = ResourceManagementClient(credential, subscription, **options)
        self.health = HealthcareApisManagementClient(credential, subscription, **options)
        self.adu = DeviceUpdateMgmtClient(credential, subscription, **options)

    def report(self) -> dict[str, Any]:
        return {
            "packages": {name: version(name) for name in PACKAGES},
            "defaults": {
                "Microsoft.HealthcareApis": self.health._config.api_version,
                "Microsoft.DeviceUpdate": self.adu._config.api_version,
            },
            "calls": self.recorder.calls,
            "models": self.models,
        }

    def keep(self, label: str, value: Any) -> Any:
        self.models[label] = value
        return value

    def lifecycle(self) -> None:
        """A group; a workspace and a DICOM service; a Device Update account: each created, read, listed,
        tagged and deleted."""
        group, workspace, dicom, account = (self.config[k] for k in ("group", "workspace", "dicom", "account"))
        self.step = "create group"
        self.resources.resource_groups.create_or_update(group, {"location": "eastus"})

        self.step = "create workspace"
        created = self.health.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
        self.keep("workspace created", {"provisioningState": created.properties.provisioning_state})
        self.step = "create DICOM service"
        poller = self.health.dicom_services.begin_create_or_update(
            group, workspace, dicom, DicomService(location="eastus")
        )
        made = poller.result()
        self.keep("dicom created", {"provisioningState": made.provisioning_state, "serviceUrl": made.service_url})

        self.step = "get workspace and DICOM service"
        got = self.health.workspaces.get(group, workspace)
        self.keep("workspace", {"name": got.name, "provisioningState": got.properties.provisioning_state})
        shown = self.health.dicom_services.get(group, workspace, dicom)
        self.keep(
            "dicom",
            {
                "name": shown.name,
                "provisioningState": shown.provisioning_state,
                "serviceUrl": shown.service_url,
                "audiences": shown.authentication_configuration.audiences,
            },
        )

        self.step = "list workspaces and DICOM services"
        self.keep("workspaces in group", [w.name for w in self.health.workspaces.list_by_resource_group(group)])
        self.keep("workspaces in subscription", [w.name for w in self.health.workspaces.list_by_subscription()])
        self.keep("dicom services", [d.name for d in self.health.dicom_services.list_by_workspace(group, workspace)])

        self.step = "tag workspace and DICOM service"
        tagged = self.health.workspaces.begin_update(
            group, workspace, WorkspacePatchResource(tags={"team": "imaging"})
        ).result()
        self.keep("workspace tagged", {"tags": tagged.tags, "provisioningState": tagged.properties.provisioning_state})
        # 1.1.0 takes (group, dicom service, workspace) here: keywords.
        tagged_dicom = self.health.dicom_services.begin_update(
            resource_group_name=group,
            dicom_service_name=dicom,
            workspace_name=workspace,
            dicomservice_patch_resource=DicomServicePatchResource(tags={"env": "test"}),
        ).result()
        self.keep("dicom tagged", {"tags": tagged_dicom.tags, "provisioningState": tagged_dicom.provisioning_state})

        self.step = "create Device Update account"
        adu = self.adu.accounts.begin_create(group, account, Account(location="westus2")).result()
        self.keep(
            "account created",
            {
                "provisioningState": adu.provisioning_state,
                "hostName": adu.host_name,
                "sku": adu.sku,
                "locations": [[loc.name, loc.role] for loc in adu.locations],
            },
        )
        self.step = "get, head and list Device Update account"
        self.keep("account", {"name": self.adu.accounts.get(group, account).name})
        self.keep("account head", self.adu.accounts.head(group, account))
        self.keep("accounts in group", [a.name for a in self.adu.accounts.list_by_resource_group(group)])
        self.keep("accounts in subscription", [a.name for a in self.adu.accounts.list_by_subscription()])
        self.step = "tag Device Update account"
        tagged_account = self.adu.accounts.begin_update(group, account, AccountUpdate(tags={"k": "v"})).result()
        self.keep(
            "account tagged", {"tags": tagged_account.tags, "provisioningState": tagged_account.provisioning_state}
        )

        self.step = "delete Device Update account"
        self.adu.accounts.begin_delete(group, account).result()
        self.keep("account gone", self.gone(lambda: self.adu.accounts.get(group, account)))
        self.step = "delete DICOM service"
        self.health.dicom_services.begin_delete(
            resource_group_name=group, dicom_service_name=dicom, workspace_name=workspace
        ).result()
        self.keep("dicom gone", self.gone(lambda: self.health.dicom_services.get(group, workspace, dicom)))
        self.step = "delete workspace"
        self.health.workspaces.begin_delete(group, workspace).result()
        self.keep("workspace gone", self.gone(lambda: self.health.workspaces.get(group, workspace)))

    def read_and_tag(self) -> None:
        """An existing DICOM service (written by a newer client): read it, then tag it."""
        group, workspace, dicom = (self.config[k] for k in ("group", "workspace", "dicom"))
        self.step = "get DICOM service"
        shown = self.health.dicom_services.get(group, workspace, dicom)
        self.keep("dicom", {"provisioningState": shown.provisioning_state})
        self.step = "tag DICOM service"
        tagged = self.health.dicom_services.begin_update(
            resource_group_name=group,
            dicom_service_name=dicom,
            workspace_name=workspace,
            dicomservice_patch_resource=DicomServicePatchResource(tags={"touchedBy": "legacy"}),
        ).result()
        self.keep("dicom tagged", {"tags": tagged.tags, "provisioningState": tagged.provisioning_state})

    @staticmethod
    def gone(read: Any) -> bool:
        try:
            read()
        except ResourceNotFoundError:
            return True
        return False


def main() -> int:
    config = json.loads(sys.argv[1])
    run = Run(config)
    try:
        {"lifecycle": run.lifecycle, "read-and-tag": run.read_and_tag}[config["mode"]]()
    except Exception:
        print(json.dumps({**run.report(), "failedStep": run.step, "error": traceback.format_exc()}))
        return 1
    print(json.dumps(run.report()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
