"""ArmEmulator (in-process server) and the pytest plugin, the latter run in a fresh project as users would."""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from azure.mgmt.resource.resources import ResourceManagementClient
from conftest import REPO_ROOT
from pydantic import ValidationError

from arm_emulator.testing import ArmEmulator

GROUPS_API = "api-version=2021-04-01"


def _emulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("arm-emulator ")]


def _create_group(arm: ArmEmulator, name: str) -> None:
    with arm.http() as http:
        response = http.put(
            f"/subscriptions/{arm.subscription_id}/resourceGroups/{name}?{GROUPS_API}",
            json={"location": "eastus"},
            headers={"Authorization": "Bearer any-token"},  # lenient mode
        )
    assert response.status_code == 201, response.text


def _groups(arm: ArmEmulator) -> list[str]:
    with arm.http() as http:
        return [g["id"].rsplit("/", 1)[1] for g in http.get("/_emulator/state").json()["resourceGroups"]]


@pytest.fixture(scope="module")
def shared() -> Iterator[ArmEmulator]:
    with ArmEmulator() as arm:
        yield arm


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where ArmEmulator's own temporary data dirs go, so a test can see them made and removed."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_start_and_stop_without_a_with_block(temp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARM_EMULATOR_LRO_MODE", "polls")  # ignored: settings come from the arguments only
    arm = ArmEmulator(page_size=7).start()
    try:
        assert arm.settings is not None
        data_dir = arm.settings.data_dir
        assert data_dir.parent == temp_root
        assert (arm.settings.lro_mode, arm.settings.page_size, arm.settings.retry_after_seconds) == ("time", 7, 0)
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+", arm.url)
        assert arm.ca_file == data_dir / "tls" / "ca.pem"
        identity = json.loads((data_dir / "identity.json").read_text())
        assert arm.tenant_id == identity["tenantId"]
        assert arm.subscription_id == identity["subscriptionId"]
        assert (arm.client_id, arm.client_secret) == (identity["app"]["client_id"], identity["app"]["client_secret"])
        assert arm.client_kwargs() == {
            "base_url": arm.url,
            "credential_scopes": [f"{arm.url}/.default"],
            "connection_verify": str(arm.ca_file),
            "polling_interval": 0,
            "retry_total": 0,
        }
        with arm.http() as http:
            assert http.get("/_emulator/ready").json() == {"status": "ready"}
        assert [t.name for t in _emulator_threads()].count(f"arm-emulator {arm.url}") == 1
    finally:
        arm.stop()
    assert not data_dir.exists()
    assert f"arm-emulator {arm.url}" not in [t.name for t in _emulator_threads()]
    arm.stop()  # a second stop does nothing
    with pytest.raises(RuntimeError, match="not running"):
        arm.client_kwargs()


def test_two_emulators_in_one_process_are_independent() -> None:
    with ArmEmulator() as one, ArmEmulator() as two:
        assert one.url != two.url
        assert one.ca_file and two.ca_file and one.ca_file.read_bytes() != two.ca_file.read_bytes()
        assert one.subscription_id != two.subscription_id
        _create_group(one, "only-in-one")
        assert _groups(one) == ["only-in-one"]
        assert _groups(two) == []
        # Each has its own CA: trusting one does not trust the other.
        with (
            httpx.Client(verify=ssl.create_default_context(cafile=str(one.ca_file))) as client,
            pytest.raises(httpx.ConnectError),
        ):
            client.get(f"{two.url}/_emulator/health")


def test_reset_forgets_groups_and_fault_rules(shared: ArmEmulator) -> None:
    _create_group(shared, "to-forget")
    with shared.http() as http:
        rule = {"match": {"method": "DELETE"}, "action": {"type": "error", "status": 409, "code": "Locked"}}
        assert http.post("/_emulator/faults", json=rule).status_code == 201
    shared.reset()
    assert _groups(shared) == []
    with shared.http() as http:
        assert http.get("/_emulator/faults").json() == {"value": []}


def test_a_data_dir_of_your_own_is_kept_and_reused(tmp_path: Path) -> None:
    with ArmEmulator(data_dir=tmp_path / "arm") as first:
        _create_group(first, "kept")
        subscription = first.subscription_id
    assert (tmp_path / "arm" / "emulator.db").exists()
    with ArmEmulator(data_dir=str(tmp_path / "arm")) as second:
        assert second.subscription_id == subscription
        assert _groups(second) == ["kept"]


