"""The resource providers the emulator serves: one list, each a declaration on the generic engine."""

from __future__ import annotations

from ..arm.resource_type import Provider
from . import deviceupdate, healthcareapis
from .generic_types import GENERIC_TYPES

PROVIDERS: tuple[Provider, ...] = (healthcareapis.PROVIDER, deviceupdate.PROVIDER)

__all__ = ["GENERIC_TYPES", "PROVIDERS"]
