"""Reset, export and import of the emulator's state, and the seed file read at start-up."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from ..arm import errors, generic_writes, locks
from ..arm.faults import FaultRuleSpec
from ..arm.operations import catch_up
from ..arm.resource_id import (
    is_valid_resource_group_name,
    key_of,
    parse_resource_id,
    parse_scoped_path,
    resource_group_id,
)
from ..arm.runtime import Runtime
from ..arm.scopes import RESOURCE_GROUP_TYPE_KEY, normalize_location, require_subscription, resource_group_record
from ..arm.subscriptions import register_known_subscriptions
from ..arm.writes import ResourceWriter
from ..store.repository import StoreTransaction, SubscriptionRecord

SEEDER = ("arm-emulator-seed", "Application")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class SubscriptionEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    subscription_id: str = Field(alias="subscriptionId")
    display_name: str | None = Field(None, alias="displayName")
    tenant_id: str | None = Field(None, alias="tenantId")


class ResourceGroupEntry(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    id: str
    location: str
    tags: dict[str, str] | None = None
    managed_by: str | None = Field(None, alias="managedBy")


class ResourceEntry(_Open):
    """A resource id, an optional api-version, and the fields of its PUT body (read-only ones ignored)."""

    id: str
    api_version: str | None = Field(None, alias="apiVersion")


class StateDocument(BaseModel):
    """What `GET /_emulator/state` returns and `POST /_emulator/state` and `--seed` take."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    subscriptions: list[str | SubscriptionEntry] = []
    resource_groups: list[ResourceGroupEntry] = Field([], alias="resourceGroups")
    resources: list[ResourceEntry] = []
    faults: list[FaultRuleSpec] = []


def reset(runtime: Runtime, *, subscription: str | None = None, provider: str | None = None) -> None:
    """Everything (state, journal, fault rules, timing overrides, clock), one subscription, or one
    provider's resources."""
    with runtime.store.transaction() as tx:
        if subscription:
            tx.delete_subscription(subscription.lower())
        elif provider:
            if runtime.registry.provider(provider) is None and not generic_writes.is_generic_namespace(
                runtime, provider
            ):
                raise errors.invalid_resource_namespace(provider)
            tx.delete_namespace(provider)
        else:
            tx.delete_everything()  # the journal and the shared controls too
    runtime.controls.refresh()
    register_known_subscriptions(runtime)


async def export_state(runtime: Runtime) -> str:
    """The state as a JSON document (`StateDocument`'s shape). It is read from a snapshot in a worker
    thread where the database allows (a store of 100,000 resources takes seconds to write out, and
    requests go on meanwhile), else in one pass on the event loop; either way one consistent state."""
    catch_up(runtime)  # what a client would see now
    if runtime.store.has_snapshots:
        return await run_in_threadpool(_export, runtime, runtime.store.snapshot)
    return _export(runtime, runtime.store.transaction)


def _export(runtime: Runtime, reader: Callable[[], AbstractContextManager[StoreTransaction]]) -> str:
    """Written one resource at a time: the store is never held parsed all at once."""
    groups: list[str] = []
    resources: list[str] = []
    with reader() as tx:
        subscriptions = [
            {"subscriptionId": s.subscription_id, "displayName": s.display_name, "tenantId": s.tenant_id}
            for s in tx.list_subscriptions()
        ]
        generic = tx.generic_types()
        for record in tx.iter_resources():
            body = {k: v for k, v in record.body.items() if k not in ("name", "type", "systemData", "etag")}
            if record.type_key == RESOURCE_GROUP_TYPE_KEY:
                groups.append(_dump({k: v for k, v in body.items() if k in ("id", "location", "tags", "managedBy")}))
                continue
            found = runtime.registry.resource_type(record.type_key)
            api_version = max(found[1].api_versions) if found else None
            if record.type_key == locks.LOCK_TYPE_KEY:
                api_version = locks.KNOWN_API_VERSIONS[-1]
            elif record.type_key in generic:
                api_version = generic[record.type_key][1][0]  # the newest it was written with
            exported = {"id": record.id, "apiVersion": api_version, **{k: v for k, v in body.items() if k != "id"}}
            resources.append(_dump(exported))
    text = f'{{"subscriptions":{_dump(subscriptions)},"resourceGroups":[{",".join(groups)}],'
    return text + f'"resources":[{",".join(resources)}]}}'


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _subscription(runtime: Runtime, tx: StoreTransaction, entry: str | SubscriptionEntry) -> None:
    if isinstance(entry, str):
        require_subscription(runtime, tx, entry)
        return
    record = require_subscription(runtime, tx, entry.subscription_id)  # checks the id and the allow-list
    tx.rename_subscription(
        SubscriptionRecord(
            record.subscription_id,
            entry.tenant_id or record.tenant_id,
            entry.display_name or record.display_name,
            record.state,
        )
    )


