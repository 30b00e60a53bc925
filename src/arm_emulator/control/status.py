"""Liveness and readiness: what a container healthcheck and a test harness wait on."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from .. import __version__
from ..arm.responses import json_response
from ..arm.runtime import runtime_of
from ..tls import ca_file


def register(router: APIRouter) -> None:
    @router.get("/_emulator/health", tags=["emulator"], response_class=Response)
    async def health(request: Request) -> Response:
        """200 once the store is open and the walker runs; 503 before (and while shutting down)."""
        live = getattr(request.app.state, "live", False)
        return json_response({"status": "ok" if live else "starting", "version": __version__}, 200 if live else 503)

    @router.get("/_emulator/ca.pem", tags=["emulator"], response_class=Response)
    async def ca_certificate(request: Request) -> Response:
        """The local CA (public part), for clients that cannot share the data dir, such as CI service
        containers: fetch it once without verification, then trust it."""
        ca = ca_file(runtime_of(request).settings.data_dir)
        if not ca.exists():
            return json_response(
                {"error": {"code": "NoLocalCA", "message": "This server uses your own certificate."}}, 404
            )
        return Response(ca.read_bytes(), media_type="application/x-pem-file")

    @router.get("/_emulator/ready", tags=["emulator"], response_class=Response)
    async def ready(request: Request) -> Response:
        """200 once the seed file (if any) is loaded as well: safe to start tests."""
        is_ready = getattr(request.app.state, "ready", False)
        return json_response({"status": "ready" if is_ready else "starting"}, 200 if is_ready else 503)
