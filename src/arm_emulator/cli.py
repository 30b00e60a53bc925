"""`arm-emulator serve|health`: argument parsing, then hand-over to uvicorn. No behaviour of its own."""

from __future__ import annotations

import argparse
import gc
import ssl
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .identity.directory import IDENTITY_FILE, Directory, load_directory
from .settings import Settings
from .tls import TlsFiles


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arm-emulator", description="A local Azure Resource Manager.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the emulator (HTTPS by default)")
    serve.add_argument("--host", help="interface to listen on [ARM_EMULATOR_HOST]")
    serve.add_argument("--port", type=int, help="port, 0 for any free one [ARM_EMULATOR_PORT]")
    serve.add_argument("--data-dir", type=Path, help="database and certificates [ARM_EMULATOR_DATA_DIR]")
    serve.add_argument("--database-url", help="any SQLAlchemy URL [ARM_EMULATOR_DATABASE_URL]")
    serve.add_argument(
        "--no-tls",
        dest="tls",
        action="store_false",
        default=None,
        help="serve plain HTTP [ARM_EMULATOR_TLS=false]",
    )
    serve.add_argument("--cert-file", type=Path, help="your own certificate [ARM_EMULATOR_CERT_FILE]")
    serve.add_argument("--key-file", type=Path, help="its private key [ARM_EMULATOR_KEY_FILE]")
    serve.add_argument(
        "--tls-hostname",
        dest="tls_hostnames",
        action="append",
        help="extra certificate host name, repeatable [ARM_EMULATOR_TLS_HOSTNAMES]",
    )
    serve.add_argument("--public-url", help="base URL clients use [ARM_EMULATOR_PUBLIC_URL]")
    serve.add_argument(
        "--lro-step-seconds",
        type=float,
        help="seconds per provisioning step, 0 = fast [ARM_EMULATOR_LRO_STEP_SECONDS]",
    )
    serve.add_argument(
        "--lro-mode",
        choices=["time", "polls"],
        help="time: a step per --lro-step-seconds; polls: a step per poll [ARM_EMULATOR_LRO_MODE]",
    )
    serve.add_argument("--seed", type=Path, help="JSON or YAML state loaded at start-up [ARM_EMULATOR_SEED]")
    serve.add_argument("--journal-size", type=int, help="requests kept in the journal [ARM_EMULATOR_JOURNAL_SIZE]")
    serve.add_argument("--control-token", help="token required by /_emulator/* [ARM_EMULATOR_CONTROL_TOKEN]")
    serve.add_argument("--retry-after-seconds", type=int, help="[ARM_EMULATOR_RETRY_AFTER_SECONDS]")
    serve.add_argument("--walker-interval-seconds", type=float, help="[ARM_EMULATOR_WALKER_INTERVAL_SECONDS]")
    serve.add_argument("--page-size", type=int, help="items per list page [ARM_EMULATOR_PAGE_SIZE]")
    serve.add_argument(
        "--auto-create-resource-groups",
        action="store_true",
        default=None,
        help="create missing resource groups [ARM_EMULATOR_AUTO_CREATE_RESOURCE_GROUPS]",
    )
    serve.add_argument(
        "--subscription",
        dest="subscriptions",
        action="append",
        help="allowed subscription id, repeatable [ARM_EMULATOR_SUBSCRIPTIONS]",
    )
    serve.add_argument("--tenant-id", help="id of the default tenant, made on first start [ARM_EMULATOR_TENANT_ID]")
    serve.add_argument(
        "--auth-mode",
        choices=["off", "lenient", "strict"],
        help="which bearer tokens are accepted [ARM_EMULATOR_AUTH_MODE]",
    )
    serve.add_argument(
        "--registrations-file",
        type=Path,
        help="extra tenants, subscriptions, apps (JSON) [ARM_EMULATOR_REGISTRATIONS_FILE]",
    )
    serve.add_argument("--token-lifetime-seconds", type=int, help="[ARM_EMULATOR_TOKEN_LIFETIME_SECONDS]")
    serve.add_argument(
        "--log-level",
        choices=["critical", "error", "warning", "info", "debug"],
        help="[ARM_EMULATOR_LOG_LEVEL]",
    )

    health = commands.add_parser(
        "health", help="exit 0 once the emulator is ready (/_emulator/ready: serving, seed loaded)"
    )
    health.add_argument("--url", help="base URL (default: from the settings, on 127.0.0.1)")
    health.add_argument("--data-dir", type=Path, help="to find the CA [ARM_EMULATOR_DATA_DIR]")
    health.add_argument("--timeout", type=float, default=3.0)
    return parser


