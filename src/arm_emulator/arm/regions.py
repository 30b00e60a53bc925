"""Azure's public regions: their names, display names (as ARM's provider documents list them) and
pairs (MicrosoftDocs reliability/regions-paired, for providers that report failover)."""

from __future__ import annotations

DISPLAY_NAMES: dict[str, str] = {
    "australiacentral": "Australia Central",
    "australiacentral2": "Australia Central 2",
    "australiaeast": "Australia East",
    "australiasoutheast": "Australia Southeast",
    "brazilsouth": "Brazil South",
    "brazilsoutheast": "Brazil Southeast",
    "canadacentral": "Canada Central",
    "canadaeast": "Canada East",
    "centralindia": "Central India",
    "centralus": "Central US",
    "chilecentral": "Chile Central",
    "eastasia": "East Asia",
    "eastus": "East US",
    "eastus2": "East US 2",
    "francecentral": "France Central",
    "francesouth": "France South",
    "germanynorth": "Germany North",
    "germanywestcentral": "Germany West Central",
    "indonesiacentral": "Indonesia Central",
    "israelcentral": "Israel Central",
    "italynorth": "Italy North",
    "japaneast": "Japan East",
    "japanwest": "Japan West",
    "jioindiacentral": "Jio India Central",
    "jioindiawest": "Jio India West",
    "koreacentral": "Korea Central",
    "koreasouth": "Korea South",
    "malaysiawest": "Malaysia West",
    "mexicocentral": "Mexico Central",
    "newzealandnorth": "New Zealand North",
    "northcentralus": "North Central US",
    "northeurope": "North Europe",
    "norwayeast": "Norway East",
    "norwaywest": "Norway West",
    "polandcentral": "Poland Central",
    "qatarcentral": "Qatar Central",
    "southafricanorth": "South Africa North",
    "southafricawest": "South Africa West",
    "southcentralus": "South Central US",
    "southeastasia": "Southeast Asia",
    "southindia": "South India",
    "spaincentral": "Spain Central",
    "swedencentral": "Sweden Central",
    "swedensouth": "Sweden South",
    "switzerlandnorth": "Switzerland North",
    "switzerlandwest": "Switzerland West",
    "uaecentral": "UAE Central",
    "uaenorth": "UAE North",
    "uksouth": "UK South",
    "ukwest": "UK West",
    "westcentralus": "West Central US",
    "westeurope": "West Europe",
    "westindia": "West India",
    "westus": "West US",
    "westus2": "West US 2",
    "westus3": "West US 3",
}


def display_name(location: str) -> str:
    """`West US 2` for `westus2`; a name the table lacks is shown as it is."""
    return DISPLAY_NAMES.get(location, location)


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
