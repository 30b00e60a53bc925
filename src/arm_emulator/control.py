"""The emulator's own endpoints under /_emulator (not ARM; no token needed)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from . import __version__
from .arm.responses import json_response


def register(router: APIRouter) -> None:
    @router.get("/_emulator/health", tags=["emulator"], response_class=Response)
    async def health(request: Request) -> Response:
        """200 once the store is open and the walker runs; 503 before."""
        ready = getattr(request.app.state, "ready", False)
        return json_response({"status": "ok" if ready else "starting", "version": __version__}, 200 if ready else 503)
