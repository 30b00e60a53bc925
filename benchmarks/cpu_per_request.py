"""Server CPU time per request, for source trees alternated in one run: on a shared machine, where
throughput moves with everyone else's load, the CPU a request costs the server moves much less.

    .venv/bin/python benchmarks/cpu_per_request.py OLD_SRC NEW_SRC [--rounds 2] [--seconds 4]
    tools/with-private-postgres .venv/bin/python benchmarks/cpu_per_request.py OLD_SRC NEW_SRC   # on PostgreSQL

Each tree serves the bench's fixtures; wrk (4 connections) sends GETs, synchronous PUT creates and
LRO PUT creates (the walker's work to finish them counted too); the bare app the same GETs and PUTs.
The "vs bare" ratio is bare CPU per request / emulator CPU per request: what the throughput ratio is
when the server is the bottleneck.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # the bench's loads and helpers

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def per_request(pid: int, load: run.Load, seconds: int, settle: httpx.Client | None = None) -> float:
    run.wrk(load, connections=4, duration=1)  # warm-up
    if settle is not None:
        run.settle(settle)
    before = cpu_seconds(pid)
    measured = run.wrk(load, connections=4, duration=seconds)
    if settle is not None:
        run.settle(settle)  # the walker finishing what the load started
    return (cpu_seconds(pid) - before) * 1000 / max(measured["requests"], 1)


def emulator_round(src: str, work: Path, seconds: int, tag: str) -> dict[str, float]:
    os.environ["PYTHONPATH"] = src
    # Under tools/with-private-postgres each server gets a new database on that server.
    settings = {"database_url": run.new_postgres_database()} if run.POSTGRES_URL else {}
    process = run.emulator(work / tag, **settings)
    process.start()
    try:
        pid = process.process.pid  # type: ignore[union-attr]
        with httpx.Client(base_url=process.url, verify=process.verify, headers=run.AUTH, timeout=120) as client:
            run.make_fixtures(client)
            client.get(f"{run.workspaces(run.SUB, 'bench-rg')}/ws-get?{run.HC}").raise_for_status()
            loads = run.write_loads([process.url], tag)
            return {
                "get": per_request(pid, loads["get"][0], seconds),
                "put_create": per_request(pid, loads["put_create"][0], seconds),
                "put_create_lro": per_request(pid, loads["put_create_lro"][0], seconds, settle=client),
            }
    finally:
        process.stop()
        os.environ.pop("PYTHONPATH", None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="+", help="src/ directories to alternate")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=4)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arm-cpu-"))
    found: dict[str, list[dict[str, float]]] = {tree: [] for tree in options.trees}
    tls_dir = None
    for i in range(options.rounds):
        for j, tree in enumerate(options.trees):
            found[tree].append(emulator_round(tree, work, options.seconds, f"r{i}t{j}"))
            tls_dir = work / f"r{i}t{j}" / "tls"
    bare = run.BareApp(tls_dir).start()
    try:
        bare_get = per_request(bare.pid, run.Load("get", f"{bare.url}/item/ws-get"), options.seconds)
        put = run.Load("put", bare.url, "put_create.lua", ["/item", "x=1", "b"])
        bare_put = per_request(bare.pid, put, options.seconds)
    finally:
        bare.stop()
    database = "PostgreSQL" if run.POSTGRES_URL else "SQLite"
    print(f"{database}; bare: GET {bare_get:.3f} ms CPU a request, PUT {bare_put:.3f}")
    print("| tree | GET ms CPU | vs bare | PUT create ms CPU | vs bare | PUT create LRO ms CPU | vs bare |")
    print("|---|---|---|---|---|---|---|")
    for tree, rounds in found.items():
        get = statistics.median(r["get"] for r in rounds)
        put = statistics.median(r["put_create"] for r in rounds)
        lro = statistics.median(r["put_create_lro"] for r in rounds)
        print(
            f"| {tree} | {get:.3f} | {bare_get / get:.3f} | {put:.3f} | {bare_put / put:.3f} | "
            f"{lro:.3f} | {bare_put / lro:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
