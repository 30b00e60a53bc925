"""Builds the official Azure SDK clients the way a user points them at the emulator."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.deviceupdate import DeviceUpdateMgmtClient
from azure.mgmt.healthcareapis import HealthcareApisManagementClient
from azure.mgmt.resource.deployments import DeploymentsMgmtClient
from azure.mgmt.resource.locks import ManagementLockClient
from azure.mgmt.resource.resources import ResourceManagementClient
from conftest import SUBSCRIPTION, StaticCredential
from emulator_process import EmulatorProcess


def client_options(emulator: EmulatorProcess) -> dict[str, Any]:
    return {
        "base_url": emulator.url,
        "credential_scopes": [f"{emulator.url}/.default"],
        "connection_verify": str(emulator.ca_file),
        "polling_interval": 0,
        # An emulator 5xx must fail the test at once, not after retries.
        "retry_total": 0,
    }


def healthcare(emulator: EmulatorProcess, **options: Any) -> HealthcareApisManagementClient:
    """At the SDK's own default api-version, as a user's client is, unless `api_version=` is given."""
    return HealthcareApisManagementClient(StaticCredential(), SUBSCRIPTION, **client_options(emulator), **options)


def deviceupdate(emulator: EmulatorProcess, **options: Any) -> DeviceUpdateMgmtClient:
    """At the SDK's own default api-version, as a user's client is, unless `api_version=` is given."""
    return DeviceUpdateMgmtClient(StaticCredential(), SUBSCRIPTION, **client_options(emulator), **options)


def resources(emulator: EmulatorProcess) -> ResourceManagementClient:
    return ResourceManagementClient(StaticCredential(), SUBSCRIPTION, **client_options(emulator))


def locks(emulator: EmulatorProcess, subscription_id: str = SUBSCRIPTION) -> ManagementLockClient:
    """At the SDK's own default api-version."""
    return ManagementLockClient(StaticCredential(), subscription_id, **client_options(emulator))


def deployments(emulator: EmulatorProcess, **options: Any) -> DeploymentsMgmtClient:
    """Template deployments, at the SDK's own default api-version."""
    return DeploymentsMgmtClient(StaticCredential(), SUBSCRIPTION, **client_options(emulator), **options)


def authorization(emulator: EmulatorProcess) -> AuthorizationManagementClient:
    """At the SDK's own default api-versions."""
    return AuthorizationManagementClient(StaticCredential(), SUBSCRIPTION, **client_options(emulator))


def default_api_version(client: HealthcareApisManagementClient | DeviceUpdateMgmtClient) -> str:
    """The api-version a client sends: the SDK release's default unless it was given one."""
    version: str = client._config.api_version
    return version


def api_version_of(url: str) -> str:
    """The `api-version` query parameter of a URL the SDK called ("" if it had none)."""
    return parse_qs(urlsplit(url).query).get("api-version", [""])[0]


class Recorder(SansIOHTTPPolicy):  # type: ignore[misc]
    """Records what the SDK actually sent and got back (method, URL, status), in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []

    def on_response(self, request: Any, response: Any) -> None:
        self.calls.append((request.http_request.method, request.http_request.url, response.http_response.status_code))

    def methods_and_paths(self) -> list[tuple[str, str, int]]:
        return [(m, urlsplit(u).path, s) for m, u, s in self.calls]

    def api_versions(self) -> set[str]:
        """Every api-version the SDK sent, poll URLs included."""
        return {api_version_of(u) for _, u, _ in self.calls}
