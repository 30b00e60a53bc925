"""GET /providers/Microsoft.DeviceUpdate/operations: the real provider's list, kept in operations.json beside
this file (its `source` says where each field comes from)."""

from __future__ import annotations

import json
from pathlib import Path

from ...arm.resource_type import Body

OPERATIONS: tuple[Body, ...] = tuple(json.loads(Path(__file__).with_name("operations.json").read_text())["value"])
