"""Requests a deployment makes to the emulator itself, through its front door, in process.

Every resource a template declares is written as a direct call would be: the same middleware (auth
with the deployment caller's token, locks, registration, injected faults, journal), the same route
handlers (validation, computed fields) and the same LRO, which is polled like a client polls it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

# Polls of a resource's operation start fast and back off to this (seconds): the emulator's clock
# and LRO timing decide when it ends; the poll only notices.
MAX_POLL_INTERVAL = 1.0
FIRST_POLL_INTERVAL = 0.01
_TERMINAL = frozenset({"succeeded", "failed", "canceled"})


@dataclass(frozen=True)
class Outcome:
    """How a write ended: `status` the HTTP status that decided it, `body` the resource (success) and
    `error` the ARM error object (failure)."""

    status: int
    body: Any = None
    error: dict[str, Any] | None = None
    request_id: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None


def error_of(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return dict(body["error"])
    return {"code": f"HttpStatus{response.status_code}", "message": response.text[:1000] or response.reason_phrase}


class FrontDoorClient:
    def __init__(self, app: Any, base: str, authorization: str | None, correlation_id: str) -> None:
        import httpx  # only once a deployment runs: the server starts without it (see tests/test_cli.py)

        headers = {"x-ms-correlation-request-id": correlation_id, "user-agent": "arm-emulator-deployments"}
        if authorization:
            headers["authorization"] = authorization
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=base, headers=headers, timeout=None
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def request(self, method: str, url: str, body: Any = None) -> httpx.Response:
        return await self._client.request(method, url, json=body)

    async def write(self, method: str, path: str, api_version: str, body: Any = None) -> Outcome:
        """A PUT or DELETE, then its LRO to the end; success carries the resource as it is then."""
        response = await self.request(method, f"{path}?api-version={api_version}", body)
        request_id = response.headers.get("x-ms-request-id")
        if response.status_code >= 400:
            return Outcome(response.status_code, error=error_of(response), request_id=request_id)
        status = response.status_code
        async_url = response.headers.get("azure-asyncoperation")
        location = response.headers.get("location")
        if async_url:
            final = await self._poll_status(async_url)
            if final.error is not None:
                return Outcome(final.status, error=final.error, request_id=request_id)
        elif location and status == 202:
            final = await self._poll_location(location)
            if final.error is not None:
                return Outcome(final.status, error=final.error, request_id=request_id)
        if method == "DELETE":
            return Outcome(status, request_id=request_id)
        if async_url or location:
            response = await self.request("GET", f"{path}?api-version={api_version}")
            if response.status_code >= 400:
                return Outcome(response.status_code, error=error_of(response), request_id=request_id)
        return Outcome(status, body=_json(response), request_id=request_id)

    async def _poll_status(self, url: str) -> Outcome:
        interval = FIRST_POLL_INTERVAL
        while True:
            response = await self.request("GET", url)
            if response.status_code >= 400:
                return Outcome(response.status_code, error=error_of(response))
            body = _json(response) or {}
            status = str(body.get("status", "")).lower()
            if status in _TERMINAL:
                if status == "succeeded":
                    return Outcome(200, body=body)
                error = body.get("error") or {"code": body.get("status"), "message": "The operation did not succeed."}
                return Outcome(200, error=error)
            await asyncio.sleep(interval)
            interval = min(interval * 2, MAX_POLL_INTERVAL)

    async def _poll_location(self, url: str) -> Outcome:
        interval = FIRST_POLL_INTERVAL
        while True:
            response = await self.request("GET", url)
            if response.status_code >= 400:
                return Outcome(response.status_code, error=error_of(response))
            if response.status_code != 202:
                return Outcome(response.status_code, body=_json(response))
            await asyncio.sleep(interval)
            interval = min(interval * 2, MAX_POLL_INTERVAL)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
