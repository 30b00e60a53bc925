"""Runs the real emulator as a child process (real HTTPS, real SQLite file) for tests."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from databases import fresh_database_url, on_postgres

from arm_emulator.identity.directory import IDENTITY_FILE


class EmulatorProcess:
    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.data_dir = data_dir
        self.settings = settings
        if on_postgres() and "database_url" not in settings:
            # One database per server, kept across its restarts (as its SQLite file in data_dir would be).
            self.settings["database_url"] = fresh_database_url(data_dir)
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self.banner: list[str] = []

    @property
    def ca_file(self) -> Path:
        return self.data_dir / "tls" / "ca.pem"

    @property
    def identity(self) -> dict[str, Any]:
        """The default tenant, subscription and service principal made on first start."""
        stored: dict[str, Any] = json.loads((self.data_dir / IDENTITY_FILE).read_text())
        return stored

    def start(self, timeout: float = 20.0) -> EmulatorProcess:
        self.start_without_health_check()
        self.wait_healthy(self.verify, timeout)
        return self

    def start_without_health_check(self) -> EmulatorProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARM_EMULATOR_")}
        env.update({f"ARM_EMULATOR_{k.upper()}": v for k, v in self.settings.items()})
        env.setdefault("ARM_EMULATOR_LOG_LEVEL", "warning")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "arm_emulator", "serve", "--port", "0", "--data-dir", str(self.data_dir)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        first_line = self.process.stdout.readline()
        if "listening on" not in first_line:
            self.stop(signal.SIGKILL)
            raise RuntimeError(f"emulator did not start: {first_line!r}")
        self.url = first_line.rsplit(" ", 1)[1].strip()
        self.banner = [first_line.rstrip("\n")]
        while not self.banner[-1].startswith("  health:"):
            self.banner.append(self.process.stdout.readline().rstrip("\n"))
        return self

    def wait_healthy(self, verify: ssl.SSLContext | bool, timeout: float = 20.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/_emulator/health", verify=verify).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("emulator did not become healthy")
            time.sleep(0.05)

    @property
    def verify(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=str(self.ca_file)) if self.url.startswith("https") else False

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Stop the server (if running); its exit code."""
        if self.process is None:
            return None
        code = stop_child(self.process, sig)
        self.process = None
        return code

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, verify=self.verify, headers={"Authorization": "Bearer test-token"}, timeout=10
        )


def stop_child(process: subprocess.Popen[Any], sig: int = signal.SIGTERM) -> int:
    """Signal a child server, give it 10 s to exit (then SIGKILL), close its stdout pipe; its exit code."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout:
        process.stdout.close()
    return process.returncode