def _settings(args: argparse.Namespace, fields: list[str]) -> Settings:
    given: dict[str, Any] = {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}
    return Settings(**given)


def _banner(settings: Settings, url: str, tls: TlsFiles | None, directory: Directory) -> str:
    lines = [f"ARM emulator listening on {url}", f"  database: {settings.resolved_database_url}"]
    if tls and tls.ca_file:
        ca = tls.ca_file.resolve()
        lines += [
            f"  local CA: {ca}",
            "  trust it in your clients:",
            f"    export REQUESTS_CA_BUNDLE={ca}   # Python SDKs, az CLI",
            f"    export SSL_CERT_FILE={ca}        # az cloud metadata, Go/Terraform, curl",
            f"    export NODE_EXTRA_CA_CERTS={ca}  # JavaScript SDKs",
        ]
    app = directory.default_app
    tenant, subscription = app.tenant_id, directory.default_subscription
    lines += [
        f"  auth mode: {settings.auth_mode}; default service principal (kept in {settings.data_dir / IDENTITY_FILE}):",
        f"    export AZURE_TENANT_ID={tenant} AZURE_CLIENT_ID={app.client_id}",
        f"    export AZURE_CLIENT_SECRET={app.client_secret} AZURE_SUBSCRIPTION_ID={subscription}",
        f"    export ARM_TENANT_ID={tenant} ARM_CLIENT_ID={app.client_id}  # Terraform",
        f"    export ARM_CLIENT_SECRET={app.client_secret} ARM_SUBSCRIPTION_ID={subscription}",
        f"  authority (Entra ID): {url}/{tenant}",
        f"  cloud metadata: {url}/metadata/endpoints?api-version=2022-09-01",
        f"  health: {url}/_emulator/health",
    ]
    return "\n".join(lines)


def serve(settings: Settings) -> int:
    # Start-up makes some 90,000 objects that live as long as the server (modules, classes, schemas,
    # routes). The cyclic GC would scan them again and again while they are made (60-100 ms of a
    # restart) and in every full collection after; it waits until they are made, then leaves them
    # out for good. The few cycles left over meanwhile (under 1,000 objects) stay.
    gc.disable()
    try:
        # Imported here so that `arm-emulator health` (a container healthcheck) starts fast.
        from .server import prepare

        prepared = prepare(settings)
        directory = load_directory(
            settings.data_dir, tenant_id=settings.tenant_id, registrations_file=settings.registrations_file
        )
    finally:
        gc.freeze()
        gc.enable()
    print(_banner(settings, prepared.url, prepared.tls, directory), flush=True)
    prepared.server.run(sockets=prepared.sockets)
    return 0


def health(args: argparse.Namespace) -> int:
    import httpx  # only here: the server itself does not need it, and start-up time counts

    settings = _settings(args, ["data_dir"])
    ca = settings.data_dir / "tls" / "ca.pem"
    url = args.url or f"{'https' if settings.tls else 'http'}://127.0.0.1:{settings.port}"
    verify: Any = ssl.create_default_context(cafile=str(ca)) if ca.exists() else True
    try:
        response = httpx.get(f"{url.rstrip('/')}/_emulator/ready", verify=verify, timeout=args.timeout, trust_env=False)
    except httpx.HTTPError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    print(response.text)
    return 0 if response.status_code == 200 else 1


# Every setting is also a flag of `serve`; flags left out fall back to ARM_EMULATOR_* and defaults.
_SERVE_FIELDS = list(Settings.model_fields)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "health":
            return health(args)
        return serve(_settings(args, _SERVE_FIELDS))
    except (ValidationError, ValueError) as error:
        print(f"arm-emulator: invalid setting:\n{error}", file=sys.stderr)
        return 2