@pytest.mark.clients
def test_credential_and_client_kwargs_drive_an_sdk_client_in_strict_mode() -> None:
    with (
        ArmEmulator(auth_mode="strict") as arm,
        arm.credential() as credential,
        ResourceManagementClient(credential, arm.subscription_id, **arm.client_kwargs()) as client,
    ):
        client.resource_groups.create_or_update("sdk-rg", {"location": "eastus"})
        assert [g.name for g in client.resource_groups.list()] == ["sdk-rg"]
        client.resource_groups.begin_delete("sdk-rg").result()  # a long-running operation
        assert list(client.resource_groups.list()) == []
        with arm.http() as http:
            calls = http.get("/_emulator/requests", params={"pathPrefix": f"/subscriptions/{arm.subscription_id}"})
        # The SDK got tokens from the emulator (strict mode refuses others) and was told no Retry-After.
        entries = calls.json()["value"]
        assert entries and all(e["status"] < 400 for e in entries)
        assert any(e["location"] or e["azureAsyncOperation"] for e in entries)
        assert all(e.get("retryAfter") is None for e in entries)


def test_credential_names_the_package_it_needs(shared: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # as if not installed
    with pytest.raises(ImportError, match="pip install azure-identity"):
        shared.credential()


def test_a_failing_start_raises_and_leaves_nothing_behind(temp_root: Path, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"  # valid JSON, refused when the app imports it during start-up
    seed.write_text(json.dumps({"resourceGroups": [{"id": "/not/a/group", "location": "eastus"}]}))
    before = _emulator_threads()  # the module's shared emulator may be running
    with pytest.raises(RuntimeError, match="stopped while starting"):
        ArmEmulator(seed=seed).start()
    with pytest.raises(ValidationError, match="no_such_setting"):
        ArmEmulator(no_such_setting=1).start()
    assert _emulator_threads() == before
    assert list(temp_root.iterdir()) == []


def test_a_busy_port_is_refused_at_once(temp_root: Path) -> None:
    before = _emulator_threads()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError):
            ArmEmulator(port=busy.getsockname()[1]).start()
    assert _emulator_threads() == before
    assert list(temp_root.iterdir()) == []


# -- the pytest plugin, in a project of its own --------------------------------------------------


def _run_pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m pytest` in `project`, as a user would: the plugin comes from the installed entry point."""
    skip = ("ARM_EMULATOR_", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    return subprocess.run(
        # Stricter than a fresh project: a leaked socket or client fails the run.
        [sys.executable, "-m", "pytest", "-v", "-W", "error::ResourceWarning", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


PLUGIN_PROJECT_TEST = """
SEEN = []


def test_first_creates_a_group(arm_emulator):
    with arm_emulator.http() as http:
        response = http.put(
            f"/subscriptions/{arm_emulator.subscription_id}/resourceGroups/leak?api-version=2021-04-01",
            json={"location": "eastus"},
            headers={"Authorization": "Bearer any-token"},
        )
    assert response.status_code == 201
    SEEN.append(arm_emulator.url)


def test_second_sees_an_empty_emulator_from_the_same_session(arm_emulator):
    with arm_emulator.http() as http:
        assert http.get("/_emulator/state").json()["resourceGroups"] == []
    assert SEEN == [arm_emulator.url]


def test_settings_and_convenience_fixtures(arm_emulator_session, arm_credential, arm_client_kwargs):
    settings = arm_emulator_session.settings
    assert settings.lro_mode == "polls"  # the command line wins over the ini
    assert settings.page_size == 7  # from the ini
    assert arm_client_kwargs["base_url"] == arm_emulator_session.url
    assert arm_credential.get_token(f"{arm_emulator_session.url}/.default").token
"""


def test_the_plugin_loads_from_its_entry_point_and_resets_between_tests(tmp_path: Path) -> None:
    (tmp_path / "test_with_plugin.py").write_text(PLUGIN_PROJECT_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\narm_emulator_settings =\n    lro_mode=time\n    page_size=7\n")
    result = _run_pytest(tmp_path, "--arm-emulator-setting", "lro-mode=polls")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_a_malformed_setting_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text("def test_one(arm_emulator):\n    pass\n")
    result = _run_pytest(tmp_path, "--arm-emulator-setting", "lro_mode")
    assert result.returncode != 0
    assert "take KEY=VALUE" in result.stdout + result.stderr


def _example(marker: str) -> str:
    match = re.search(
        rf"<!-- example:{marker}\b.*?-->\n```python\n(.*?)```", (REPO_ROOT / "README.md").read_text(), re.S
    )
    assert match, f"README.md has no example {marker!r}"
    return match.group(1)


@pytest.mark.clients
def test_the_readme_pytest_example_runs_unchanged_in_a_fresh_project(tmp_path: Path) -> None:
    (tmp_path / "test_dicom.py").write_text(_example("pytest-plugin"))
    result = _run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.clients
def test_the_readme_context_manager_example_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARM_EMULATOR_")}
    result = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", "-c", textwrap.dedent(_example("testing-context-manager"))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['demo-rg']", "[]"]
