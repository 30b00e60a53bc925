"""The dashboard at /_emulator/ui, in Debian's headless Chromium driven over the DevTools protocol.

No driver and no browser download: Chromium is started with a debugging port and this file speaks the
protocol (JSON over one websocket) itself. `make test` installs Chromium (mk/browser.mk); without it
these tests fail, they do not skip.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SUBSCRIPTION, arm_path
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from emulator_process import EmulatorProcess, stop_child
from websockets.sync.client import ClientConnection, connect

TOKEN = "dashboard-token"
HC = "api-version=2022-06-01"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
    "--remote-debugging-port=0",
)


def spki_sha256(certificate: Path) -> str:
    """What --ignore-certificate-errors-spki-list takes: base64 of the SHA-256 of the public key info."""
    key = x509.load_pem_x509_certificate(certificate.read_bytes()).public_key()
    return base64.b64encode(
        hashlib.sha256(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).digest()
    ).decode()


class Page:
    """One Chromium page over the DevTools protocol: navigate, evaluate JavaScript, wait, screenshot."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:  # events arrive in between; only the answer matters
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message["result"])

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        """Evaluates `expression` until it is truthy; returns that value."""
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for: {expression}")
            time.sleep(0.1)
        return value

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))


@contextmanager
def chromium(profile: Path, trusted_certificate: Path) -> Iterator[Page]:
    """Debian's Chromium, headless, with its first page; it trusts `trusted_certificate` by its key
    (--ignore-certificate-errors-spki-list, honoured with --user-data-dir), and nothing else."""
    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("Chromium is not installed: `make test` installs it (mk/browser.mk)")
    log = profile.parent / "chromium.log"
    trust = f"--ignore-certificate-errors-spki-list={spki_sha256(trusted_certificate)}"
    with log.open("w") as output:
        process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", trust, "about:blank"],
            stdout=output,
            stderr=output,
        )
    try:
        port_file = profile / "DevToolsActivePort"  # written once it listens: port, then browser path
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) == 2):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"Chromium did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)
        port = int(port_file.read_text().splitlines()[0])
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", trust_env=False).json()
        page = next(t for t in targets if t["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None) as socket:
            yield Page(socket)
    finally:
        stop_child(process)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("dashboard"), control_token=TOKEN).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, emulator: EmulatorProcess) -> Iterator[Page]:
    # The server's own key, not the CA's: Chromium matches the SPKI list against the chain the server
    # sends, which is the leaf alone.
    with chromium(tmp_path_factory.mktemp("chromium") / "profile", emulator.data_dir / "tls" / "server.pem") as page:
        yield page


@pytest.fixture
def http(emulator: EmulatorProcess) -> Iterator[httpx.Client]:
    with emulator.client() as client:
        client.headers["x-emulator-token"] = TOKEN
        assert client.post("/_emulator/reset").status_code == 204
        yield client


def select(selector: str) -> str:
    """JavaScript for the first element matching a CSS selector (null if none)."""
    return f"document.querySelector({json.dumps(selector)})"


def field(element: str, name: str) -> str:
    """JavaScript for the text of an element's `[data-field=name]` cell (undefined if either is missing)."""
    return f"{element}?.querySelector('[data-field={name}]')?.textContent"


def test_without_the_control_token_the_page_says_how_to_pass_it(emulator: EmulatorProcess, browser: Page) -> None:
    browser.goto(f"{emulator.url}/_emulator/ui")
    message = browser.wait_for(f"{select('#error[data-shown=true]')}?.textContent")
    assert "401 ControlTokenRequired" in message and "?token=" in message
    assert browser.evaluate(f"{select('#status')}.dataset.ok") == "false"


def test_a_created_resource_appears_and_walks_its_states(
    emulator: EmulatorProcess, browser: Page, http: httpx.Client, tmp_path: Path
) -> None:
    # DICOM creation takes one 600 s step: it stays Creating until the clock is moved on.
    timing = {"types": {"Microsoft.HealthcareApis/workspaces/dicomservices": {"stepSeconds": 600}}}
    assert http.put("/_emulator/lro-timing", json=timing).status_code == 200
    browser.goto(f"{emulator.url}/_emulator/ui?token={TOKEN}")
    browser.wait_for("document.body.dataset.loaded === 'true'")
    assert browser.evaluate(f"{select('#resources-empty')}?.textContent")
    assert browser.evaluate("document.querySelectorAll('[data-resource-id]').length") == 0
    assert browser.evaluate(f"{select('#error')}.dataset.shown") == "false"

    group = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/dash-rg?api-version=2021-04-01"
    assert http.put(group, json={"location": "eastus"}).status_code == 201
    assert http.put(f"{arm_path('dash-rg', 'workspaces', 'ws1')}?{HC}", json={"location": "eastus"}).is_success
    dicom_path = arm_path("dash-rg", "workspaces", "ws1", "dicomservices", "dcm1")
    created = http.put(f"{dicom_path}?{HC}", json={"location": "eastus"})
    assert created.status_code == 201
    dicom = select(f"[data-resource-id={json.dumps(created.json()['id'])}]")

    assert browser.wait_for(field(dicom, "provisioningState")) == "Creating"
    assert browser.evaluate(f"{dicom}.querySelector('.badge').dataset.state") == "Creating"
    assert browser.evaluate(field(dicom, "name")) == "ws1/dcm1"
    assert browser.evaluate(field(dicom, "type")) == "Microsoft.HealthcareApis/workspaces/dicomservices"
    assert browser.evaluate(field(select("[data-resource-group-id$='/dash-rg']"), "location")) == "eastus"
    assert browser.wait_for(field(select("#operations [data-operation-id]"), "resource")) == "ws1/dcm1"

    journal = "[...document.querySelectorAll('#journal [data-sequence]')]"
    put = f"{journal}.find(r => {field('r', 'method')} === 'PUT' && {field('r', 'path')} === {json.dumps(dicom_path)})"
    assert browser.wait_for(f"{put} !== undefined")
    assert [browser.evaluate(field(put, f)) for f in ("status", "retryAfter")] == ["201", "600"]
    assert "/operationresults/" in browser.evaluate(field(put, "pollingUrl")).lower()

    rule = http.post(
        "/_emulator/faults",
        json={
            "match": {"resourceType": "accounts", "method": "PUT"},
            "action": {"type": "error", "status": 429, "code": "TooManyRequests"},
            "times": 2,
        },
    ).json()
    fault = select(f"#faults [data-fault-id={json.dumps(rule['id'])}]")
    assert "TooManyRequests" in browser.wait_for(field(fault, "action"))
    assert browser.evaluate(field(fault, "fired")) == "0 / 2"

    screenshot = tmp_path / "dashboard.png"
    browser.screenshot(screenshot)
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 10_000

    assert http.post("/_emulator/clock/advance", json={"seconds": 600}).status_code == 200
    assert browser.wait_for(f"{field(dicom, 'provisioningState')} === 'Succeeded'")
    assert browser.wait_for(f"{select('#operations .empty')}?.textContent") == "Nothing in flight."
