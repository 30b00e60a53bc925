"""The api-versions of Microsoft.HealthcareApis served here, oldest first: one line a version.

Each has a spec in specs/healthcareapis/ (the full 2022-06-01.json, the others deltas) and a
generated `models_<version>` module beside this file (`make generate`). A type is served at the
versions whose swagger has it.
"""

from __future__ import annotations

PACKAGE = __package__ or "arm_emulator.providers.healthcareapis"

# The versions that have workspaces and everything in them: DICOM and FHIR services, IoT connectors and
# their FHIR destinations, the workspaces' private endpoint connections and private link resources
# (workspaces arrived in 2021-06-01-preview, their private links in 2021-11-01).
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

# The legacy `services` (Azure API for FHIR) are in every version, and were the only type of the older
# stable ones; their private endpoint connections and private link resources arrived in 2020-03-30.
SERVICE_PRIVATE_LINK_API_VERSIONS = (
    "2020-03-30",
    "2021-01-11",
    *WORKSPACE_API_VERSIONS,
)
SERVICE_API_VERSIONS = (
    "2019-09-16",
    "2020-03-15",
    *SERVICE_PRIVATE_LINK_API_VERSIONS,
)
