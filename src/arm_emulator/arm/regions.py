"""Azure region pairs (MicrosoftDocs reliability/regions-paired), for providers that report failover."""

from __future__ import annotations

_PAIRS = [
    ("eastus", "westus"),
    ("eastus2", "centralus"),
    ("northcentralus", "southcentralus"),
    ("westus2", "westcentralus"),
    ("northeurope", "westeurope"),
    ("uksouth", "ukwest"),
    ("francecentral", "francesouth"),
    ("germanywestcentral", "germanynorth"),
    ("swedencentral", "swedensouth"),
    ("switzerlandnorth", "switzerlandwest"),
    ("norwayeast", "norwaywest"),
    ("canadacentral", "canadaeast"),
    ("japaneast", "japanwest"),
    ("koreacentral", "koreasouth"),
    ("eastasia", "southeastasia"),
    ("australiaeast", "australiasoutheast"),
    ("australiacentral", "australiacentral2"),
    ("centralindia", "southindia"),
    ("southafricanorth", "southafricawest"),
    ("uaenorth", "uaecentral"),
]
# One-way pairs: the second region's pair is someone else.
_ONE_WAY = {
    "westus3": "eastus",
    "brazilsouth": "southcentralus",
    "brazilsoutheast": "brazilsouth",
    "westindia": "southindia",
}

PAIRED_REGION: dict[str, str] = {**{a: b for a, b in _PAIRS}, **{b: a for a, b in _PAIRS}, **_ONE_WAY}


def paired_region(location: str) -> str | None:
    """The region paired with `location` (normalized, e.g. `westus2`), or None for unpaired regions."""
    return PAIRED_REGION.get(location)
