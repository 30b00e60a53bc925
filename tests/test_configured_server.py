"""Settings that change behaviour, each checked on a real server started with them."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SUBSCRIPTION, arm_path, unique
from emulator_process import EmulatorProcess

from arm_emulator.tls import ensure_certificates

OTHER_SUBSCRIPTION = "0f0e0d0c-0b0a-4909-8807-060504030201"
PUBLIC_URL = "https://arm.example.test:9443"


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(
        tmp_path_factory.mktemp("configured"),
        tls="false",
        subscriptions=SUBSCRIPTION,
        auto_create_resource_groups="true",
        public_url=PUBLIC_URL,
        page_size="1",
        auth_mode="off",
        generic_resources="false",
    ).start()
    yield process
    process.stop()


@pytest.fixture
def http(configured: EmulatorProcess) -> Iterator[httpx.Client]:
    with configured.client() as client:
        yield client


def test_plain_http_when_tls_is_off(configured: EmulatorProcess) -> None:
    assert configured.url.startswith("http://")


def test_no_token_is_needed_when_auth_is_off(configured: EmulatorProcess) -> None:
    response = httpx.get(f"{configured.url}/subscriptions/{SUBSCRIPTION}/resourceGroups?api-version=2021-04-01")
    assert response.status_code == 200


def test_only_configured_subscriptions_exist(http: httpx.Client) -> None:
    response = http.get(f"/subscriptions/{OTHER_SUBSCRIPTION}/resourceGroups?api-version=2021-04-01")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "SubscriptionNotFound",
        "message": f"The subscription '{OTHER_SUBSCRIPTION}' could not be found.",
    }
    assert http.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups?api-version=2021-04-01").status_code == 200


def test_resource_groups_are_created_implicitly_and_links_use_the_public_url(http: httpx.Client) -> None:
    group = unique("rg-")
    for name in ("acct1", "acct2"):
        created = http.put(
            f"{arm_path(group, 'accounts', name, namespace='Microsoft.DeviceUpdate')}?api-version=2023-07-01",
            json={"location": "westus2"},
        )
        assert created.status_code == 201, created.text
        assert created.headers["azure-asyncoperation"].startswith(f"{PUBLIC_URL}/providers/Microsoft.DeviceUpdate/")
    implicit = http.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}?api-version=2021-04-01")
    assert implicit.status_code == 200
    assert implicit.json()["location"] == "westus2"
    page = http.get(
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.DeviceUpdate/"
        "accounts?api-version=2023-07-01"
    ).json()
    assert len(page["value"]) == 1  # page_size=1
    assert page["nextLink"].startswith(f"{PUBLIC_URL}/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/")


def test_without_generic_resources_undeclared_types_are_refused(http: httpx.Client) -> None:
    group = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{unique('rg-')}"
    account = f"{group}/providers/Microsoft.Storage/storageAccounts/sa1?api-version=2023-05-01"
    refused = http.put(account, json={"location": "eastus"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "NoRegisteredProviderFound"
    assert "Microsoft.Storage/storageAccounts" in refused.json()["error"]["message"]
    assert http.get(account).json()["error"]["code"] == "NoRegisteredProviderFound"
    keys = http.post(account.replace("?", "/listKeys?"))
    assert (keys.status_code, keys.json()["error"]["code"]) == (400, "NoRegisteredProviderFound")
    assert "type 'Microsoft.Storage/storageAccounts'" in keys.json()["error"]["message"]
    provider = http.get(f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Storage?api-version=2021-04-01")
    assert (provider.status_code, provider.json()["error"]["code"]) == (404, "InvalidResourceNamespace")


def test_bring_your_own_certificate(tmp_path: Path) -> None:
    own = ensure_certificates(tmp_path / "mine", [])
    process = EmulatorProcess(
        tmp_path / "data", cert_file=str(own.cert_file), key_file=str(own.key_file)
    ).start_without_health_check()
    try:
        assert own.ca_file is not None
        context = ssl.create_default_context(cafile=str(own.ca_file))
        process.wait_healthy(verify=context)
        assert not (tmp_path / "data" / "tls").exists()  # no CA of its own was made
    finally:
        process.stop()
