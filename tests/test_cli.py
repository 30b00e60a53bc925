"""The command line: settings from flags and ARM_EMULATOR_* variables, and `arm-emulator health`."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from emulator_process import EmulatorProcess

from arm_emulator.cli import _parser, _settings, main, setting_flag
from arm_emulator.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_reads_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARM_EMULATOR_PORT", "9555")
    monkeypatch.setenv(
        "ARM_EMULATOR_SUBSCRIPTIONS",
        "6A3C2F1E-0B7D-4C55-9E2A-3F1D2C4B5A60, 0f0e0d0c-0b0a-4909-8807-060504030201",
    )
    monkeypatch.setenv("ARM_EMULATOR_TLS_HOSTNAMES", "arm-emulator")
    monkeypatch.setenv("ARM_EMULATOR_LRO_STEP_SECONDS", "2.5")
    settings = Settings()
    assert settings.port == 9555
    assert settings.subscriptions == [
        "6a3c2f1e-0b7d-4c55-9e2a-3f1d2c4b5a60",
        "0f0e0d0c-0b0a-4909-8807-060504030201",
    ]
    assert settings.tls_hostnames == ["arm-emulator"]
    assert settings.lro_step_seconds == 2.5
    assert settings.resolved_database_url == "sqlite:///.arm-emulator/emulator.db"


def test_flags_of_every_kind_reach_the_settings(tmp_path: Path) -> None:
    flags = "--no-tls --port 0 --lro-step-seconds 2.5 --lro-mode polls --auto-create-resource-groups"
    flags += " --tls-hostname a --tls-hostname b --subscription 6A3C2F1E-0B7D-4C55-9E2A-3F1D2C4B5A60 --control-token t"
    args = _parser().parse_args(["serve", *flags.split(), "--data-dir", str(tmp_path)])
    settings = _settings(args, list(Settings.model_fields))
    assert (settings.tls, settings.port, settings.data_dir) == (False, 0, tmp_path)
    assert (settings.lro_step_seconds, settings.lro_mode, settings.auto_create_resource_groups) == (2.5, "polls", True)
    assert settings.tls_hostnames == ["a", "b"]
    assert settings.subscriptions == ["6a3c2f1e-0b7d-4c55-9e2a-3f1d2c4b5a60"]
    assert settings.control_token == "t"
    # Flags not given leave the defaults (and ARM_EMULATOR_* variables) alone.
    assert _settings(_parser().parse_args(["serve"]), list(Settings.model_fields)) == Settings()


def test_the_readme_configuration_table_names_every_flag_and_variable() -> None:
    table = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for name, field in Settings.model_fields.items():
        assert f"`{setting_flag(name, field)}`" in table, name
        assert f"`ARM_EMULATOR_{name.upper()}" in table, name


def test_a_bad_setting_is_refused_naming_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARM_EMULATOR_SUBSCRIPTIONS", "not-a-guid")
    assert main(["serve"]) == 2
    assert "subscriptions" in capsys.readouterr().err


def test_health_command_against_a_running_and_a_stopped_server(emulator: EmulatorProcess, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "arm_emulator", "health", "--data-dir", str(emulator.data_dir)]
    up = subprocess.run([*command, "--url", emulator.url], capture_output=True, text=True, timeout=30)
    assert up.returncode == 0, up.stderr
    assert '"status":"ready"' in up.stdout
    down = subprocess.run([*command, "--url", "https://127.0.0.1:1"], capture_output=True, text=True, timeout=30)
    assert down.returncode == 1
    assert "unhealthy" in down.stderr


def test_the_banner_tells_how_to_trust_the_ca_and_log_in(emulator: EmulatorProcess) -> None:
    identity = emulator.identity
    banner = "\n".join(emulator.banner)
    ca = emulator.ca_file.resolve()
    for variable in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"):
        assert f"export {variable}={ca}" in banner
    assert f"AZURE_TENANT_ID={identity['tenantId']}" in banner
    assert f"AZURE_CLIENT_ID={identity['app']['client_id']}" in banner
    assert f"AZURE_CLIENT_SECRET={identity['app']['client_secret']}" in banner
    assert f"ARM_SUBSCRIPTION_ID={identity['subscriptionId']}" in banner
    assert f"{emulator.url}/metadata/endpoints?api-version=2022-09-01" in banner
    assert f"dashboard: {emulator.url}/_emulator/ui" in banner


def test_a_restart_leaves_out_what_only_a_first_start_a_token_or_another_command_needs(tmp_path: Path) -> None:
    # Start-up time and idle memory: cryptography and PyJWT wait for a new certificate or the first
    # token, httpx is for `arm-emulator health`, yaml for seed files.
    script = (
        "import sys; from pathlib import Path; from arm_emulator.server import prepare; "
        "from arm_emulator.settings import Settings; "
        f"prepare(Settings(data_dir=Path({str(tmp_path)!r}), port=0)).close_sockets(); "
        "print(*sorted({m.split('.')[0] for m in sys.modules} & {'cryptography', 'jwt', 'httpx', 'yaml'}))"
    )
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert "cryptography" in first.stdout.split()
    restart = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert restart.stdout.split() == []


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_make_run_stops_on_ctrl_c_or_sigterm_without_a_make_error(tmp_path: Path, stop: signal.Signals) -> None:
    """`make run` as the README starts it; Ctrl-C (SIGINT to the terminal's process group) or SIGTERM to
    the group stops the server gracefully: no traceback, no `make: *** ... Interrupt`."""
    env = {**os.environ, "ARM_EMULATOR_PORT": "0", "ARM_EMULATOR_DATA_DIR": str(tmp_path / "data")}
    env.pop("MAKEFLAGS", None)
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=README.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert make.stdout is not None
    try:
        output = []
        for line in make.stdout:  # until the banner's last line
            output.append(line)
            if line.startswith("  health:"):
                break
        health_url = output[-1].split()[-1]
        trust = ssl.create_default_context(cafile=str(tmp_path / "data" / "tls" / "ca.pem"))
        with httpx.Client(verify=trust) as client:
            for _ in range(100):  # the banner comes just before the server starts listening
                try:
                    assert client.get(health_url).status_code == 200
                    break
                except httpx.ConnectError:
                    time.sleep(0.05)
        os.killpg(make.pid, stop)
        rest, _ = make.communicate(timeout=30)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.communicate()
    text = "".join(output) + rest
    assert "Application shutdown complete" in text
    assert "make: ***" not in text and "Traceback" not in text, text[-2000:]
