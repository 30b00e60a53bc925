"""GET /_emulator/ui: a read-only dashboard, one static page that polls the control API every second.

The page itself needs no token; with a control token set, open it as `/_emulator/ui?token=<token>` and
it sends the token on its own requests.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from starlette.responses import HTMLResponse


def register(router: APIRouter) -> None:
    page = files(__package__ or "arm_emulator.control").joinpath("ui.html").read_text(encoding="utf-8")

    @router.get("/_emulator/ui", tags=["emulator"], response_class=HTMLResponse)
    async def dashboard() -> HTMLResponse:
        """Resources by subscription and resource group, operations in flight, the journal, fault rules."""
        return HTMLResponse(page)
