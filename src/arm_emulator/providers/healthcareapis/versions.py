"""The api-versions of Microsoft.HealthcareApis served here, oldest first: one line a version.

Each has a spec in specs/healthcareapis/ (the full 2022-06-01.json, the others deltas) and a
generated `models_<version>` module beside this file (`make generate`).
"""

from __future__ import annotations

PACKAGE = __package__ or "arm_emulator.providers.healthcareapis"

# The versions that have workspaces and DICOM services (both arrived in 2021-06-01-preview).
WORKSPACE_API_VERSIONS = (
    "2021-11-01",
    "2022-05-15",
    "2022-06-01",
    "2022-12-01",
    "2023-02-28",
    "2023-09-06",
    "2023-11-01",
    "2023-12-01",
    "2024-03-01",
    "2024-03-31",
    "2025-04-01-preview",
)
