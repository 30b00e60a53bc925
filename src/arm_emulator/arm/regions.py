"""Azure's public regions, in one table: what `GET /subscriptions/{s}/locations` lists, the display
names ARM's provider documents use, and the pairs (for providers that report failover).

Sources: names, display names, regional display names, geography groups, physical locations,
latitudes/longitudes and categories as ARM answers them, from a recorded `az account list-locations`
(2021-05-23) kept in a public repository; pairs from MicrosoftDocs reliability/regions-paired (ARM
lists the same pairs in `metadata.pairedRegion`); `geography`, which ARM added to the metadata later,
and the regions opened since 2021 (their physical location and geography) from public region tables.
No public recording we could read gives the coordinates of the regions opened since 2021: those are
left out (`latitude`/`longitude` null), rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    name: str
    display_name: str
    geography: str
    geography_group: str
    physical_location: str
    latitude: str | None
    longitude: str | None
    # ARM's regionCategory: the "Recommended" regions come first in its list, then the "Other" ones.
    category: str = "Other"

    @property
    def regional_display_name(self) -> str:
        return f"({self.geography_group}) {self.display_name}"


def _r(
    name: str,
    display: str,
    geography: str,
    group: str,
    physical: str,
    latitude: str | None,
    longitude: str | None,
    category: str = "Other",
) -> Region:
    return Region(name, display, geography, group, physical, latitude, longitude, category)


_US, _EU, _AP = "US", "Europe", "Asia Pacific"
_RECOMMENDED = "Recommended"

# In ARM's order: the recommended regions, then the others.
REGIONS: tuple[Region, ...] = (
    _r("eastus", "East US", "United States", _US, "Virginia", "37.3719", "-79.8164", _RECOMMENDED),
    _r("eastus2", "East US 2", "United States", _US, "Virginia", "36.6681", "-78.3889", _RECOMMENDED),
    _r("southcentralus", "South Central US", "United States", _US, "Texas", "29.4167", "-98.5", _RECOMMENDED),
    _r("westus2", "West US 2", "United States", _US, "Washington", "47.233", "-119.852", _RECOMMENDED),
    _r("westus3", "West US 3", "United States", _US, "Phoenix", "33.448376", "-112.074036", _RECOMMENDED),
    _r("australiaeast", "Australia East", "Australia", _AP, "New South Wales", "-33.86", "151.2094", _RECOMMENDED),
    _r("southeastasia", "Southeast Asia", "Asia Pacific", _AP, "Singapore", "1.283", "103.833", _RECOMMENDED),
    _r("northeurope", "North Europe", "Europe", _EU, "Ireland", "53.3478", "-6.2597", _RECOMMENDED),
    _r("swedencentral", "Sweden Central", "Sweden", _EU, "Gävle", None, None, _RECOMMENDED),
    _r("uksouth", "UK South", "United Kingdom", _EU, "London", "50.941", "-0.799", _RECOMMENDED),
    _r("westeurope", "West Europe", "Europe", _EU, "Netherlands", "52.3667", "4.9", _RECOMMENDED),
    _r("centralus", "Central US", "United States", _US, "Iowa", "41.5908", "-93.6208", _RECOMMENDED),
    _r(
        "southafricanorth",
        "South Africa North",
        "South Africa",
        "Africa",
        "Johannesburg",
        "-25.731340",
        "28.218370",
        _RECOMMENDED,
    ),
    _r("centralindia", "Central India", "India", _AP, "Pune", "18.5822", "73.9197", _RECOMMENDED),
    _r("eastasia", "East Asia", "Asia Pacific", _AP, "Hong Kong", "22.267", "114.188", _RECOMMENDED),
    _r("japaneast", "Japan East", "Japan", _AP, "Tokyo, Saitama", "35.68", "139.77", _RECOMMENDED),
    _r("koreacentral", "Korea Central", "Korea", _AP, "Seoul", "37.5665", "126.9780", _RECOMMENDED),
    _r("canadacentral", "Canada Central", "Canada", "Canada", "Toronto", "43.653", "-79.383", _RECOMMENDED),
    _r("francecentral", "France Central", "France", _EU, "Paris", "46.3772", "2.3730", _RECOMMENDED),
    _r(
        "germanywestcentral",
        "Germany West Central",
        "Germany",
        _EU,
        "Frankfurt",
        "50.110924",
        "8.682127",
        _RECOMMENDED,
    ),
    _r("italynorth", "Italy North", "Italy", _EU, "Milan", None, None, _RECOMMENDED),
    _r("norwayeast", "Norway East", "Norway", _EU, "Norway", "59.913868", "10.752245", _RECOMMENDED),
    _r("polandcentral", "Poland Central", "Poland", _EU, "Warsaw", None, None, _RECOMMENDED),
    _r("spaincentral", "Spain Central", "Spain", _EU, "Madrid", None, None, _RECOMMENDED),
    _r("switzerlandnorth", "Switzerland North", "Switzerland", _EU, "Zurich", "47.451542", "8.564572", _RECOMMENDED),
    _r("mexicocentral", "Mexico Central", "Mexico", "Mexico", "Querétaro State", None, None, _RECOMMENDED),
    _r("uaenorth", "UAE North", "UAE", "Middle East", "Dubai", "25.266666", "55.316666", _RECOMMENDED),
    _r("brazilsouth", "Brazil South", "Brazil", "South America", "Sao Paulo State", "-23.55", "-46.633", _RECOMMENDED),
    _r("israelcentral", "Israel Central", "Israel", "Middle East", "Israel", None, None, _RECOMMENDED),
    _r("qatarcentral", "Qatar Central", "Qatar", "Middle East", "Doha", None, None, _RECOMMENDED),
    _r("northcentralus", "North Central US", "United States", _US, "Illinois", "41.8819", "-87.6278"),
    _r("westus", "West US", "United States", _US, "California", "37.783", "-122.417"),
    _r("westcentralus", "West Central US", "United States", _US, "Wyoming", "40.890", "-110.234"),
    _r("jioindiawest", "Jio India West", "India", _AP, "Jamnagar", "22.470701", "70.05773"),
    _r("jioindiacentral", "Jio India Central", "India", _AP, "Nagpur", None, None),
    _r("southafricawest", "South Africa West", "South Africa", "Africa", "Cape Town", "-34.075691", "18.843266"),
    _r("australiacentral", "Australia Central", "Australia", _AP, "Canberra", "-35.3075", "149.1244"),
    _r("australiacentral2", "Australia Central 2", "Australia", _AP, "Canberra", "-35.3075", "149.1244"),
    _r("australiasoutheast", "Australia Southeast", "Australia", _AP, "Victoria", "-37.8136", "144.9631"),
    _r("japanwest", "Japan West", "Japan", _AP, "Osaka", "34.6939", "135.5022"),
    _r("koreasouth", "Korea South", "Korea", _AP, "Busan", "35.1796", "129.0756"),
    _r("southindia", "South India", "India", _AP, "Chennai", "12.9822", "80.1636"),
    _r("westindia", "West India", "India", _AP, "Mumbai", "19.088", "72.868"),
    _r("canadaeast", "Canada East", "Canada", "Canada", "Quebec", "46.817", "-71.217"),
    _r("francesouth", "France South", "France", _EU, "Marseille", "43.8345", "2.1972"),
    _r("germanynorth", "Germany North", "Germany", _EU, "Berlin", "53.073635", "8.806422"),
    _r("norwaywest", "Norway West", "Norway", _EU, "Norway", "58.969975", "5.733107"),
    _r("switzerlandwest", "Switzerland West", "Switzerland", _EU, "Geneva", "46.204391", "6.143158"),
    _r("ukwest", "UK West", "United Kingdom", _EU, "Cardiff", "53.427", "-3.084"),
    _r("uaecentral", "UAE Central", "UAE", "Middle East", "Abu Dhabi", "24.466667", "54.366669"),
    _r("brazilsoutheast", "Brazil Southeast", "Brazil", "South America", "Rio", "-22.90278", "-43.2075"),
    _r("swedensouth", "Sweden South", "Sweden", _EU, "Malmo", None, None),
    _r("newzealandnorth", "New Zealand North", "New Zealand", _AP, "Auckland", None, None),
    _r("chilecentral", "Chile Central", "Chile", "South America", "Santiago", None, None),
    _r("indonesiacentral", "Indonesia Central", "Indonesia", _AP, "Jakarta", None, None),
    _r("malaysiawest", "Malaysia West", "Malaysia", _AP, "Kuala Lumpur", None, None),
)

REGION_BY_NAME: dict[str, Region] = {region.name: region for region in REGIONS}
DISPLAY_NAMES: dict[str, str] = {region.name: region.display_name for region in REGIONS}


def display_name(location: str) -> str:
    """`West US 2` for `westus2`; a name the table lacks is shown as it is."""
    region = REGION_BY_NAME.get(location)
    return region.display_name if region is not None else location


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
    ("jioindiawest", "jioindiacentral"),
]
# One-way pairs: the second region's pair is someone else.
_ONE_WAY = {
    "westus3": "eastus",
    "brazilsouth": "southcentralus",
    "brazilsoutheast": "brazilsouth",
    "westindia": "southindia",
}

PAIRED_REGION: dict[str, str] = {**{a: b for a, b in _PAIRS}, **{b: a for a, b in _PAIRS}, **_ONE_WAY}
assert set(PAIRED_REGION) | set(PAIRED_REGION.values()) <= set(REGION_BY_NAME), "a pair outside the table"


def paired_region(location: str) -> str | None:
    """The region paired with `location` (normalized, e.g. `westus2`), or None for unpaired regions."""
    return PAIRED_REGION.get(location)
