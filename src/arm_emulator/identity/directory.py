"""Tenants, subscriptions and app registrations: a default set made on first start, plus a file."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

IDENTITY_FILE = "identity.json"


@dataclass(frozen=True)
class AppRegistration:
    """An application as in the DICOM client-registration guide: confidential (secret) or public."""

    tenant_id: str
    client_id: str
    client_secret: str | None
    display_name: str
    object_id: str

    @property
    def public_client(self) -> bool:
        return self.client_secret is None


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    display_name: str
    subscriptions: tuple[str, ...] = ()
    apps: tuple[AppRegistration, ...] = field(default_factory=tuple)


class _AppEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    client_id: str = Field(alias="clientId")
    client_secret: str | None = Field(None, alias="clientSecret")
    public_client: bool = Field(False, alias="publicClient")
    display_name: str | None = Field(None, alias="displayName")


class _TenantEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str
    display_name: str | None = Field(None, alias="displayName")
    subscriptions: list[str] = []
    apps: list[_AppEntry] = []


class RegistrationFile(BaseModel):
    """`--registrations-file`: `{"tenants": [{"id", "subscriptions": [...], "apps": [{"clientId",
    "clientSecret"} | {"clientId", "publicClient": true}]}]}`."""

    model_config = ConfigDict(extra="forbid")
    tenants: list[_TenantEntry]


class Directory:
    """Every tenant and app the token endpoint knows; the first tenant is the default one."""

    def __init__(self, tenants: list[Tenant]) -> None:
        self.tenants = tenants
        self._tenants = {t.tenant_id.lower(): t for t in tenants}
        self._apps = {(a.tenant_id.lower(), a.client_id.lower()): a for t in tenants for a in t.apps}
        # Every write asks (its provider hooks get the tenant): a dict, the first tenant listing a
        # subscription winning as in the directory's order.
        self._tenant_ids = {s.lower(): t.tenant_id for t in reversed(tenants) for s in t.subscriptions}

    @property
    def default_tenant(self) -> Tenant:
        return self.tenants[0]

    @property
    def default_app(self) -> AppRegistration:
        return self.default_tenant.apps[0]

    @property
    def default_subscription(self) -> str:
        return self.default_tenant.subscriptions[0]

    def tenant(self, tenant_id: str) -> Tenant | None:
        if tenant_id.lower() in ("common", "organizations"):
            return self.default_tenant
        return self._tenants.get(tenant_id.lower())

    def app(self, tenant_id: str, client_id: str) -> AppRegistration | None:
        return self._apps.get((tenant_id.lower(), client_id.lower()))

    def tenant_of_subscription(self, subscription_id: str) -> str:
        return self._tenant_ids.get(subscription_id.lower()) or self.default_tenant.tenant_id


def new_client_secret() -> str:
    """Entra secrets are 40 characters of this alphabet; any string works here. Never one that starts
    with `-`: az reads `-p -abc...` as a missing password followed by an option, so the README's
    `az login ... -p "$AZURE_CLIENT_SECRET"` failed for one secret in 64."""
    secret = secrets.token_urlsafe(30)
    while secret.startswith("-"):
        secret = secrets.token_urlsafe(30)
    return secret


def _new_default(tenant_id: str | None) -> dict[str, Any]:
    tenant = tenant_id or str(uuid.uuid4())
    app = AppRegistration(
        tenant_id=tenant,
        client_id=str(uuid.uuid4()),
        client_secret=new_client_secret(),
        display_name="arm-emulator-default-app",
        object_id=str(uuid.uuid4()),
    )
    return {
        "tenantId": tenant,
        "subscriptionId": str(uuid.uuid4()),
        "app": asdict(app),
    }


def _default_tenant(data_dir: Path, tenant_id: str | None) -> Tenant:
    """Made on first start and kept in the data dir, so the printed credentials stay valid."""
    path = data_dir / IDENTITY_FILE
    if path.exists():
        stored = json.loads(path.read_text())
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        stored = _new_default(tenant_id)
        path.write_text(json.dumps(stored, indent=2) + "\n")
        path.chmod(0o600)
    app = AppRegistration(**stored["app"])
    return Tenant(stored["tenantId"], "Emulator tenant", (stored["subscriptionId"],), (app,))


def _from_file(path: Path) -> list[Tenant]:
    try:
        parsed = RegistrationFile.model_validate_json(path.read_text())
    except (OSError, ValidationError) as error:
        raise ValueError(f"registrations file {path}: {error}") from None
    tenants = []
    for entry in parsed.tenants:
        apps = tuple(
            AppRegistration(
                tenant_id=entry.id,
                client_id=app.client_id,
                client_secret=None if app.public_client else (app.client_secret or ""),
                display_name=app.display_name or app.client_id,
                object_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{entry.id}/{app.client_id}")),
            )
            for app in entry.apps
        )
        tenants.append(Tenant(entry.id, entry.display_name or entry.id, tuple(entry.subscriptions), apps))
    return tenants


def load_directory(data_dir: Path, *, tenant_id: str | None, registrations_file: Path | None) -> Directory:
    default = _default_tenant(data_dir, tenant_id)
    extra = _from_file(registrations_file) if registrations_file else []
    merged: dict[str, Tenant] = {default.tenant_id.lower(): default}
    for tenant in extra:
        known = merged.get(tenant.tenant_id.lower())
        if known is not None:  # a file may add apps and subscriptions to the default tenant
            tenant = Tenant(
                known.tenant_id,
                known.display_name,
                known.subscriptions + tenant.subscriptions,
                known.apps + tenant.apps,
            )
        merged[tenant.tenant_id.lower()] = tenant
    return Directory(list(merged.values()))
