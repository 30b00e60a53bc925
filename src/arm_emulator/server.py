"""prepare(settings): certificates, the bound socket and the uvicorn server, shared by the CLI and tests."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from .app import create_app
from .data_dir import startup_lock
from .http_protocol import ArmHttpToolsProtocol
from .settings import Settings
from .tls import TlsFiles, ensure_certificates

GRACEFUL_SHUTDOWN_SECONDS = 2


@dataclass(frozen=True)
class PreparedServer:
    """Ready to `server.run(sockets=sockets)`; the port is already bound, so `url` is final."""

    server: uvicorn.Server
    sockets: list[socket.socket]
    url: str
    tls: TlsFiles | None

    def close_sockets(self) -> None:
        # uvicorn closes them on a clean shutdown, but not when the app's start-up fails.
        for sock in self.sockets:
            sock.close()


def _tls(settings: Settings) -> TlsFiles | None:
    if not settings.tls:
        return None
    if settings.cert_file and settings.key_file:
        return TlsFiles(None, settings.cert_file, settings.key_file)
    return ensure_certificates(settings.data_dir, settings.tls_hostnames)


def _bind(settings: Settings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((settings.host, settings.port))
    except OSError:
        sock.close()
        raise
    return sock


def prepare(settings: Settings, *, configure_logging: bool = True) -> PreparedServer:
    """Binds before building the app, so port 0 resolves to the URL printed and handed to clients.

    configure_logging=False leaves the host process's logging alone (for in-process use): uvicorn's
    records then propagate to the root logger, where pytest captures them."""
    with startup_lock(settings.data_dir):
        tls = _tls(settings)
        app = create_app(settings)  # reads (or makes) the signing key and identity
    sock = _bind(settings)
    try:
        port = sock.getsockname()[1]
        host = f"[{settings.host}]" if sock.family == socket.AF_INET6 else settings.host
        url = f"{'https' if tls else 'http'}://{host}:{port}"
        config = uvicorn.Config(
            app,
            log_level=settings.log_level,
            log_config=LOGGING_CONFIG if configure_logging else None,
            ssl_certfile=str(tls.cert_file) if tls else None,
            ssl_keyfile=str(tls.key_file) if tls else None,
            server_header=False,
            lifespan="on",
            # Requests httptools cannot parse get an ARM error, not uvicorn's text/plain 400.
            http=ArmHttpToolsProtocol,
            # ARM has no WebSockets: an Upgrade header is ignored and the request served as plain HTTP
            # (uvicorn's default would refuse it with a text/plain 403, and load a WebSocket library).
            ws="none",
            # Idle keep-alive TLS connections would otherwise hold SIGTERM for the SSL shutdown timeout.
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    except BaseException:
        sock.close()
        raise
    return PreparedServer(uvicorn.Server(config), [sock], url, tls)
