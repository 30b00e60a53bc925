"""Subscriptions and resource groups: the scopes ARM checks before a request reaches a provider."""

from __future__ import annotations

import functools
import re
from typing import Any

from ..store.repository import ResourceRecord, StoreTransaction, SubscriptionRecord
from . import errors
from .conditions import new_etag
from .errors import (
    invalid_resource_group_name,
    invalid_subscription_id,
    resource_group_not_found,
    subscription_not_found,
)
from .resource_id import is_guid, is_valid_resource_group_name, key_of, resource_group_id
from .runtime import Runtime

RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups"
RESOURCE_GROUP_TYPE_KEY = RESOURCE_GROUP_TYPE.lower()


def require_subscription(runtime: Runtime, tx: StoreTransaction, subscription_id: str) -> SubscriptionRecord:
    """Known subscriptions pass; others are registered on first use unless a list restricts them."""
    if not is_guid(subscription_id):
        raise invalid_subscription_id(subscription_id)
    key = subscription_id.lower()
    record = tx.get_subscription(key)
    if record is not None:
        return record
    allowed = runtime.settings.subscriptions
    if allowed and key not in allowed:
        raise subscription_not_found(subscription_id)
    record = SubscriptionRecord(
        subscription_id=subscription_id,
        tenant_id=runtime.tenant_of(subscription_id),
        display_name=f"Emulated subscription {subscription_id[:8]}",
        state="Enabled",
    )
    tx.add_subscription(record, runtime.clock.now())
    return record


_LOCATION = re.compile(r"[a-z0-9]{1,64}")


def normalize_location(location: object) -> str:
    """ARM accepts `West US` for `westus`; anything but letters and digits (or not a string) is no
    Azure location (and would end up in polling URLs and headers)."""
    if isinstance(location, str) and len(location) <= _CACHED_LOCATION_LENGTH:
        return _normalized_location(location)
    return _normalized_location.__wrapped__(location)  # refused, or odd: not worth a cache entry


# A write asks several times, and clients use a handful of locations; longer text is never one.
_CACHED_LOCATION_LENGTH = 80


@functools.lru_cache(maxsize=256)
def _normalized_location(location: object) -> str:
    normalized = "".join(location.split()).lower() if isinstance(location, str) else ""
    if not _LOCATION.fullmatch(normalized):
        raise errors.ArmError(
            400,
            "LocationNotAvailableForResourceType",
            f"The provided location '{str(location)[:64]}' is not available: locations are names such as "
            "'eastus' or 'West Europe'.",
        )
    return normalized


def resource_group_record(
    subscription_id: str,
    name: str,
    location: str,
    now: float,
    *,
    tags: dict[str, str] | None = None,
    managed_by: str | None = None,
    existing: ResourceRecord | None = None,
) -> ResourceRecord:
    rg_id = resource_group_id(subscription_id, name)
    body: dict[str, Any] = {
        "id": rg_id,
        "name": name,
        "type": RESOURCE_GROUP_TYPE,
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    if tags is not None:
        body["tags"] = tags
    if managed_by is not None:
        body["managedBy"] = managed_by
    key = key_of(rg_id)
    return ResourceRecord(
        key=key,
        id=rg_id,
        subscription_key=subscription_id.lower(),
        resource_group_key=key,
        parent_key=None,
        type_key=RESOURCE_GROUP_TYPE_KEY,
        body=body,
        etag=new_etag(now),
        provisioning_state="Succeeded",
        created_at=existing.created_at if existing else now,
        updated_at=now,
    )


def require_resource_group(
    runtime: Runtime,
    tx: StoreTransaction,
    subscription_id: str,
    name: str,
    *,
    location_if_created: str | None = None,
) -> ResourceRecord:
    """The group must exist, as in ARM, unless implicit creation is switched on (for writes)."""
    if not is_valid_resource_group_name(name):
        raise invalid_resource_group_name(name)
    require_subscription(runtime, tx, subscription_id)
    record = tx.get_resource(key_of(resource_group_id(subscription_id, name)))
    if record is not None and record.provisioning_state != "Deleting":
        return record
    if record is None and location_if_created and runtime.settings.auto_create_resource_groups:
        record = resource_group_record(subscription_id, name, location_if_created, runtime.clock.now())
        tx.put_resource(record)
        return record
    raise resource_group_not_found(name)


def check_resource_group(
    runtime: Runtime,
    tx: StoreTransaction,
    subscription_id: str,
    name: str,
    *,
    location_if_created: str | None = None,
) -> None:
    """`require_resource_group` for a caller that needs only the check (a write's scope): the group's
    state is read, not its body."""
    if is_valid_resource_group_name(name):
        require_subscription(runtime, tx, subscription_id)
        state = tx.resource_state(key_of(resource_group_id(subscription_id, name)))
        if state is not None and state != "Deleting":
            return
    require_resource_group(runtime, tx, subscription_id, name, location_if_created=location_if_created)
