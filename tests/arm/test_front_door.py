"""The front door's own failures still leave as ARM errors (in-process: nothing else can make it fail)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from arm_emulator.app import create_app
from arm_emulator.settings import Settings


class _BrokenAuthenticator:
    def check(self, authorization: str | None, base: str) -> None:
        raise RuntimeError("a bug in the front door")


def test_an_unexpected_failure_before_routing_is_an_arm_500(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, port=0))
    assert app.front_door is not None
    app.front_door.authenticator = _BrokenAuthenticator()  # type: ignore[assignment]

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://emulator") as client:
            return await client.get("/subscriptions/00000000-0000-4000-8000-000000000000/resourcegroups")

    response = asyncio.run(call())
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "InternalServerError"
    assert response.headers["x-ms-request-id"]  # ARM's standard headers, as on every answer