def _resource_group(
    runtime: Runtime,
    tx: StoreTransaction,
    subscription: str,
    name: str,
    location: str,
    tags: dict[str, str] | None = None,
    managed_by: str | None = None,
) -> None:
    if not is_valid_resource_group_name(name):
        raise errors.invalid_resource_group_name(name)
    require_subscription(runtime, tx, subscription)
    existing = tx.get_resource(key_of(resource_group_id(subscription, name)))
    tx.put_resource(
        resource_group_record(
            subscription,
            name,
            normalize_location(location),
            runtime.clock.now(),
            tags=tags,
            managed_by=managed_by,
            existing=existing,
        )
    )


def import_state(runtime: Runtime, document: StateDocument, *, seeding: bool = False) -> dict[str, int]:
    """All or nothing: one transaction; resources are created directly in their final state.
    `seeding` (the seed file, at every start): a fault rule already stored is not added again."""
    with runtime.store.transaction() as tx:
        for subscription in document.subscriptions:
            _subscription(runtime, tx, subscription)
        for group in document.resource_groups:
            parts = group.id.strip("/").split("/")
            if len(parts) != 4 or parts[0].lower() != "subscriptions" or parts[2].lower() != "resourcegroups":
                raise errors.ArmError(400, "InvalidResourceId", f"'{group.id}' is not a resource group id.")
            _resource_group(runtime, tx, parts[1], parts[3], group.location, group.tags, group.managed_by)
        # Parents before children.
        for entry in sorted(document.resources, key=lambda e: e.id.count("/")):
            if locks.is_lock_id(entry.id):
                locks.import_lock(runtime, tx, entry.id, entry.model_dump(by_alias=True), SEEDER)
                continue
            if _import_generic(runtime, tx, entry):
                continue
            try:
                rid = parse_resource_id(entry.id)
            except ValueError:
                raise errors.ArmError(400, "InvalidResourceId", f"'{entry.id}' is not a resource id.") from None
            found = runtime.registry.resource_type(rid.type_key)
            if found is None:
                raise errors.invalid_resource_type(rid.type_name, rid.namespace, entry.api_version)
            provider, resource_type = found
            body = entry.model_dump(by_alias=True, exclude={"id", "api_version"})
            if tx.get_resource(key_of(rid.resource_group_id)) is None:
                _resource_group(runtime, tx, rid.subscription_id, rid.resource_group, body.get("location") or "eastus")
            parent = rid.parent
            if parent is not None and tx.get_resource(parent.key) is None:
                raise errors.parent_resource_not_found(parent.id)
            writer = ResourceWriter(provider, resource_type)
            writer.write_final(runtime, tx, rid, entry.api_version or max(resource_type.api_versions), body, SEEDER)
    for spec in document.faults:
        runtime.controls.add_fault(spec, unless_present=seeding)
    return {
        "resourceGroups": len(document.resource_groups),
        "resources": len(document.resources),
        "faults": len(document.faults),
    }


def _import_generic(runtime: Runtime, tx: StoreTransaction, entry: ResourceEntry) -> bool:
    """A resource of a type stored generically (any scope); False if the entry is not one."""
    parsed = parse_scoped_path(entry.id)
    if parsed is None or parsed[1] is not None or not runtime.settings.generic_resources:
        return False
    rid = parsed[0]
    if not generic_writes.is_generic_namespace(runtime, rid.namespace):
        return False
    body = entry.model_dump(by_alias=True, exclude={"id", "api_version"})
    if rid.resource_group is not None and tx.get_resource(rid.resource_group_key or "") is None:
        _resource_group(runtime, tx, rid.subscription_id, rid.resource_group, body.get("location") or "eastus")
    if not entry.api_version:
        raise errors.missing_api_version()
    generic_writes.write(runtime, tx, rid, entry.api_version, body, SEEDER)
    return True


def read_seed_file(path: Path) -> StateDocument:
    """JSON, or YAML for `.yaml`/`.yml` files."""
    import yaml  # only for seed files

    try:
        text = path.read_text()
        data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)
        return StateDocument.model_validate(data)
    except (OSError, ValueError, yaml.YAMLError, ValidationError) as error:
        raise ValueError(f"seed file {path}: {error}") from None
