"""The api-versions of Microsoft.DeviceUpdate served here, oldest first: one line a version.

Each has a spec in specs/deviceupdate/ (the full 2023-07-01.json, the others deltas) and a
generated `models_<version>` module beside this file (`make generate`).
"""

from __future__ import annotations

PACKAGE = __package__ or "arm_emulator.providers.deviceupdate"

ACCOUNT_API_VERSIONS = (
    "2022-04-01-preview",
    "2022-10-01",
    "2022-12-01-preview",
    "2023-07-01",
)
