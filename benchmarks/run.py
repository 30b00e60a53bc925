"""The benchmark: one run measures the emulator and a bare FastAPI app on the same machine, with the
same uvicorn, TLS certificate and single worker, and writes benchmarks/results.md (and results.json).

    .venv/bin/python benchmarks/run.py                  # what `make bench` runs (about 15 minutes)
    .venv/bin/python benchmarks/run.py --quick          # a smoke run: short loads, 10k resources
    .venv/bin/python benchmarks/run.py --profile        # also py-spy profiles of every load
    .venv/bin/python benchmarks/run.py --save-baseline  # keep this run as the "before" column

What it measures, in order:
  1. cold start to `GET /_emulator/health` 200 (first start with certificate generation, then restarts);
  2. RSS idle;
  3. with wrk (Lua scripts in benchmarks/lua): GET one resource, PUT create (synchronous workspace, and
     a DICOM service that starts an LRO), PUT update, the first and a deep page of a resource group
     holding 1,000 resources; each at 16 connections (throughput) and 1 connection (service latency);
  4. the same load on benchmarks/bare_app.py, and the ratios;
  5. 100,000 resources imported through the control API: RSS, then GET and list pages again;
  6. 10,000 operations, all due while the server is down, drained by the walker after a restart;
  7. with a PostgreSQL server (`make bench` starts a private one, tools/with-private-postgres): GET and
     the PUT creates again on 1 replica, then on 3 replicas of one database (wrk spread over their ports).

Every load goes to 127.0.0.1 only, and every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import datetime
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import signal
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# `make bench` runs under tools/with-private-postgres: the PostgreSQL column's server. Taken out of the
# environment so that every other server of the run (the SQLite columns) stays on its SQLite file.
POSTGRES_URL = os.environ.pop("ARM_EMULATOR_TEST_DATABASE_URL", None)
LUA = HERE / "lua"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from emulator_process import EmulatorProcess, stop_child  # noqa: E402
from profile_summary import summarise  # noqa: E402

SUB = "00000000-0000-4000-8000-0000000000be"  # the fixtures
LOAD_SUB = "11111111-1111-4111-8111-1111111111be"  # the 100k resources
OPS_SUB = "22222222-2222-4222-8222-2222222222be"  # the 10k operations
HC = "api-version=2024-03-31"  # what azure-mgmt-healthcareapis 2.1.0 sends
RESOURCES = "api-version=2025-04-01"  # what azure-mgmt-resource sends
RG_API = "api-version=2021-04-01"
AUTH = {"Authorization": "Bearer bench"}
WS = "providers/Microsoft.HealthcareApis/workspaces"
UPDATE_TARGETS = 100


def group_path(sub: str, group: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}"


def workspaces(sub: str, group: str) -> str:
    return f"{group_path(sub, group)}/{WS}"


# -- processes -----------------------------------------------------------------------------------------


def rss_mb(pid: int) -> dict[str, float]:
    """Resident set size now and at its peak (VmHWM), in MB, from /proc."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return {"rss_mb": round(values.get("VmRSS", 0), 1), "peak_mb": round(values.get("VmHWM", 0), 1)}


def emulator(data_dir: Path, **settings: str) -> EmulatorProcess:
    settings.setdefault("log_level", "warning")
    return EmulatorProcess(data_dir, **settings)


def start_timed(process: EmulatorProcess, timeout: float = 30.0) -> float:
    """Start and poll health every 5 ms; seconds from spawn to the first 200."""
    started = time.perf_counter()
    process.start_without_health_check()
    deadline = time.monotonic() + timeout
    with httpx.Client(verify=process.verify, timeout=2) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if client.get(f"{process.url}/_emulator/health").status_code == 200:
                    return time.perf_counter() - started
            time.sleep(0.005)
    process.stop(signal.SIGKILL)
    raise RuntimeError("the emulator did not become healthy")


class BareApp:
    """benchmarks/bare_app.py as a child process, with the emulator's certificate (or plain HTTP)."""

    def __init__(self, tls_dir: Path | None, *, stock_protocol: bool = False) -> None:
        self.tls_dir = tls_dir
        self.stock_protocol = stock_protocol
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> BareApp:
        args = [sys.executable, str(HERE / "bare_app.py"), "--log-level", "warning"]
        if self.stock_protocol:
            args.append("--stock-protocol")
        if self.tls_dir is not None:
            args += [
                "--cert-file",
                str(self.tls_dir / "server.pem"),
                "--key-file",
                str(self.tls_dir / "server-key.pem"),
            ]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "listening on" not in line:
            self.stop()
            raise RuntimeError(f"bare app did not start: {line!r}")
        self.url = line.split()[-1]
        deadline = time.monotonic() + 20
        with httpx.Client(verify=False, timeout=2) as client:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"{self.url}/_emulator/health").status_code == 200:
                        return self
                time.sleep(0.02)
        self.stop()
        raise RuntimeError("bare app did not become healthy")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def loads(self, run_id: str) -> dict[str, Load]:
        """Its endpoints matching the emulator's loads: GET one, PUT create (names prefixed `run_id`), a list of 100."""
        return {
            "get": Load("get", f"{self.url}/item/ws-get"),
            "put": Load("put", self.url, "put_create.lua", ["/item", "x=1", run_id]),
            "list": Load("list", f"{self.url}/items"),
        }

    def stop(self) -> None:
        if self.process is not None:
            stop_child(self.process)
            self.process = None


# -- wrk -----------------------------------------------------------------------------------------------


@dataclass
class Load:
    """One wrk run: a URL, an optional scenario script and its arguments."""

    name: str
    url: str
    script: str = "get.lua"
    args: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=lambda: dict(AUTH))


# Numbers the runs of put_create.lua (see `wrk`).
_CREATE_RUNS = itertools.count(1)


