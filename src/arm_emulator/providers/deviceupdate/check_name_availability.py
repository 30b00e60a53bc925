"""POST /subscriptions/{s}/providers/Microsoft.DeviceUpdate/checknameavailability: whether an account name
is free. Account names are DNS names (`<name>.api.adu.microsoft.com`): taken in any subscription, in any
casing, is taken."""

from __future__ import annotations

from ...arm import errors
from ...arm.bodies import validate
from ...arm.resource_type import Action, ActionContext, ActionResult, Body
from .accounts import ACCOUNT_NAME
from .versions import models_of

ACCOUNTS_TYPE = "Microsoft.DeviceUpdate/accounts"
# The reference's example (CheckNameAvailability_AlreadyExists.json, 2023-07-01).
ALREADY_EXISTS = "Resource name already exists"


def _check_name_availability(ctx: ActionContext, body: Body | None) -> ActionResult:
    if body is None:
        raise errors.invalid_request_content("The request body is required")
    request = validate(models_of(ctx.api_version).CheckNameAvailabilityRequest, body)
    kind = request.get("type") or ACCOUNTS_TYPE
    if kind.lower() != ACCOUNTS_TYPE.lower():
        raise errors.invalid_request_content(f"type: only '{ACCOUNTS_TYPE}' names are checked, not '{kind}'")
    name = request.get("name")
    if not name:
        raise errors.invalid_request_content("name: Field required")
    if not ACCOUNT_NAME.matches(name):
        return ActionResult(200, {"nameAvailable": False, "reason": "Invalid", "message": ACCOUNT_NAME.explanation})
    if ctx.name_taken(ACCOUNTS_TYPE, name):
        return ActionResult(200, {"nameAvailable": False, "reason": "AlreadyExists", "message": ALREADY_EXISTS})
    return ActionResult(200, {"nameAvailable": True})


CHECK_NAME_AVAILABILITY = Action("checknameavailability", _check_name_availability)
