"""Requests a deployment makes to the emulator itself, through its front door, in process.

Every resource a template declares is written as a direct call would be: the same middleware (auth
with the deployment caller's token, locks, registration, injected faults, journal), the same route
handlers (validation, computed fields) and the same LRO, which is polled like a client polls it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
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
    """`authorization`: the header to send, or a function giving it for each request (a run that
    outlives a token gets a fresh one)."""

    def __init__(
        self, app: Any, base: str, authorization: str | Callable[[], str | None] | None, correlation_id: str
    ) -> None:
        import httpx  # only once a deployment runs: the server starts without it (see tests/test_cli.py)

        headers = {"x-ms-correlation-request-id": correlation_id, "user-agent": "arm-emulator-deployments"}
        self._authorization = authorization
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=base, headers=headers, timeout=None
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def request(self, method: str, url: str, body: Any = None) -> httpx.Response:
        header = self._authorization() if callable(self._authorization) else self._authorization
        headers = {"authorization": header} if header else None
        return await self._client.request(method, url, json=body, headers=headers)

    async def write(
        self,
        method: str,
        path: str,
        api_version: str,
        body: Any = None,
        started: Callable[[dict[str, str]], None] | None = None,
    ) -> Outcome:
        """A PUT or DELETE, then its LRO to the end; success carries the resource as it is then.
        `started` is told how to poll the LRO once the write is accepted (so another process can
        follow it: `follow`)."""
        response = await self.request(method, f"{path}?api-version={api_version}", body)
        request_id = response.headers.get("x-ms-request-id")
        if response.status_code >= 400:
            return Outcome(response.status_code, error=error_of(response), request_id=request_id)
        polling = {"method": method, "status": str(response.status_code)}
        if response.headers.get("azure-asyncoperation"):
            polling["asyncOperation"] = response.headers["azure-asyncoperation"]
        elif response.headers.get("location") and response.status_code == 202:
            polling["location"] = response.headers["location"]
        else:
            if method == "DELETE":
                return Outcome(response.status_code, request_id=request_id)
            return Outcome(response.status_code, body=_json(response), request_id=request_id)
        if request_id:
            polling["requestId"] = request_id
        if started is not None:
            started(polling)
        return await self.follow(path, api_version, polling)

    async def follow(self, path: str, api_version: str, polling: dict[str, str]) -> Outcome:
        """A write's LRO to the end, from how `write` said to poll it (by this or another process)."""
        status, request_id = int(polling.get("status", "201")), polling.get("requestId")
        if "asyncOperation" in polling:
            final = await self._poll_status(polling["asyncOperation"])
        else:
            final = await self._poll_location(polling["location"])
        if final.error is not None:
            return Outcome(final.status, error=final.error, request_id=request_id)
        if polling.get("method") == "DELETE":
            return Outcome(status, request_id=request_id)
        response = await self.request("GET", f"{path}?api-version={api_version}")
        if response.status_code >= 400:
            return Outcome(response.status_code, error=error_of(response), request_id=request_id)
        return Outcome(status, body=_json(response), request_id=request_id)

    async def wait_in_progress(self, path: str, api_version: str) -> None:
        """Wait while an operation is in progress on a resource (one whose write a dead process
        started without noting how to poll it), so writing it again is not refused with a 409."""

        def settled(response: httpx.Response) -> Outcome | None:
            if response.status_code >= 400:
                return Outcome(response.status_code)
            body = _json(response)
            properties = body.get("properties") if isinstance(body, dict) else None
            state = (properties or {}).get("provisioningState") if isinstance(properties, dict) else None
            return Outcome(response.status_code) if state is None or str(state).lower() in _TERMINAL else None

        await self._poll(f"{path}?api-version={api_version}", settled)

    async def _poll_status(self, url: str) -> Outcome:
        def ended(response: httpx.Response) -> Outcome | None:
            if response.status_code >= 400:
                return Outcome(response.status_code, error=error_of(response))
            body = _json(response) or {}
            status = str(body.get("status", "")).lower()
            if status not in _TERMINAL:
                return None
            if status == "succeeded":
                return Outcome(200, body=body)
            error = body.get("error") or {"code": body.get("status"), "message": "The operation did not succeed."}
            return Outcome(200, error=error)

        return await self._poll(url, ended)

    async def _poll_location(self, url: str) -> Outcome:
        def ended(response: httpx.Response) -> Outcome | None:
            if response.status_code >= 400:
                return Outcome(response.status_code, error=error_of(response))
            return None if response.status_code == 202 else Outcome(response.status_code, body=_json(response))

        return await self._poll(url, ended)

    async def _poll(self, url: str, ended: Callable[[httpx.Response], Outcome | None]) -> Outcome:
        """GET `url` until `ended` makes an outcome of the answer, backing off between polls."""
        interval = FIRST_POLL_INTERVAL
        while True:
            outcome = ended(await self.request("GET", url))
            if outcome is not None:
                return outcome
            await asyncio.sleep(interval)
            interval = min(interval * 2, MAX_POLL_INTERVAL)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
