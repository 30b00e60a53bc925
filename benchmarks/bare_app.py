"""The baseline: a bare FastAPI app with JSON endpoints shaped like the emulator's, served exactly as
`arm-emulator serve` serves the emulator (same uvicorn, same Config options, same TLS certificate,
one worker, a pre-bound socket). What the emulator adds on top of this is what the ratios measure.

    python benchmarks/bare_app.py --cert-file C --key-file K [--port 0] [--log-level warning]

`--stock-protocol` serves it on uvicorn's own HTTP protocol instead. Prints `bare app listening on
<url>` first, like the emulator's banner.
"""

from __future__ import annotations

import argparse
import re
import socket
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request

SUBSCRIPTION = "00000000-0000-4000-8000-000000000000"
SRC = Path(__file__).resolve().parent.parent / "src" / "arm_emulator"


def resource(name: str, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A workspace body as the emulator returns it (same fields, about the same size)."""
    rid = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/bench-rg/providers/Microsoft.HealthcareApis/workspaces/{name}"
    return {
        "id": rid,
        "name": name,
        "type": "Microsoft.HealthcareApis/workspaces",
        "location": "eastus",
        "tags": tags or {"env": "bench"},
        "properties": {
            "provisioningState": "Succeeded",
            "privateEndpointConnections": [],
            "publicNetworkAccess": "Enabled",
        },
        "systemData": {
            "createdBy": "bench",
            "createdByType": "Application",
            "createdAt": "2024-01-01T00:00:00.0000000Z",
            "lastModifiedBy": "bench",
            "lastModifiedByType": "Application",
            "lastModifiedAt": "2024-01-01T00:00:00.0000000Z",
        },
        "etag": '"00000000-0000-0000-0000-000000000000"',
    }


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/_emulator/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/item/{name}")
    async def get_item(name: str) -> dict[str, Any]:
        return resource(name)

    @app.put("/item/{name}", status_code=201)
    async def put_item(name: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        return resource(name, body.get("tags"))

    @app.get("/items")
    async def list_items() -> dict[str, Any]:
        return {"value": [resource(f"ws{i:05d}") for i in range(100)], "nextLink": "https://127.0.0.1/items?next=1"}

    return app


def main() -> None:
    # The same uvicorn options as arm_emulator.server.prepare (keep the two in step), and the same
    # coalesced writes; its `http=ArmHttpToolsProtocol` differs from this one only in the answer to
    # unparseable requests.
    import uvicorn

    from arm_emulator.coalesced_writes import CoalescingHttpToolsProtocol  # uvicorn's and nothing else

    # The emulator's graceful-shutdown timeout, read from its source: importing the emulator here
    # would load all of it into this process and spoil the memory and start-up comparison.
    graceful = 2
    for source in ("server.py", "cli.py"):
        found = re.search(r"^GRACEFUL_SHUTDOWN_SECONDS = (\d+)", (SRC / source).read_text(), re.MULTILINE)
        if found:
            graceful = int(found.group(1))
            break

    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert-file", type=Path)
    parser.add_argument("--key-file", type=Path)
    parser.add_argument("--log-level", default="warning")
    # uvicorn's own protocol instead of the emulator's coalesced writes: a bare FastAPI app as it is
    # usually served (the bench reports its ratios against this one too).
    parser.add_argument("--stock-protocol", action="store_true")
    args = parser.parse_args()
    tls = args.cert_file is not None and args.key_file is not None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(),
        log_level=args.log_level,
        ssl_certfile=str(args.cert_file) if tls else None,
        ssl_keyfile=str(args.key_file) if tls else None,
        server_header=False,
        lifespan="on",
        http="httptools" if args.stock_protocol else CoalescingHttpToolsProtocol,
        ws="none",
        timeout_graceful_shutdown=graceful,
    )
    print(f"bare app listening on {'https' if tls else 'http'}://{args.host}:{port}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
