"""POST /subscriptions/{s}/providers/Microsoft.HealthcareApis/checkNameAvailability: whether a service name
is free. Service names are DNS names (`https://{name}.azurehealthcareapis.com`), so a name any subscription
uses is taken."""

from __future__ import annotations

import importlib
from typing import Any

from ...arm.bodies import validate
from ...arm.resource_type import ActionContext, ActionResult, Body, model_module
from .versions import PACKAGE
from .workspaces import HEALTHCARE_NAME

# The reference's example (`CheckNameAvailabilityPost.json`, every version).
ALREADY_EXISTS = "Service name is not available."


def _request(api_version: str, body: Body | None) -> dict[str, Any]:
    models = importlib.import_module(model_module(PACKAGE, api_version))
    return validate(models.CheckNameAvailabilityParameters, body or {})


def check_name_availability(ctx: ActionContext, body: Body | None) -> ActionResult:
    request = _request(ctx.api_version, body)
    name, type_name = str(request["name"]), str(request["type"])
    if not HEALTHCARE_NAME.matches(name):
        # The reason is the swagger's; the message (not in any example) names the rule.
        return ActionResult(
            200,
            {
                "nameAvailable": False,
                "reason": "Invalid",
                "message": f"Service name '{name}' is invalid. " + HEALTHCARE_NAME.explanation,
            },
        )
    if ctx.name_taken(type_name, name):
        return ActionResult(200, {"nameAvailable": False, "reason": "AlreadyExists", "message": ALREADY_EXISTS})
    return ActionResult(200, {"nameAvailable": True})
