"""`arm-emulator serve|health`: argument parsing, then hand-over to uvicorn. No behaviour of its own."""

from __future__ import annotations

import argparse
import gc
import signal
import ssl
import sys
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from .identity.directory import IDENTITY_FILE, Directory, load_directory
from .settings import Settings
from .tls import TlsFiles, ca_file


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arm-emulator", description="A local Azure Resource Manager.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the emulator (HTTPS by default)")
    for name, field in Settings.model_fields.items():
        _add_setting_flag(serve, name, field)

    health = commands.add_parser(
        "health", help="exit 0 once the emulator is ready (/_emulator/ready: serving, seed loaded)"
    )
    health.add_argument("--url", help="base URL (default: from the settings, on 127.0.0.1)")
    health.add_argument("--data-dir", type=Path, help="to find the CA [ARM_EMULATOR_DATA_DIR]")
    health.add_argument("--timeout", type=float, default=3.0)
    return parser


def setting_flag(name: str, field: FieldInfo) -> str:
    """The flag of a setting: `--data-dir` for `data_dir`; `--no-tls` for a setting on by default;
    the singular for a list, whose flag is repeated (`--subscription` for `subscriptions`)."""
    flag = name.replace("_", "-")
    if field.annotation is bool and field.default is True:
        return f"--no-{flag}"
    if get_origin(field.annotation) is list:
        return f"--{flag.removesuffix('s')}"
    return f"--{flag}"


def _add_setting_flag(parser: argparse.ArgumentParser, name: str, field: FieldInfo) -> None:
    """Each setting's flag is made from its declaration, so the two cannot drift apart."""
    flag = setting_flag(name, field)
    env = f"ARM_EMULATOR_{name.upper()}"
    options: dict[str, Any] = {"dest": name, "help": f"{field.description} [{env}]"}
    annotation = field.annotation
    if annotation is not None and get_origin(annotation) in (Union, UnionType):  # `X | None`: a flag takes X
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if annotation is bool:
        on_by_default = field.default is True
        options.update(action="store_false" if on_by_default else "store_true", default=None)
        if on_by_default:
            options["help"] = f"Switch off: {field.description} [{env}=false]"
    elif get_origin(annotation) is Literal:
        options["choices"] = list(get_args(annotation))
    else:
        options["metavar"] = flag.removeprefix("--").replace("-", "_").upper()
        if get_origin(annotation) is list:
            options["action"] = "append"
        else:
            options["type"] = annotation
    parser.add_argument(flag, **options)


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
        f"  dashboard: {url}/_emulator/ui  (in a browser that trusts the local CA)",
        f"  health: {url}/_emulator/health",  # the last line: tools wait for it
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
    # Ctrl-C or SIGTERM asks for a stop, and a graceful stop is a clean end (exit 0, no traceback,
    # no "make: *** Interrupt"): uvicorn shuts down, then raises the signal again for the handler in
    # place before it, which is this one.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _stopped)
    prepared.server.run(sockets=prepared.sockets)
    return 0


def _stopped(signum: int, frame: object) -> None:
    """The signal uvicorn raises again after its graceful shutdown: nothing left to do."""


def health(args: argparse.Namespace) -> int:
    import httpx  # only here: the server itself does not need it, and start-up time counts

    settings = _settings(args, ["data_dir"])
    ca = ca_file(settings.data_dir)
    url = args.url or f"{'https' if settings.tls else 'http'}://127.0.0.1:{settings.port}"
    verify: Any = ssl.create_default_context(cafile=str(ca)) if ca.exists() else True
    try:
        response = httpx.get(f"{url.rstrip('/')}/_emulator/ready", verify=verify, timeout=args.timeout, trust_env=False)
    except httpx.HTTPError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    print(response.text)
    return 0 if response.status_code == 200 else 1


# Every setting is also a flag of `serve` (`_add_setting_flag`); flags left out fall back to
# ARM_EMULATOR_* and the defaults.
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
