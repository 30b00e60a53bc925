"""pytest fixtures on ArmEmulator (loaded through the `pytest11` entry point): one server per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from azure.identity import ClientSecretCredential

    from .testing import ArmEmulator

_OPTION = "--arm-emulator-setting"
_INI = "arm_emulator_settings"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("arm-emulator", "ARM emulator (arm_emulator.pytest_plugin)")
    group.addoption(
        _OPTION,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="arm_emulator_settings",
        help="a setting of the session's emulator, e.g. lro_mode=polls (repeatable; overrides the ini)",
    )
    parser.addini(_INI, "settings of the session's emulator, one KEY=VALUE a line", type="linelist", default=[])


def _settings(config: pytest.Config) -> dict[str, str]:
    settings: dict[str, str] = {}
    for item in [*config.getini(_INI), *config.getoption("arm_emulator_settings")]:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise pytest.UsageError(f"{_OPTION} / {_INI} take KEY=VALUE, not {item!r}")
        # Flag spelling (lro-mode) and field spelling (lro_mode) both work.
        settings[key.strip().replace("-", "_").lower()] = value.strip()
    return settings


@pytest.fixture(scope="session")
def arm_emulator_session(pytestconfig: pytest.Config) -> Iterator[ArmEmulator]:
    """One emulator for the whole session; state carries over between tests (see `arm_emulator`)."""
    from .testing import ArmEmulator  # uvicorn and the app load only in sessions that use it

    with ArmEmulator(**_settings(pytestconfig)) as emulator:
        yield emulator


@pytest.fixture
def arm_emulator(arm_emulator_session: ArmEmulator) -> ArmEmulator:
    """The session's emulator, reset before the test: no resources, journal, faults or clock offset."""
    arm_emulator_session.reset()
    return arm_emulator_session


@pytest.fixture
def arm_credential(arm_emulator: ArmEmulator) -> Iterator[ClientSecretCredential]:
    """An azure-identity credential for the emulator's default service principal."""
    with arm_emulator.credential() as credential:
        yield credential


@pytest.fixture
def arm_client_kwargs(arm_emulator: ArmEmulator) -> dict[str, Any]:
    """`SomeManagementClient(arm_credential, arm_emulator.subscription_id, **arm_client_kwargs)`."""
    return arm_emulator.client_kwargs()
