"""The one Settings object: every option has a CLI flag, an ARM_EMULATOR_* variable and a default."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .arm.lro_timing import MAX_STEP_SECONDS, MIN_STEP_SECONDS, valid_step
from .arm.resource_id import is_guid


def _split_list(value: object) -> object:
    # Lists come from env vars as "a,b,c"; accept JSON-free comma lists.
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARM_EMULATOR_", extra="forbid")

    host: str = Field("127.0.0.1", description="Interface to listen on.")
    port: int = Field(8443, ge=0, le=65535, description="Port to listen on (0 picks a free one).")
    data_dir: Path = Field(Path(".arm-emulator"), description="Where the database, CA and certificate live.")
    database_url: str | None = Field(
        None, description="Any SQLAlchemy URL; default: SQLite file `emulator.db` in the data dir."
    )
    sqlite_synchronous: Literal["off", "normal", "full"] = Field(
        "off",
        description="SQLite's flush to disk. Every level keeps acknowledged writes through a crash or kill -9 "
        "of the emulator; off never waits for the disk, so a crash of the machine itself can lose recent "
        "writes or damage the file; normal (flush at each WAL checkpoint) and full (at each commit) survive "
        "that too, more slowly.",
    )
    tls: bool = Field(True, description="Serve HTTPS (the Azure SDKs refuse bearer tokens over plain HTTP).")
    cert_file: Path | None = Field(None, description="Bring-your-own server certificate (PEM).")
    key_file: Path | None = Field(None, description="Private key for --cert-file (PEM).")
    tls_hostnames: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Extra DNS names / IPs for the generated certificate."
    )
    public_url: str | None = Field(
        None, description="Base URL for polling links and nextLink; default: the request's own scheme/host."
    )
    lro_step_seconds: float = Field(
        0.0,
        ge=0,
        description="Seconds per provisioning step, 0.001 to 86400. 0 = fast mode: the first poll sees the end.",
    )
    lro_mode: Literal["time", "polls"] = Field(
        "time", description="time: a step every lro_step_seconds; polls: each poll advances one step."
    )
    retry_after_seconds: int = Field(
        1,
        ge=0,
        description="Retry-After on in-progress answers (at least this; more if the next step is further off). "
        "0 sends none, so clients use their own polling interval.",
    )
    walker_interval_seconds: float = Field(
        0.2, gt=0, description="How often the background walker looks for due operations."
    )
    deployment_lease_seconds: float = Field(
        10.0,
        ge=0.5,
        le=3600,
        description="How long a template deployment's run stays with the process running it without a "
        "renewal; a run whose process died is resumed by another (or the restarted) one after this.",
    )
    page_size: int = Field(100, ge=1, le=1000, description="Items per list page.")
    auto_create_resource_groups: bool = Field(
        False, description="Create a missing resource group on first use instead of 404."
    )
    require_provider_registration: bool = Field(
        False,
        description="Namespaces start NotRegistered in each subscription, and a write to one not registered "
        "answers 409 MissingSubscriptionRegistration (register it first, as in Azure).",
    )
    generic_resources: bool = Field(
        True,
        description="Store resource types no provider here declares (storage accounts, role assignments, ...) "
        "as plain ARM resources; off: they answer 400 NoRegisteredProviderFound.",
    )
    subscriptions: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Allowed subscription ids; empty = any well-formed id, registered on first use.",
    )
    tenant_id: str | None = Field(
        None, description="Id of the default tenant made on first start; default: a new GUID, kept after."
    )
    auth_mode: Literal["off", "lenient", "strict"] = Field(
        "lenient",
        description="off: no token needed; lenient: any bearer token; strict: only tokens this emulator issued.",
    )
    registrations_file: Path | None = Field(
        None, description="JSON file of extra tenants, subscriptions and app registrations."
    )
    token_lifetime_seconds: int = Field(3600, ge=60, description="Lifetime of issued access tokens.")
    seed: Path | None = Field(None, description="JSON or YAML state (and fault rules) loaded at start-up.")
    journal_size: int = Field(1000, ge=0, description="How many requests the journal keeps.")
    control_token: str | None = Field(
        None, description="If set, /_emulator/* (but health, ready, ca.pem, ui, docs) needs header x-emulator-token."
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field("info", description="Server log level.")

    @field_validator("tls_hostnames", "subscriptions", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("subscriptions")
    @classmethod
    def _guids(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if not is_guid(s)]
        if bad:
            raise ValueError(f"subscription ids must be GUIDs: {', '.join(bad)}")
        return [s.lower() for s in value]

    @field_validator("lro_step_seconds")
    @classmethod
    def _step(cls, value: float) -> float:
        if not valid_step(value):
            raise ValueError(f"a step is 0 or {MIN_STEP_SECONDS} to {MAX_STEP_SECONDS} seconds")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'emulator.db').as_posix()}"
