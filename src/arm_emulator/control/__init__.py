"""The emulator's own endpoints under /_emulator (not ARM: no ARM token; optionally a control token)."""

from __future__ import annotations

from fastapi import APIRouter

from . import api, status, ui


def register(router: APIRouter) -> None:
    status.register(router)
    api.register(router)
    ui.register(router)
