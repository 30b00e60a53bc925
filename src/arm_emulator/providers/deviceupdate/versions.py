"""The api-versions of Microsoft.DeviceUpdate served here, oldest first: one line a version.

Each has a spec in specs/deviceupdate/ (the full 2023-07-01.json, the others deltas) and a
generated `models_<version>` module beside this file (`make generate`). Every type of the provider
(accounts, instances, private endpoint connections, private link resources, proxies) has them all.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ...arm.resource_type import model_module

PACKAGE = __package__ or "arm_emulator.providers.deviceupdate"

API_VERSIONS = (
    "2022-04-01-preview",
    "2022-10-01",
    "2022-12-01-preview",
    "2023-07-01",
)


def models_of(api_version: str) -> ModuleType:
    """The generated models of one version (for the bodies of actions, which no type declares)."""
    return importlib.import_module(model_module(PACKAGE, api_version))