def wrk(load: Load, *, connections: int, duration: float, threads: int = 1) -> dict[str, Any]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    command += ["-s", str(LUA / load.script)]
    for key, value in load.headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(load.url)
    args = load.args
    if load.script == "put_create.lua":
        # Names of this run's own (the script's third argument prefixes them): a run re-using an
        # earlier run's names (its warm-up's, say) would send unchanged re-PUTs, ARM's no-op, not creates.
        args = [*args[:2], f"{args[2]}r{next(_CREATE_RUNS)}", *args[3:]]
    if args:
        command += ["--", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    match = re.search(r"^BENCH_JSON (.*)$", done.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    raw = json.loads(match.group(1))
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "requests": raw["requests"],
        "errors": errors,
        "connections": connections,
    }


def measure(
    load: Load, *, connections: int, duration: float, warmup: float, profile_to: Path | None = None, pid: int = 0
) -> dict[str, Any]:
    if warmup:
        wrk(load, connections=connections, duration=warmup)
    if profile_to is None:
        return wrk(load, connections=connections, duration=duration)
    with py_spy(pid, profile_to, duration):
        return wrk(load, connections=connections, duration=duration)


def service_latency(load: Load, duration: float, runs: int = 3) -> dict[str, Any]:
    """Latency at 1 connection: `runs` short runs, the one with the median p50 (single runs on a
    shared 2-core machine vary by a third)."""
    results = sorted((wrk(load, connections=1, duration=duration) for _ in range(runs)), key=lambda m: m["p50_ms"])
    return results[len(results) // 2]


@contextlib.contextmanager
def py_spy(pid: int, raw_out: Path, limit: float) -> Iterator[None]:
    """Samples the server's Python stacks (py-spy, a dev dependency) while the block runs (at most
    `limit` seconds): collapsed stacks in `raw_out`, for benchmarks/profile_summary.py."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    spy = subprocess.Popen(
        [exe, "record", "-p", str(pid), "-r", "250", "-d", str(int(limit) + 1), "-f", "raw"]  # noqa: RUF005
        + ["--full-filenames", "--nonblocking", "-o", str(raw_out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.3)
        yield
    finally:
        if spy.poll() is None:
            spy.send_signal(signal.SIGINT)  # py-spy writes what it has and exits
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()


def alternated_ratios(
    loads: dict[str, Load],
    client: httpx.Client,
    tls_dir: Path,
    rounds: int,
    connections: int,
    duration: float,
    warmup: float,
) -> dict[str, Any]:
    """The target ratios again, each emulator load and the bare app's matching one taken in turn,
    `rounds` times, while both servers are up (the idle one costs nothing): a change of the machine's
    speed during the run (other work on it) falls on both sides of a round alike. Medians of the
    rounds' ratios."""
    if rounds <= 0:
        return {}
    print(f"[bench] emulator and bare app alternated, {rounds} rounds ...", flush=True)
    pairs = {"get": "get", "put_create": "put", "put_create_lro": "put"}
    bare = BareApp(tls_dir).start()
    try:
        bare_loads = bare.loads("alt")
        found: dict[str, list[float]] = {name: [] for name in pairs}
        for round_number in range(rounds):
            for name, against in pairs.items():
                # Every other round the bare app goes first: a drift of the machine's speed within a
                # round then favours neither side.
                bare_load = bare_loads[against]
                theirs = (
                    measure(bare_load, connections=connections, duration=duration, warmup=warmup)
                    if round_number % 2
                    else None
                )
                mine = measure(loads[name], connections=connections, duration=duration, warmup=warmup)
                if name == "put_create_lro":
                    settle(client)
                if theirs is None:
                    theirs = measure(bare_load, connections=connections, duration=duration, warmup=warmup)
                found[name].append(ratio(mine["rps"], theirs["rps"]))
    finally:
        bare.stop()
    out = {name: {"median": statistics.median(values), "rounds": values} for name, values in found.items()}
    print(f"[bench]   {out}", flush=True)
    return out


def settle(client: httpx.Client, limit: float = 120) -> float:
    """Seconds until no operation is in flight (the walker has caught up), polled every 0.1 s."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if not client.get("/_emulator/operations", params={"active": "true"}).json()["value"]:
            break
        time.sleep(0.1)
    return round(time.monotonic() - started, 2)


# -- fixtures ------------------------------------------------------------------------------------------


def import_state(client: httpx.Client, document: dict[str, Any]) -> None:
    response = client.post("/_emulator/state", json=document, timeout=600)
    response.raise_for_status()


def workspace_entries(sub: str, group: str, names: list[str]) -> list[dict[str, Any]]:
    return [
        {"id": f"{workspaces(sub, group)}/{n}", "apiVersion": "2024-03-31", "location": "eastus", "tags": {"n": n}}
        for n in names
    ]


def make_fixtures(client: httpx.Client) -> None:
    groups = ["bench-rg", "bench-create", "bench-update", "bench-list"]
    resources = workspace_entries(SUB, "bench-rg", ["ws-get", "dicom-parent"])
    resources += workspace_entries(SUB, "bench-update", [f"upd{i:03d}" for i in range(UPDATE_TARGETS)])
    resources += workspace_entries(SUB, "bench-list", [f"lst{i:05d}" for i in range(1000)])
    import_state(
        client,
        {
            "subscriptions": [SUB],
            "resourceGroups": [{"id": group_path(SUB, g), "location": "eastus"} for g in groups],
            "resources": resources,
        },
    )


def page_url(client: httpx.Client, first: str, pages: int) -> tuple[str, float]:
    """The nextLink `pages` pages on from `first`, and how long the walk took per page (ms)."""
    url = first
    started = time.perf_counter()
    for _ in range(pages):
        body = client.get(url).json()
        url = body["nextLink"]
    return url, (time.perf_counter() - started) * 1000 / max(pages, 1)


def load_store(client: httpx.Client, total: int, chunk: int) -> dict[str, Any]:
    """`total` workspaces in LOAD_SUB, 1,000 per resource group, imported `chunk` at a time."""
    started = time.perf_counter()
    per_group = 1000
    made = 0
    while made < total:
        size = min(chunk, total - made)
        names = list(range(made, made + size))
        groups = sorted({i // per_group for i in names})
        resources = []
        for g in groups:
            in_group = [f"w{i % per_group:05d}" for i in names if i // per_group == g]
            resources += workspace_entries(LOAD_SUB, f"load-rg-{g:03d}", in_group)
        import_state(
            client,
            {
                "subscriptions": [LOAD_SUB],
                "resourceGroups": [
                    {"id": group_path(LOAD_SUB, f"load-rg-{g:03d}"), "location": "eastus"} for g in groups
                ],
                "resources": resources,
            },
        )
        made += size
    seconds = time.perf_counter() - started
    return {"resources": total, "seconds": round(seconds, 1), "per_second": round(total / seconds)}


# -- operations ----------------------------------------------------------------------------------------


async def _create_operations(url: str, verify: ssl.SSLContext | bool, count: int, step: float) -> list[int]:
    """`count` DICOM service creates (10 workspaces x count/10), each an LRO whose step takes `step` s."""
    headers = {**AUTH, "x-ms-emulator-lro-step-seconds": str(step)}
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=url, verify=verify, headers=headers, timeout=60, limits=limits) as client:
        queue: asyncio.Queue[str] = asyncio.Queue()
        for i in range(count):
            ws = f"ops-ws{i % 10}"
            queue.put_nowait(f"{workspaces(OPS_SUB, 'ops-rg')}/{ws}/dicomservices/d{i:05d}?{HC}")

        async def worker() -> None:
            while not queue.empty():
                path = queue.get_nowait()
                response = await client.put(path, json={"location": "eastus"})
                statuses.append(response.status_code)

        await asyncio.gather(*(worker() for _ in range(16)))
    return statuses


def prepare_operations(data_dir: Path, count: int, min_wait: float) -> dict[str, Any]:
    """Starts `count` LROs on a server of their own and stops it; they fall due while it is down.

    The step time is set per request (x-ms-emulator-lro-step-seconds) longer than the whole creation
    takes, so none is due before the server stops, and all are due by the time it restarts."""
    process = emulator(data_dir).start()
    try:
        with httpx.Client(base_url=process.url, verify=process.verify, headers=AUTH, timeout=60) as client:
            import_state(
                client,
                {
                    "subscriptions": [OPS_SUB],
                    "resourceGroups": [{"id": group_path(OPS_SUB, "ops-rg"), "location": "eastus"}],
                    "resources": workspace_entries(OPS_SUB, "ops-rg", [f"ops-ws{i}" for i in range(10)]),
                },
            )
        # A probe for the creation rate, then a step long enough for the whole batch.
        probe = 200
        started = time.perf_counter()
        asyncio.run(_create_operations(process.url, process.verify, probe, 3600))
        rate = probe / (time.perf_counter() - started)
        with httpx.Client(base_url=process.url, verify=process.verify, headers=AUTH, timeout=60) as client:
            client.post("/_emulator/reset", params={"subscription": OPS_SUB}).raise_for_status()
            import_state(
                client,
                {
                    "subscriptions": [OPS_SUB],
                    "resourceGroups": [{"id": group_path(OPS_SUB, "ops-rg"), "location": "eastus"}],
                    "resources": workspace_entries(OPS_SUB, "ops-rg", [f"ops-ws{i}" for i in range(10)]),
                },
            )
        step = max(min_wait, 1.5 * count / rate + 5)
        started = time.perf_counter()
        statuses = asyncio.run(_create_operations(process.url, process.verify, count, step))
        created_seconds = time.perf_counter() - started
    finally:
        process.stop()
    with contextlib.closing(sqlite3.connect(f"file:{data_dir / 'emulator.db'}?mode=ro", uri=True)) as db:
        last_due = db.execute("SELECT max(due_at), count(*) FROM operations WHERE due_at IS NOT NULL").fetchone()
    return {
        "count": count,
        "accepted": sum(1 for s in statuses if s == 201),
        "statuses": sorted(set(statuses)),
        "create_seconds": round(created_seconds, 1),
        "create_per_second": round(count / created_seconds),
        "step_seconds": round(step, 1),
        "due_by": last_due[0],
        "pending_at_stop": last_due[1],
    }


def drain_operations(data_dir: Path, prepared: dict[str, Any], profile_to: Path | None) -> dict[str, Any]:
    """Restart once all are due; time until the walker has brought every one to a terminal state,
    probing `GET /_emulator/health` meanwhile (how long the walker holds the event loop)."""
    wait = (prepared["due_by"] or 0) - time.time() + 1
    if wait > 0:
        print(f"[bench]   waiting {wait:.0f} s for the last operation to fall due", flush=True)
        time.sleep(min(wait, 900))
    db_file = data_dir / "emulator.db"
    process = emulator(data_dir)
    spawned = time.perf_counter()
    seconds_to_health = start_timed(process)
    up_at = time.time()
    pending = prepared["pending_at_stop"]
    probes: list[float] = []
    assert process.process is not None
    spy = py_spy(process.process.pid, profile_to, 600) if profile_to else contextlib.nullcontext()
    try:
        with (
            contextlib.closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=5)) as db,
            httpx.Client(base_url=process.url, verify=process.verify, timeout=60) as client,
        ):
            with spy:
                deadline = time.monotonic() + 600
                while time.monotonic() < deadline:
                    pending = db.execute("SELECT count(*) FROM operations WHERE due_at IS NOT NULL").fetchone()[0]
                    if pending == 0:
                        break
                    asked = time.perf_counter()
                    client.get("/_emulator/health")
                    probes.append(time.perf_counter() - asked)
                    time.sleep(0.05)
            drained = time.perf_counter() - spawned
            rows = db.execute("SELECT ended_at, status FROM operations").fetchall()
    finally:
        process.stop()
    lags = sorted(r[0] - up_at for r in rows if r[0] is not None)
    probes.sort()
    return {
        "seconds_to_health": round(seconds_to_health, 2),
        "seconds_to_all_terminal": round(drained, 2),
        "walk_seconds": round(drained - seconds_to_health, 2),
        "still_pending": pending,
        "statuses": {s: sum(1 for r in rows if r[1] == s) for s in sorted({r[1] for r in rows})},
        "ops_per_second": round(len(rows) / max(drained - seconds_to_health, 1e-3)),
        "terminal_after_health_p50_s": round(lags[len(lags) // 2], 2) if lags else None,
        "terminal_after_health_max_s": round(lags[-1], 2) if lags else None,
        "health_probes": len(probes),
        "health_probe_p50_ms": round(probes[len(probes) // 2] * 1000, 1) if probes else None,
        "health_probe_max_ms": round(probes[-1] * 1000, 1) if probes else None,
    }


# -- the machine ---------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) / 1024 / 1024
    versions = {}
    for package in ("uvicorn", "fastapi", "starlette", "pydantic", "sqlalchemy", "uvloop", "httptools", "psycopg"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("[")[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True).stdout
    # The emulator measured is the one its child processes import (PYTHONPATH can point at another src/).
    imported = subprocess.run(
        [sys.executable, "-c", "import arm_emulator; print(arm_emulator.__file__)"], capture_output=True, text=True
    ).stdout.strip()
    if not imported.startswith(str(ROOT / "src")):
        commit, dirty = f"{os.environ.get('ARM_BENCH_SRC_LABEL', '?')} (src: {Path(imported).parent.parent})", ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "openssl": ssl.OPENSSL_VERSION,
        "packages": versions,
        "wrk": wrk_version.strip(),
        "commit": commit.strip() + (" (src/ modified)" if dirty.strip() else ""),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
        "postgres": postgres_version(),
    }


def postgres_version() -> str:
    """The bench's PostgreSQL server version ("" when the run has none)."""
    if POSTGRES_URL is None:
        return ""
    import sqlalchemy

    engine = sqlalchemy.create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW server_version").scalar()).split()[0]
    finally:
        engine.dispose()


def import_times() -> list[tuple[str, float]]:
    """The heaviest imports of the server's start-up (`python -X importtime`): (module, cumulative ms),
    at any depth (a module's figure includes what it imports), heaviest first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import arm_emulator.cli, arm_emulator.app, uvicorn"],
        capture_output=True,
        text=True,
        check=False,
    )
    totals: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            totals.append((match.group(4), int(match.group(2)) / 1000))
    return sorted(totals, key=lambda t: -t[1])[:16]


# -- the run -------------------------------------------------------------------------------------------


def run(options: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "settings": {}}
    duration, warmup, latency_duration = options.duration, options.warmup, options.latency_duration
    connections = options.connections
    results["settings"] = {
        "wrk": f"1 thread, {connections} connections, {duration} s per load after a {warmup} s warm-up; "
        f"service latency at 1 connection for {latency_duration} s (store-size table: median of 3 such runs)",
        "server": "uvicorn (uvloop, httptools), one worker, TLS with the emulator's generated certificate, "
        "log level warning, default emulator settings (fast LROs, lenient auth, page size 100)",
        "resources": options.resources,
        "operations": options.operations,
    }
    work = Path(tempfile.mkdtemp(prefix="arm-bench-"))
    profiles: dict[str, Path] = {}
    raw_dir = work / "profiles"
    raw_dir.mkdir()

    def profile_path(name: str) -> Path | None:
        if not options.profile:
            return None
        profiles[name] = raw_dir / f"{name}.txt"
        return profiles[name]

    try:
        # 1. The 10k operations are created first, so they fall due while the rest runs.
        print("[bench] starting operations for the walker drain ...", flush=True)
        ops_dir = work / "ops"
        prepared = prepare_operations(ops_dir, options.operations, min_wait=30)
        results["operations_prepared"] = prepared
        print(f"[bench]   {prepared}", flush=True)

        # 2. Cold start: the first start makes the CA and keys; restarts reuse them.
        print("[bench] cold starts ...", flush=True)
        first, restarts, idle = [], [], []
        for i in range(options.starts):
            data = work / f"cold{i}"
            process = emulator(data)
            first.append(start_timed(process))
            process.stop()
            process = emulator(data)
            restarts.append(start_timed(process))
            time.sleep(1)
            idle.append(rss_mb(process.process.pid)["rss_mb"])  # type: ignore[union-attr]
            process.stop()
        results["cold_start"] = {
            "first_start_s": {"median": round(statistics.median(first), 3), "max": round(max(first), 3)},
            "restart_s": {"median": round(statistics.median(restarts), 3), "max": round(max(restarts), 3)},
            "import_ms": import_times(),
        }
        results["rss_idle_mb"] = round(statistics.median(idle), 1)

        # 3. The emulator under load.
        print("[bench] emulator under load ...", flush=True)
        data = work / "main"
        process = emulator(data)
        start_timed(process)
        pid = process.process.pid  # type: ignore[union-attr]
        time.sleep(1)
        results["rss_idle_after_start"] = rss_mb(pid)
        client = httpx.Client(base_url=process.url, verify=process.verify, headers=AUTH, timeout=60)
        try:
            make_fixtures(client)
            url = process.url
            run_id = secrets.token_hex(2)
            list_first = f"{url}{workspaces(SUB, 'bench-list')}?{HC}"
            list_deep, _ = page_url(client, list_first, 5)
            loads = {
                "get": Load("get", f"{url}{workspaces(SUB, 'bench-rg')}/ws-get?{HC}"),
                "put_create": Load(
                    "put_create", url, "put_create.lua", [workspaces(SUB, "bench-create"), HC, f"c{run_id}"]
                ),
                "put_create_lro": Load(
                    "put_create_lro",
                    url,
                    "put_create.lua",
                    [f"{workspaces(SUB, 'bench-rg')}/dicom-parent/dicomservices", HC, f"d{run_id}"],
                ),
                "put_update": Load(
                    "put_update",
                    url,
                    "put_update.lua",
                    [workspaces(SUB, "bench-update"), HC, "upd", str(UPDATE_TARGETS)],
                ),
                "list_first_page": Load("list_first_page", list_first),
                "list_deep_page": Load("list_deep_page", list_deep),
            }
            # The LRO creates go last: the walker finishes their operations in the background after.
            loads["put_create_lro"] = loads.pop("put_create_lro")
            emu: dict[str, Any] = {}
            for name, load in loads.items():
                # Each load twice: throughput at `connections`, then service latency at 1 connection.
                emu[name] = measure(load, connections=connections, duration=duration, warmup=warmup)
                emu[name]["c1"] = measure(load, connections=1, duration=latency_duration, warmup=0)
                print(f"[bench]   {name}: {emu[name]}", flush=True)
            emu["walker_settle_s"] = settle(client)
            results["emulator"] = emu
            results["rss_after_load"] = rss_mb(pid)
            results["alternated"] = alternated_ratios(
                loads, client, data / "tls", options.rounds, connections, options.round_seconds, warmup
            )
            # Counted in the file, not through an export: the server would build the whole document
            # (every resource the loads made: more the faster it is), and the RSS measured later
            # would carry that peak (at b28c66e, 54,000 resources in the small store: 169 MB with
            # 100k, where the run before, with 24,000, had measured 142).
            with contextlib.closing(sqlite3.connect(f"file:{data / 'emulator.db'}?mode=ro", uri=True)) as db:
                results["baseline_store_resources"] = db.execute("SELECT count(*) FROM resources").fetchone()[0]
            size_loads = {
                "get": loads["get"],
                "list_first_page": loads["list_first_page"],
                "list_deep_page": loads["list_deep_page"],
                # ARM's list of every resource (Resources_List), whole and by `resourceType eq`.
                "resources_first_page": Load("resources_first", f"{url}/subscriptions/{SUB}/resources?{RESOURCES}"),
                "resources_by_type_first_page": Load(
                    "resources_by_type",
                    f"{url}/subscriptions/{SUB}/resources?{RESOURCES}&%24filter="
                    + quote("resourceType eq 'Microsoft.HealthcareApis/workspaces'"),
                ),
            }
            at_small = {name: service_latency(load, latency_duration) for name, load in size_loads.items()}

            if options.profile:
                print("[bench] profiles ...", flush=True)
                for name, load in loads.items():
                    out = profile_path(f"emulator_{name}")
                    measure(load, connections=connections, duration=8, warmup=0, profile_to=out, pid=pid)
                settle(client)

            # 5. 100k resources.
            print(f"[bench] loading {options.resources} resources ...", flush=True)
            spy = py_spy(pid, profile_path("import_100k"), 900) if options.profile else contextlib.nullcontext()
            with spy:
                results["load"] = load_store(client, options.resources, options.chunk)
            time.sleep(2)
            results["rss_after_100k"] = rss_mb(pid)
            big_group = f"load-rg-{(options.resources // 1000) // 2:03d}"
            size_loads["get_in_loaded_group"] = Load(
                "get_in_loaded", f"{url}{workspaces(LOAD_SUB, big_group)}/w00500?{HC}"
            )
            sub_first = f"{url}/subscriptions/{LOAD_SUB}/{WS}?{HC}"
            walk_pages = options.resources // 100 - 1
            sub_deep, per_page = page_url(client, sub_first, walk_pages)
            results["subscription_walk"] = {"pages": walk_pages, "ms_per_page": round(per_page, 2)}
            size_loads["subscription_first_page"] = Load("sub_first", sub_first)
            size_loads["subscription_last_page"] = Load("sub_last", sub_deep)
            size_loads["resources_loaded_first_page"] = Load(
                "resources_loaded", f"{url}/subscriptions/{LOAD_SUB}/resources?{RESOURCES}"
            )
            for load in size_loads.values():
                wrk(load, connections=1, duration=1)  # warm the pages of the bigger file
            at_big = {name: service_latency(load, latency_duration) for name, load in size_loads.items()}
            at_big["get_c16"] = measure(loads["get"], connections=connections, duration=duration, warmup=warmup)
            if options.profile:
                measure(
                    loads["get"],
                    connections=connections,
                    duration=8,
                    warmup=0,
                    profile_to=profile_path("emulator_get_at_100k"),
                    pid=pid,
                )
            results["store_size"] = {"small": at_small, "big": at_big}
            results["rss_after_100k_and_load"] = rss_mb(pid)
            tls_dir = data / "tls"
        finally:
            client.close()
            process.stop()

        # 4. The bare app on the same certificate.
        print("[bench] bare FastAPI app ...", flush=True)
        bare = BareApp(tls_dir).start()
        try:
            time.sleep(1)
            results["bare_rss_idle_after_start"] = rss_mb(bare.pid)
            bare_loads = bare.loads(f"b{run_id}")
            base: dict[str, Any] = {}
            for name, load in bare_loads.items():
                base[name] = measure(load, connections=connections, duration=duration, warmup=warmup)
                base[name]["c1"] = measure(load, connections=1, duration=latency_duration, warmup=0)
                print(f"[bench]   bare {name}: {base[name]}", flush=True)
            results["bare"] = base
            results["bare_rss_after_load"] = rss_mb(bare.pid)
            if options.profile:
                measure(
                    bare_loads["get"],
                    connections=connections,
                    duration=8,
                    warmup=0,
                    profile_to=profile_path("bare_get"),
                    pid=bare.pid,
                )
        finally:
            bare.stop()
        # 4b. The same bare app on uvicorn's own protocol (without the emulator's coalesced writes).
        print("[bench] bare FastAPI app on stock uvicorn ...", flush=True)
        stock = BareApp(tls_dir, stock_protocol=True).start()
        try:
            stock_loads = stock.loads(f"s{run_id}")
            results["bare_stock"] = {
                name: measure(stock_loads[name], connections=connections, duration=duration, warmup=warmup)
                for name in ("get", "put")
            }
            print(f"[bench]   bare on stock uvicorn: {results['bare_stock']}", flush=True)
        finally:
            stock.stop()

        if options.http:
            results["http"] = plain_http(work, connections, duration, warmup, run_id)

        # 6. The walker drain.
        print("[bench] restarting the operations server ...", flush=True)
        results["operations"] = drain_operations(ops_dir, prepared, profile_path("walker_drain"))
        print(f"[bench]   {results['operations']}", flush=True)

        # 7. PostgreSQL: one replica, then three on one database.
        if POSTGRES_URL is not None:
            results["postgres"] = postgres_column(work, connections, duration, warmup, run_id)

        if options.profile:
            out_dir = HERE / "profiles"
            out_dir.mkdir(exist_ok=True)
            for name, raw in profiles.items():
                if not raw.exists():
                    continue
                if options.keep_raw:
                    shutil.copy(raw, out_dir / f"{name}.raw.txt")
                try:
                    summary = summarise(raw, top=40, group=True, focus="arm_emulator/")
                except (OSError, ValueError) as error:
                    summary = f"could not summarise {name}: {error}"
                (out_dir / f"{name}.txt").write_text(summary + "\n")
            results["profiles"] = sorted(profiles)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def new_postgres_database() -> str:
    """An empty database on the bench's PostgreSQL server, as a SQLAlchemy URL."""
    from arm_emulator.store.server_databases import create_empty_database  # only this part of the bench needs it

    assert POSTGRES_URL is not None
    return create_empty_database(POSTGRES_URL, f"arm_bench_{secrets.token_hex(6)}")


def write_loads(urls: list[str], run_id: str) -> dict[str, list[Load]]:
    """GET and the two PUT creates, one `Load` per replica (each creates names of its own)."""
    loads: dict[str, list[Load]] = {"get": [], "put_create": [], "put_create_lro": []}
    for i, url in enumerate(urls):
        loads["get"].append(Load("get", f"{url}{workspaces(SUB, 'bench-rg')}/ws-get?{HC}"))
        loads["put_create"].append(
            Load("put_create", url, "put_create.lua", [workspaces(SUB, "bench-create"), HC, f"q{i}{run_id}"])
        )
        loads["put_create_lro"].append(
            Load(
                "put_create_lro",
                url,
                "put_create.lua",
                [f"{workspaces(SUB, 'bench-rg')}/dicom-parent/dicomservices", HC, f"e{i}{run_id}"],
            )
        )
    return loads


def spread(loads: list[Load], *, connections: int, duration: float, warmup: float) -> dict[str, Any]:
    """One wrk per load (per replica) at once, the connections shared out; throughput summed, latency the
    slowest replica's."""
    shares = [connections // len(loads) + (1 if i < connections % len(loads) else 0) for i in range(len(loads))]
    if len(loads) == 1:
        return measure(loads[0], connections=connections, duration=duration, warmup=warmup)
    with concurrent.futures.ThreadPoolExecutor(len(loads)) as pool:
        runs = list(
            pool.map(
                lambda pair: measure(pair[0], connections=pair[1], duration=duration, warmup=warmup),
                zip(loads, shares, strict=True),
            )
        )
    return {
        "rps": round(sum(m["rps"] for m in runs), 1),
        "p50_ms": max(m["p50_ms"] for m in runs),
        "p99_ms": max(m["p99_ms"] for m in runs),
        "max_ms": max(m["max_ms"] for m in runs),
        "requests": sum(m["requests"] for m in runs),
        "errors": sum(m["errors"] for m in runs),
        "connections": connections,
    }


def postgres_column(work: Path, connections: int, duration: float, warmup: float, run_id: str) -> dict[str, Any]:
    """GET and the PUT creates on PostgreSQL: one replica, then three replicas of one database sharing
    one data dir (one CA), as the README's "A shared emulator" runs them."""
    out: dict[str, Any] = {}
    for replicas in (1, 3):
        print(f"[bench] PostgreSQL, {replicas} replica(s) ...", flush=True)
        url = new_postgres_database()
        processes = [emulator(work / f"pg{replicas}", database_url=url) for _ in range(replicas)]
        try:
            for process in processes:
                process.start_without_health_check()
            for process in processes:
                process.wait_healthy(process.verify)
            first = processes[0]
            with httpx.Client(base_url=first.url, verify=first.verify, headers=AUTH, timeout=60) as client:
                make_fixtures(client)
                # The first read after the import waits for what the import left to do (seconds on
                # PostgreSQL): each replica answers one before the clock starts.
                for process in processes:
                    with httpx.Client(verify=process.verify, headers=AUTH, timeout=120) as each:
                        each.get(f"{process.url}{workspaces(SUB, 'bench-rg')}/ws-get?{HC}").raise_for_status()
                loads = write_loads([p.url for p in processes], f"{replicas}{run_id}")
                column: dict[str, Any] = {}
                for name, per_replica in loads.items():
                    column[name] = spread(per_replica, connections=connections, duration=duration, warmup=warmup)
                    print(f"[bench]   {name}: {column[name]}", flush=True)
                column["walker_settle_s"] = settle(client)
            out[f"replicas_{replicas}"] = column
        finally:
            for process in processes:
                process.stop()
    return out


def plain_http(work: Path, connections: int, duration: float, warmup: float, run_id: str) -> dict[str, Any]:
    """GET, PUT create and the first list page over plain HTTP, emulator and bare app."""
    print("[bench] plain HTTP ...", flush=True)
    out: dict[str, Any] = {}
    process = emulator(work / "http", tls="false")
    start_timed(process)
    try:
        with httpx.Client(base_url=process.url, headers=AUTH, timeout=60) as client:
            make_fixtures(client)
        url = process.url
        loads = {
            "get": Load("get", f"{url}{workspaces(SUB, 'bench-rg')}/ws-get?{HC}"),
            "put_create": Load(
                "put_create", url, "put_create.lua", [workspaces(SUB, "bench-create"), HC, f"h{run_id}"]
            ),
            "list_first_page": Load("list_first_page", f"{url}{workspaces(SUB, 'bench-list')}?{HC}"),
        }
        out["emulator"] = {
            n: measure(ld, connections=connections, duration=duration, warmup=warmup) for n, ld in loads.items()
        }
    finally:
        process.stop()
    bare = BareApp(None).start()
    try:
        loads = bare.loads(f"h{run_id}")
        out["bare"] = {
            n: measure(ld, connections=connections, duration=duration, warmup=warmup) for n, ld in loads.items()
        }
    finally:
        bare.stop()
    return out


# -- the report ----------------------------------------------------------------------------------------

TARGETS = {
    "get_ratio": 0.6,
    "put_create_ratio": 0.5,
    "put_create_lro_ratio": 0.35,
    "cold_start_s": 1.0,
    "rss_idle_mb": 80,
    "rss_100k_mb": 150,
    "get_p50_growth": 1.2,
}


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def alternated_median(alternated: dict[str, Any], name: str, single: float) -> float:
    return round(alternated[name]["median"], 3) if name in alternated else single


def checks(r: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    emu, bare, size = r["emulator"], r["bare"], r["store_size"]
    # The alternated rounds' medians where the run has them (since they were added), else the single pass.
    alternated = r.get("alternated") or {}
    get_ratio = alternated_median(alternated, "get", ratio(emu["get"]["rps"], bare["get"]["rps"]))
    put_ratio = alternated_median(alternated, "put_create", ratio(emu["put_create"]["rps"], bare["put"]["rps"]))
    lro_ratio = alternated_median(alternated, "put_create_lro", ratio(emu["put_create_lro"]["rps"], bare["put"]["rps"]))
    restart = r["cold_start"]["restart_s"]["median"]
    idle = r["rss_idle_mb"]
    big_rss = r["rss_after_100k_and_load"]["rss_mb"]
    growth = ratio(size["big"]["get"]["p50_ms"], size["small"]["get"]["p50_ms"])
    list_growth = ratio(size["big"]["list_first_page"]["p50_ms"], size["small"]["list_first_page"]["p50_ms"])
    deep = ratio(size["big"]["subscription_last_page"]["p50_ms"], size["big"]["subscription_first_page"]["p50_ms"])
    rows = [] if "resources_first_page" not in size["big"] else resource_list_checks(size)
    return [
        ("GET rps / bare GET rps", f"≥ {TARGETS['get_ratio']}", f"{get_ratio}", get_ratio >= TARGETS["get_ratio"]),
        (
            "PUT create (synchronous) rps / bare PUT rps",
            f"≥ {TARGETS['put_create_ratio']}",
            f"{put_ratio}",
            put_ratio >= TARGETS["put_create_ratio"],
        ),
        (
            "PUT create with LRO rps / bare PUT rps",
            f"≥ {TARGETS['put_create_lro_ratio']}",
            f"{lro_ratio}",
            lro_ratio >= TARGETS["put_create_lro_ratio"],
        ),
        ("cold start to health 200 (restart, median)", "≤ 1 s", f"{restart:.2f} s", restart <= 1.0),
        ("RSS idle", "≤ 80 MB", f"{idle:.0f} MB", idle <= 80),
        ("RSS with 100k resources (after the loads)", "≤ 150 MB", f"{big_rss:.0f} MB", big_rss <= 150),
        ("GET p50 at 100k / at the small store", "≤ 1.2", f"{growth}", growth <= 1.2),
        (
            "list page p50 at 100k / small store (1,000-resource group)",
            "flat (≤ 1.2)",
            f"{list_growth}",
            list_growth <= 1.2,
        ),
        ("last / first page p50 of a 100k list", "flat (≤ 1.2)", f"{deep}", deep <= 1.2),
        *rows,
    ]


def resource_list_checks(size: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """ARM's list of every resource must not slow down as the store grows (it pages by position)."""
    every = ratio(size["big"]["resources_first_page"]["p50_ms"], size["small"]["resources_first_page"]["p50_ms"])
    by_type = ratio(
        size["big"]["resources_by_type_first_page"]["p50_ms"], size["small"]["resources_by_type_first_page"]["p50_ms"]
    )
    own = ratio(size["big"]["resources_loaded_first_page"]["p50_ms"], size["small"]["resources_first_page"]["p50_ms"])
    return [
        (
            "GET /subscriptions/{s}/resources first page p50 at 100k / small store",
            "flat (≤ 1.2)",
            f"{every}",
            every <= 1.2,
        ),
        ("… with $filter=resourceType eq, p50 at 100k / small store", "flat (≤ 1.2)", f"{by_type}", by_type <= 1.2),
        ("… of the 100k subscription itself / of the small store's", "flat (≤ 1.2)", f"{own}", own <= 1.2),
    ]


def load_row(name: str, m: dict[str, Any], against: dict[str, Any] | None) -> str:
    c1 = m.get("c1", {})
    vs = f"{ratio(m['rps'], against['rps'])}" if against else ""
    return (
        f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | "
        f"{c1.get('rps', 0):.0f} | {c1.get('p50_ms', 0):.2f} | {c1.get('p99_ms', 0):.2f} | {m['errors']} | {vs} |"
    )


def postgres_report(r: dict[str, Any]) -> list[str]:
    emu, bare, pg = r["emulator"], r["bare"], r["postgres"]
    one, three = pg["replicas_1"], pg["replicas_3"]
    lines = [
        "",
        "## PostgreSQL (1 and 3 replicas) beside SQLite",
        "",
        f"A private PostgreSQL {r['machine'].get('postgres', '')} server on a unix socket "
        "(tools/with-private-postgres: fsync off, a throwaway cluster), on the same 2 cores as the emulator, "
        "wrk and the other replicas. The same loads at the same "
        f"{r['emulator']['get']['connections']} connections; with 3 replicas (one database, one shared data "
        "dir) one wrk per replica at once, the connections shared out, throughput summed, p50 the slowest "
        "replica's. Ratios against the bare app's matching endpoint of this run.",
        "",
        "| load | SQLite req/s | vs bare | PostgreSQL 1 replica req/s | vs bare | p50 ms "
        "| PostgreSQL 3 replicas req/s | vs bare | p50 ms | errors (1 / 3) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, label, against in (
        ("get", "GET one resource", "get"),
        ("put_create", "PUT create (workspace, synchronous 201)", "put"),
        ("put_create_lro", "PUT create (DICOM service, 201 + LRO)", "put"),
    ):
        b = bare[against]["rps"]
        lines.append(
            f"| {label} | {emu[key]['rps']:.0f} | {ratio(emu[key]['rps'], b)} | {one[key]['rps']:.0f} | "
            f"{ratio(one[key]['rps'], b)} | {one[key]['p50_ms']:.1f} | {three[key]['rps']:.0f} | "
            f"{ratio(three[key]['rps'], b)} | {three[key]['p50_ms']:.1f} | {one[key]['errors']} / "
            f"{three[key]['errors']} |"
        )
    lines += [
        "",
        f"After the LRO creates the walkers needed {one['walker_settle_s']} s (1 replica) and "
        f"{three['walker_settle_s']} s (3 replicas) more to finish the operations started.",
    ]
    return lines


def report(r: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    m = r["machine"]
    emu, bare = r["emulator"], r["bare"]
    lines = [
        "# Benchmark results",
        "",
        "Run with `make bench` (installs `wrk`, then `.venv/bin/python benchmarks/run.py`; about 20 minutes; "
        "`--profile` adds py-spy profiles to `benchmarks/profiles/`, `--http` a plain-HTTP pass, "
        "`--rounds`/`--round-seconds` set the alternated rounds the target ratios come from, "
        "`--save-baseline` keeps the run as the before column; `--report-only` rewrites this file). Numbers are "
        "from one run on the machine below; the before column from the baseline run named under Targets.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory_gb']} GB; Linux {m['kernel']}",
        f"- Python {m['python']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {m['postgres']}" if m.get("postgres") else "")
        + f", {m['openssl']}, {m['wrk']}",
        "- " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        f"- commit {m['commit']}, {m['date']}; load average (1, 5, 15 min) at the start "
        f"{' '.join(m.get('loadavg_at_start', []))}, at the end {' '.join(m.get('loadavg_at_end', []))} "
        "(other work on the machine shows here)",
        f"- load: wrk, {r['settings']['wrk']}",
        f"- server: {r['settings']['server']}",
        "",
        "## Targets",
        "",
        "| measure | target | this run | |" + (" before |" if baseline else ""),
        "|---|---|---|---|" + ("---|" if baseline else ""),
    ]
    if baseline:
        bm = baseline["machine"]
        lines[-2:-2] = [
            f"The before column is the baseline run (`benchmarks/baseline.json`): commit {bm['commit']}, "
            f"{bm['date']}, load average at its start {' '.join(bm.get('loadavg_at_start', []))}.",
            "",
        ]
    before = {c[0]: c[2] for c in checks(baseline)} if baseline else {}
    for name, target, value, ok in checks(r):
        lines.append(
            f"| {name} | {target} | {value} | {verdict(ok)} |" + (f" {before.get(name, '')} |" if baseline else "")
        )
    if r.get("alternated"):
        alternated = r["alternated"]
        single = {
            "get": ratio(emu["get"]["rps"], bare["get"]["rps"]),
            "put_create": ratio(emu["put_create"]["rps"], bare["put"]["rps"]),
            "put_create_lro": ratio(emu["put_create_lro"]["rps"], bare["put"]["rps"]),
        }
        rounds = "; ".join(
            f"{name} {', '.join(str(v) for v in alternated[name]['rounds'])} (single pass below: {single[name]})"
            for name in ("get", "put_create", "put_create_lro")
        )
        lines += [
            "",
            "The first three ratios are medians of rounds in which the emulator's load and the bare app's "
            "matching one ran in turn, both servers up (a change of the machine's speed during the run falls "
            f"on both sides of a round alike): {rounds}.",
        ]
    if "bare_stock" in r:
        stock = r["bare_stock"]
        lines += [
            "",
            "The bare app is served as the emulator is, on its HTTP layer (one write an answer). Against the "
            "same app on uvicorn's own protocol (a bare FastAPI app as usually served: "
            f"GET {stock['get']['rps']:.0f} req/s, PUT {stock['put']['rps']:.0f}) the ratios are: GET "
            f"{ratio(emu['get']['rps'], stock['get']['rps'])}, PUT create (synchronous) "
            f"{ratio(emu['put_create']['rps'], stock['put']['rps'])}, PUT create with LRO "
            f"{ratio(emu['put_create_lro']['rps'], stock['put']['rps'])}.",
        ]
    lines += [
        "",
        "## Throughput and latency (HTTPS)",
        "",
        f"{r['settings']['wrk']}. Errors are wrk's (status ≥ 400, socket errors, timeouts). "
        "The ratio is against the bare app's matching endpoint (GET, PUT, list of 100).",
        "",
        "| load | req/s | p50 ms | p99 ms | req/s at c=1 | p50 ms at c=1 | p99 ms at c=1 | errors | vs bare |",
        "|---|---|---|---|---|---|---|---|---|",
        load_row("emulator GET one resource", emu["get"], bare["get"]),
        load_row("emulator PUT create (workspace, synchronous 201)", emu["put_create"], bare["put"]),
        load_row("emulator PUT create (DICOM service, 201 + LRO)", emu["put_create_lro"], bare["put"]),
        load_row("emulator PUT update (workspace, new tag each time)", emu["put_update"], bare["put"]),
        load_row("emulator list, first page (100 of 1,000)", emu["list_first_page"], bare["list"]),
        load_row("emulator list, 6th page (skipToken)", emu["list_deep_page"], bare["list"]),
        load_row("bare GET (same-size JSON)", bare["get"], None),
        load_row("bare PUT (parse body, answer JSON)", bare["put"], None),
        load_row("bare list (100 items)", bare["list"], None),
    ]
    if baseline:
        lines += [
            "",
            "Before (baseline run):",
            "",
            "| load | req/s | p50 ms | p99 ms | ratio |",
            "|---|---|---|---|---|",
        ]
        be, bb = baseline["emulator"], baseline["bare"]
        for key, label, against in (
            ("get", "GET", "get"),
            ("put_create", "PUT create", "put"),
            ("put_create_lro", "PUT create LRO", "put"),
            ("put_update", "PUT update", "put"),
            ("list_first_page", "list first page", "list"),
        ):
            x = be[key]
            vs = ratio(x["rps"], bb[against]["rps"])
            lines.append(f"| {label} | {x['rps']:.0f} | {x['p50_ms']:.1f} | {x['p99_ms']:.1f} | {vs} |")
    if "postgres" in r:
        lines += postgres_report(r)
    size = r["store_size"]
    lines += [
        "",
        "## Store size",
        "",
        f"The small store holds the fixtures ({r['baseline_store_resources']} resources); then "
        f"{r['load']['resources']:,} workspaces are imported through `POST /_emulator/state` "
        f"({r['load']['per_second']:,}/s, {r['load']['seconds']} s). Latency at 1 connection.",
        "",
        "| request | p50 ms small | p99 ms small | p50 ms at 100k | p99 ms at 100k | p50 ratio |",
        "|---|---|---|---|---|---|",
    ]
    labels = {
        "get": "GET one resource",
        "list_first_page": "list a 1,000-resource group, first page",
        "list_deep_page": "list a 1,000-resource group, 6th page",
        "get_in_loaded_group": "GET a resource among the 100k",
        "subscription_first_page": "list the 100k subscription, first page",
        "subscription_last_page": "list the 100k subscription, last page",
        "resources_first_page": "GET /subscriptions/{s}/resources (fixtures' subscription), first page",
        "resources_by_type_first_page": "… $filter=resourceType eq workspaces, first page",
        "resources_loaded_first_page": "GET /subscriptions/{s}/resources of the 100k subscription, first page",
    }
    for key, label in labels.items():
        small = size["small"].get(key)
        big = size["big"].get(key)
        if big is None:  # a results.json from before this row existed
            continue
        if small:
            lines.append(
                f"| {label} | {small['p50_ms']:.2f} | {small['p99_ms']:.2f} | {big['p50_ms']:.2f} | "
                f"{big['p99_ms']:.2f} | {ratio(big['p50_ms'], small['p50_ms'])} |"
            )
        else:
            lines.append(f"| {label} | | | {big['p50_ms']:.2f} | {big['p99_ms']:.2f} | |")
    g16 = size["big"]["get_c16"]
    lines += [
        "",
        f"GET at 100k and {r['emulator']['get']['connections']} connections: {g16['rps']:.0f} req/s "
        f"(small store: {emu['get']['rps']:.0f}). Walking all {r['subscription_walk']['pages']} pages of the "
        f"100k list: {r['subscription_walk']['ms_per_page']} ms a page.",
        "",
        "## Start-up and memory",
        "",
        f"- cold start to health 200: first start (makes the CA, server certificate and signing key) "
        f"median {r['cold_start']['first_start_s']['median']} s, max {r['cold_start']['first_start_s']['max']} s; "
        f"restart on the same data dir median {r['cold_start']['restart_s']['median']} s, "
        f"max {r['cold_start']['restart_s']['max']} s",
        "- heaviest imports of `arm_emulator.cli`, `arm_emulator.app` and `uvicorn` (cumulative ms, "
        "`python -X importtime`, nested modules included in their parents): "
        + ", ".join(f"{name} {ms:.0f}" for name, ms in r["cold_start"]["import_ms"]),
        f"- RSS idle: {r['rss_idle_mb']} MB (median of the restarts, 1 s after health); the bare app: "
        f"{r['bare_rss_idle_after_start']['rss_mb']} MB idle, {r['bare_rss_after_load']['rss_mb']} MB after its loads",
        f"- RSS after the loads on the small store: {r['rss_after_load']['rss_mb']} MB",
        f"- RSS after importing {r['load']['resources']:,}: {r['rss_after_100k']['rss_mb']} MB; after the "
        f"100k loads {r['rss_after_100k_and_load']['rss_mb']} MB; peak {r['rss_after_100k_and_load']['peak_mb']} MB",
    ]
    ops, prep = r["operations"], r["operations_prepared"]
    lines += [
        "",
        "## Operations due at once",
        "",
        f"{prep['count']:,} DICOM service creates (each a 1-step LRO, step {prep['step_seconds']} s set by "
        f"`x-ms-emulator-lro-step-seconds`) were accepted at {prep['create_per_second']}/s ({prep['accepted']:,} "
        f"answered 201), the server stopped with {prep['pending_at_stop']:,} in flight, and restarted once all "
        "were due; nothing polls them, so the background walker alone moves them.",
        "",
        f"- restart to health 200: {ops['seconds_to_health']} s",
        f"- all {prep['count']:,} terminal: {ops['seconds_to_all_terminal']} s after the restart "
        f"({ops['walk_seconds']} s after health, {ops['ops_per_second']} operations/s); still pending: "
        f"{ops['still_pending']}; final statuses {ops['statuses']}",
        f"- an operation reached its terminal state a median {ops['terminal_after_health_p50_s']} s "
        f"(max {ops['terminal_after_health_max_s']} s) after the server was healthy",
        f"- `GET /_emulator/health` meanwhile ({ops['health_probes']} probes): p50 {ops['health_probe_p50_ms']} ms, "
        f"max {ops['health_probe_max_ms']} ms (the walker's batches run on the event loop)",
        f"- after the PUT-create-with-LRO load on the main server, the walker needed "
        f"{r['emulator']['walker_settle_s']} s more to finish the operations that load started",
    ]
    if "http" in r:
        h = r["http"]
        lines += [
            "",
            "## Plain HTTP (same loads, no TLS)",
            "",
            "| load | emulator req/s | bare req/s | ratio |",
            "|---|---|---|---|",
        ]
        for key, against in (("get", "get"), ("put_create", "put"), ("list_first_page", "list")):
            e, b = h["emulator"][key], h["bare"][against]
            lines.append(f"| {key} | {e['rps']:.0f} | {b['rps']:.0f} | {ratio(e['rps'], b['rps'])} |")
    analysis = HERE / "analysis.md"
    if analysis.exists():
        lines += ["", analysis.read_text().rstrip()]
    if r.get("profiles"):
        lines += [
            "",
            "## Profiles",
            "",
            "py-spy summaries of each load: "
            + ", ".join(f"`benchmarks/profiles/{p}.txt`" for p in r["profiles"])
            + ".",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10, help="seconds per throughput load")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--latency-duration", type=float, default=5, help="seconds per 1-connection load")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=7, help="alternated rounds for the target ratios")
    parser.add_argument("--round-seconds", type=float, default=4, help="seconds per load in those rounds")
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2_000, help="resources per import request")
    parser.add_argument("--operations", type=int, default=10_000)
    parser.add_argument("--starts", type=int, default=5, help="cold starts to time")
    parser.add_argument("--quick", action="store_true", help="short loads, 10k resources, 1k operations")
    parser.add_argument("--profile", action="store_true", help="py-spy profiles in benchmarks/profiles/")
    parser.add_argument("--keep-raw", action="store_true", help="keep the raw py-spy stacks too")
    parser.add_argument("--http", action="store_true", help="also measure over plain HTTP")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--baseline", type=Path, default=HERE / "baseline.json")
    parser.add_argument("--save-baseline", action="store_true")
    parser.add_argument("--report-only", action="store_true", help="rewrite results.md from results.json")
    options = parser.parse_args()
    if options.quick:
        options.duration, options.warmup, options.latency_duration = 3, 1, 2
        options.resources, options.operations, options.starts = 10_000, 1_000, 2
        options.rounds, options.round_seconds = 2, 2
    if options.report_only:
        # Rewrite the report from the last run's results.json (e.g. after a new baseline or analysis).
        results = json.loads(options.out.with_suffix(".json").read_text())
        baseline = json.loads(options.baseline.read_text()) if options.baseline.exists() else None
        options.out.write_text(report(results, baseline))
        return 0
    if shutil.which("wrk") is None:
        print("wrk is not installed (make bench installs it: apt-get install wrk)", file=sys.stderr)
        return 2
    results = run(options)
    results["machine"]["loadavg_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
    (options.out.with_suffix(".json")).write_text(json.dumps(results, indent=1) + "\n")
    baseline = None
    if options.save_baseline:
        options.baseline.write_text(json.dumps(results, indent=1) + "\n")
    elif options.baseline.exists():
        baseline = json.loads(options.baseline.read_text())
    options.out.write_text(report(results, baseline))
    print(options.out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
