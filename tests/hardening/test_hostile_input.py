"""Hostile input: each request below is answered with an ARM 4xx error (`{"error": {"code", "message"}}`,
JSON content type), never a 5xx, and the store is exactly as it was (`GET /_emulator/state` before
and after). Requests go over a raw TLS socket, so nothing is normalised or refused client-side:
dot segments, control bytes and huge headers reach the server as written."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import sqlite3
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from conftest import SUBSCRIPTION
from emulator_process import EmulatorProcess

from arm_emulator.testing import ArmEmulator

HC = "api-version=2022-06-01"
DU = "api-version=2023-07-01"
RG_API = "api-version=2021-04-01"
GROUP = "hostile-rg"
GROUP_PATH = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}"
WORKSPACES = f"{GROUP_PATH}/providers/Microsoft.HealthcareApis/workspaces"
DICOM = f"{WORKSPACES}/ws1/dicomservices"
ACCOUNTS = f"{GROUP_PATH}/providers/Microsoft.DeviceUpdate/accounts"
# A type no provider declares: stored generically, so nothing but the engine stands between the body and the store.
GENERIC = f"{GROUP_PATH}/providers/Microsoft.Storage/storageAccounts"
STORAGE = "api-version=2023-05-01"
LIMIT = 4 * 1024 * 1024
GOOD = b'{"location":"eastus"}'


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Hostile:
    """One request, as it goes on the wire (the path is already percent-encoded as wanted)."""

    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    chunked: bool = False
    # Send the headers only and read the answer (a Content-Length the server must refuse unread).
    headers_only: bool = False
    raw_header_block: bytes = b""


def _read_answer(tls: ssl.SSLSocket) -> Answer:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a complete answer: {data[:200]!r}")
        data += chunk
        assert len(data) < 1 << 20, "answer head over 1 MB"
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        raise AssertionError("the server answered with a chunked body; expected Content-Length")
    while len(rest) < length:
        chunk = tls.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Answer(int(status_line.split()[1]), headers, rest[:length])


@contextlib.contextmanager
def connect(base_url: str, ca_file: Path) -> Iterator[ssl.SSLSocket]:
    url = urlsplit(base_url)
    assert url.hostname is not None and url.port is not None
    context = ssl.create_default_context(cafile=str(ca_file))
    with (
        socket.create_connection((url.hostname, url.port), timeout=30) as sock,
        context.wrap_socket(sock, server_hostname=url.hostname) as tls,
    ):
        yield tls


def send(target: EmulatorProcess, request: Hostile) -> Answer:
    url = urlsplit(target.url)
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {url.netloc}",
        "Authorization: Bearer hostile-input-test",
        "Connection: close",
    ]
    lines += [f"{name}: {value}" for name, value in request.headers]
    body = request.body or b""
    if request.chunked:
        lines.append("Transfer-Encoding: chunked")
    elif request.body is not None:
        lines.append(f"Content-Length: {len(body)}")
    head = "\r\n".join(lines).encode("latin-1") + b"\r\n" + request.raw_header_block + b"\r\n"
    with connect(target.url, target.ca_file) as tls:
        tls.sendall(head)
        if request.headers_only:
            return _read_answer(tls)
        if request.chunked:
            step = 256 * 1024
            for start in range(0, len(body), step):
                piece = body[start : start + step]
                tls.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            tls.sendall(b"0\r\n\r\n")
        else:
            tls.sendall(body)
        return _read_answer(tls)


def forged_skip_token(scope: str, after_json: str) -> str:
    """A $skipToken in the emulator's own format (base64 JSON bound to its list), with `after_json`
    as the position: what a client can forge from a real token."""
    tag = hashlib.sha256(scope.encode()).hexdigest()[:12]
    raw = f'{{"s":"{tag}","a":{after_json}}}'.encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def nested(depth: int) -> bytes:
    return b'{"location":"eastus","properties":{"x":' + b"[" * depth + b"]" * depth + b"}}"


def tags_body(tags: dict[str, str]) -> bytes:
    return json.dumps({"location": "eastus", "tags": tags}).encode()


# The list a $skipToken of the workspaces list is bound to (see arm/paging.py).
SCOPE = f"/subscriptions/{SUBSCRIPTION.lower()}/resourcegroups/{GROUP}|microsoft.healthcareapis/workspaces"
HUGE = "x" * (LIMIT + 1)

CASES: dict[str, Hostile] = {
    # -- size ----------------------------------------------------------------------------------------
    "body-over-4mb-content-length": Hostile("PUT", f"{WORKSPACES}/big?{HC}", tags_body({"a": HUGE}), headers_only=True),
    "body-over-4mb-chunked": Hostile("PUT", f"{WORKSPACES}/big?{HC}", tags_body({"a": HUGE}), chunked=True),
    "patch-body-over-4mb-chunked": Hostile("PATCH", f"{WORKSPACES}/ws1?{HC}", tags_body({"a": HUGE}), chunked=True),
    # -- JSON ----------------------------------------------------------------------------------------
    "nested-100000": Hostile("PUT", f"{WORKSPACES}/nested?{HC}", nested(100_000)),
    "nested-5000-objects": Hostile(
        "PUT", f"{WORKSPACES}/nested?{HC}", b'{"location":"eastus","tags":' + b'{"a":' * 5000 + b"1" + b"}" * 5001
    ),
    "integer-with-5000-digits": Hostile(
        "PUT", f"{WORKSPACES}/bigint?{HC}", b'{"location":"eastus","properties":{"x":' + b"9" * 5000 + b"}}"
    ),
    "nan-literal": Hostile("PUT", f"{WORKSPACES}/nan?{HC}", b'{"location":NaN}'),
    "infinity-in-tags": Hostile("PUT", f"{ACCOUNTS}/infinity?{DU}", b'{"location":"eastus","tags":{"x":Infinity}}'),
    "invalid-utf8": Hostile("PUT", f"{WORKSPACES}/utf8?{HC}", b'{"location":"east\xff\xfeus"}'),
    "array-body": Hostile("PUT", f"{WORKSPACES}/array?{HC}", b'[{"location":"eastus"}]'),
    "string-body": Hostile("PUT", f"{WORKSPACES}/string?{HC}", b'"eastus"'),
    "null-body": Hostile("PUT", f"{WORKSPACES}/null?{HC}", b"null"),
    "empty-body": Hostile("PUT", f"{WORKSPACES}/empty?{HC}", b""),
    "truncated-json": Hostile("PUT", f"{WORKSPACES}/truncated?{HC}", b'{"location":"eastus"'),
    "nul-byte-body": Hostile("PUT", f"{WORKSPACES}/nul?{HC}", b"\x00" * 64),
    "tags-not-strings": Hostile("PUT", f"{WORKSPACES}/badtags?{HC}", b'{"location":"eastus","tags":{"a":{"b":1}}}'),
    # -- generic types (bodies kept as sent) --------------------------------------------------------
    "generic-nested-101": Hostile("PUT", f"{GENERIC}/nested?{STORAGE}", nested(101)),
    "generic-patch-nested-900": Hostile("PATCH", f"{GENERIC}/sa1?{STORAGE}", b'{"properties":' + nested(900) + b"}"),
    "generic-nested-objects-5000": Hostile(
        "PUT", f"{GENERIC}/nested?{STORAGE}", b'{"properties":' + b'{"a":' * 5000 + b"1" + b"}" * 5001
    ),
    "generic-name-control": Hostile("PUT", f"{GENERIC}/sa%01x?{STORAGE}", GOOD),
    "generic-name-300-chars": Hostile("PUT", f"{GENERIC}/{'s' * 300}?{STORAGE}", GOOD),
    "generic-api-version-word": Hostile("PUT", f"{GENERIC}/sa2?api-version=latest", GOOD),
    "generic-api-version-missing": Hostile("PUT", f"{GENERIC}/sa2", GOOD),
    "generic-tags-not-strings": Hostile("PUT", f"{GENERIC}/sa2?{STORAGE}", b'{"location":"eastus","tags":{"a":[1]}}'),
    "generic-location-garbage": Hostile("PUT", f"{GENERIC}/sa2?{STORAGE}", b'{"location":"east/../us"}'),
    "generic-location-change": Hostile("PUT", f"{GENERIC}/sa1?{STORAGE}", b'{"location":"westus"}'),
    "generic-array-body": Hostile("PUT", f"{GENERIC}/sa2?{STORAGE}", b"[]"),
    "generic-parent-missing": Hostile("PUT", f"{GENERIC}/nosuch/blobServices/default?{STORAGE}", b"{}"),
    "generic-extension-on-missing-scope": Hostile(
        "PUT", f"{GENERIC}/nosuch/providers/Microsoft.Authorization/roleAssignments/r1?api-version=2022-04-01", b"{}"
    ),
    "generic-reserved-namespace": Hostile(
        "PUT", f"{GROUP_PATH}/providers/Microsoft.Resources/deployments/d1?api-version=2021-04-01", b"{}"
    ),
    # -- names ---------------------------------------------------------------------------------------
    "name-nul": Hostile("PUT", f"{WORKSPACES}/ws%00x?{HC}", GOOD),
    "name-newline": Hostile("PUT", f"{WORKSPACES}/wsx%0A?{HC}", GOOD),
    "name-tab": Hostile("PUT", f"{WORKSPACES}/ws%09x?{HC}", GOOD),
    "name-unicode": Hostile("PUT", f"{WORKSPACES}/{quote('wś-ünï')}?{HC}", GOOD),
    "name-rtl-override": Hostile("PUT", f"{WORKSPACES}/{quote('ws‮xx')}?{HC}", GOOD),
    "name-emoji": Hostile("PUT", f"{WORKSPACES}/{quote('ws🔥x')}?{HC}", GOOD),
    "name-sql": Hostile("PUT", f"{WORKSPACES}/{quote(chr(39) + ' OR 1=1; DROP TABLE resources;--')}?{HC}", GOOD),
    "name-sql-quote-only": Hostile("PUT", f"{WORKSPACES}/ws'x?{HC}", GOOD),
    "name-1000-chars": Hostile("PUT", f"{WORKSPACES}/{'a' * 1000}?{HC}", GOOD),
    "name-encoded-slash": Hostile("PUT", f"{WORKSPACES}/ws%2F..%2F..%2Fx?{HC}", GOOD),
    "name-dot-dot": Hostile("PUT", f"{WORKSPACES}/..?{HC}", GOOD),
    "name-encoded-dot-dot": Hostile("PUT", f"{WORKSPACES}/%2e%2e?{HC}", GOOD),
    "group-nul": Hostile("PUT", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg%00x?{RG_API}", GOOD),
    "group-sql": Hostile("PUT", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg'%20OR%20'1'='1?{RG_API}", GOOD),
    "group-91-chars": Hostile("PUT", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{'r' * 91}?{RG_API}", GOOD),
    "subscription-sql": Hostile("GET", f"/subscriptions/'%20OR%201=1--/resourceGroups?{RG_API}"),
    # -- paths ---------------------------------------------------------------------------------------
    "dot-segments-to-control-reset": Hostile("POST", f"/subscriptions/{SUBSCRIPTION}/../../_emulator/reset"),
    "encoded-dot-segments-to-control-reset": Hostile(
        "POST", f"/subscriptions/{SUBSCRIPTION}/%2e%2e/%2e%2e/_emulator/reset"
    ),
    "dot-segments-delete": Hostile("DELETE", f"{WORKSPACES}/ws1/dicomservices/../../ws1/../..?{HC}"),
    "traversal-etc-passwd": Hostile("GET", f"{WORKSPACES}/..%2F..%2F..%2Fetc%2Fpasswd?{HC}"),
    "path-100kb": Hostile("GET", f"{WORKSPACES}/{'a' * 100_000}?{HC}"),
    # -- query ---------------------------------------------------------------------------------------
    "api-version-sql": Hostile("GET", f"{WORKSPACES}/ws1?api-version=2022-06-01'%20OR%20'1'='1"),
    "api-version-nul": Hostile("GET", f"{WORKSPACES}/ws1?api-version=%00"),
    "skiptoken-garbage": Hostile("GET", f"{WORKSPACES}?{HC}&$skipToken=%27%20OR%201%3D1--"),
    "skiptoken-sql": Hostile(
        "GET", f"{WORKSPACES}?{HC}&$skipToken={forged_skip_token(SCOPE, json.dumps('1; DROP TABLE resources'))}"
    ),
    "skiptoken-deep-json": Hostile(
        "GET",
        f"{WORKSPACES}?{HC}&$skipToken=" + base64.urlsafe_b64encode(b"[" * 50_000 + b"]" * 50_000).decode().rstrip("="),
    ),
    "top-negative": Hostile("GET", f"{WORKSPACES}?{HC}&$top=-1"),
    "top-float": Hostile("GET", f"{WORKSPACES}?{HC}&$top=1e3"),
    "top-sql": Hostile("GET", f"{WORKSPACES}?{HC}&$top=1%20OR%201=1"),
    # -- content types -------------------------------------------------------------------------------
    "content-type-text": Hostile("PUT", f"{WORKSPACES}/ct?{HC}", GOOD, headers=(("Content-Type", "text/plain"),)),
    "content-type-xml": Hostile(
        "PUT", f"{WORKSPACES}/ct?{HC}", b"<location>eastus</location>", headers=(("Content-Type", "application/xml"),)
    ),
    "content-type-form": Hostile(
        "PUT",
        f"{WORKSPACES}/ct?{HC}",
        b"location=eastus",
        headers=(("Content-Type", "application/x-www-form-urlencoded"),),
    ),
    "content-type-multipart": Hostile(
        "PUT",
        f"{WORKSPACES}/ct?{HC}",
        b'--b\r\nContent-Disposition: form-data; name="location"\r\n\r\neastus\r\n--b--\r\n',
        headers=(("Content-Type", "multipart/form-data; boundary=b"),),
    ),
    "content-type-patch-text": Hostile(
        "PATCH", f"{WORKSPACES}/ws1?{HC}", b'{"tags":{}}', headers=(("Content-Type", "text/html"),)
    ),
    # -- tags ----------------------------------------------------------------------------------------
    "tag-name-traversal": Hostile("PUT", f"{WORKSPACES}/tags?{HC}", tags_body({"../../etc/passwd": "x"})),
    "tag-name-control": Hostile("PUT", f"{WORKSPACES}/tags?{HC}", tags_body({"a\u0000b": "x"})),
    "tag-name-script": Hostile("PUT", f"{WORKSPACES}/tags?{HC}", tags_body({"<script>": "x"})),
    "tag-name-percent": Hostile("PUT", f"{WORKSPACES}/tags?{HC}", tags_body({"100%": "x"})),
    "tag-name-513-chars": Hostile("PUT", f"{WORKSPACES}/tags?{HC}", tags_body({"t" * 513: "x"})),
    "tag-value-257-chars": Hostile("PUT", f"{WORKSPACES}/tags?{HC}", tags_body({"t": "v" * 257})),
    "tags-51": Hostile("PUT", f"{WORKSPACES}/tags?{HC}", tags_body({f"t{i}": "v" for i in range(51)})),
    "tag-name-empty": Hostile("PUT", f"{WORKSPACES}/tags?{HC}", tags_body({"": "x"})),
    "patch-tag-name-traversal": Hostile("PATCH", f"{WORKSPACES}/ws1?{HC}", b'{"tags":{"../x":"y"}}'),
    # -- headers -------------------------------------------------------------------------------------
    "authorization-1mb": Hostile(
        "GET", f"{WORKSPACES}/ws1?{HC}", headers=(("Authorization", "Bearer " + "t" * 1_000_000),)
    ),
    "correlation-id-64kb": Hostile(
        "GET", f"{WORKSPACES}/ws1?{HC}", headers=(("x-ms-correlation-request-id", "c" * 65_536),)
    ),
    "content-length-not-a-number": Hostile(
        "PUT", f"{WORKSPACES}/cl?{HC}", None, raw_header_block=b"Content-Length: 12abc\r\n", headers_only=True
    ),
    "lro-step-header-nan": Hostile(
        "PUT",
        f"{DICOM}/steps?{HC}",
        GOOD,
        headers=(("Content-Type", "application/json"), ("x-ms-emulator-lro-step-seconds", "nan")),
    ),
    # A step so small the step count overflows (it used to freeze the resource and the walker).
    "lro-step-header-denormal": Hostile(
        "PUT",
        f"{DICOM}/tiny?{HC}",
        GOOD,
        headers=(("Content-Type", "application/json"), ("x-ms-emulator-lro-step-seconds", "1e-320")),
    ),
    "import-location-not-a-string": Hostile(
        "POST",
        "/_emulator/state",
        json.dumps(
            {"resources": [{"id": f"{GROUP_PATH}-new/providers/Microsoft.HealthcareApis/workspaces/w", "location": 5}]}
        ).encode(),
    ),
    "method-unknown": Hostile("PROPFIND", f"{WORKSPACES}/ws1?{HC}"),
    # ARM has no WebSockets: an upgrade request is answered as the plain HTTP request it also is.
    "websocket-upgrade": Hostile(
        "GET",
        f"{WORKSPACES}/nows?{HC}",
        headers=(
            ("Connection", "Upgrade"),
            ("Upgrade", "websocket"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("Sec-WebSocket-Version", "13"),
        ),
    ),
    # -- restored cases (locations, anchors, skip tokens, header sizes) ----------------------------------
    "lone-surrogate": Hostile("PUT", f"{WORKSPACES}/surrogate?{HC}", b'{"location":"eastus","tags":{"a":"\\ud800"}}'),
    # The same surrogate as raw bytes (json.loads decodes them with surrogatepass), and in UTF-16.
    "encoded-surrogate": Hostile(
        "PUT", f"{WORKSPACES}/encsur?{HC}", b'{"location":"eastus","tags":{"a":"\xed\xa0\x80"}}'
    ),
    "utf16-surrogate": Hostile(
        "PUT", f"{WORKSPACES}/u16sur?{HC}", '{"location":"eastus","tags":{"a":"\\ud800"}}'.encode("utf-16")
    ),
    "location-control-bytes": Hostile("PUT", f"{DICOM}/locctl?{HC}", b'{"location":"east\\u0007\\r\\nus"}'),
    "location-not-latin1": Hostile("PUT", f"{DICOM}/loclatin?{HC}", '{"location":"\u6771\u4eac"}'.encode()),
    "account-location-not-latin1": Hostile("PUT", f"{ACCOUNTS}/loclatin?{DU}", '{"location":"\u6771\u4eac"}'.encode()),
    "group-newline": Hostile("PUT", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/newline%0A?{RG_API}", GOOD),
    "subscription-newline": Hostile("GET", f"/subscriptions/{SUBSCRIPTION}%0A/resourceGroups?{RG_API}"),
    "skiptoken-huge-integer": Hostile("GET", f"{WORKSPACES}?{HC}&$skipToken={forged_skip_token(SCOPE, '9' * 30)}"),
    "skiptoken-float-overflow": Hostile("GET", f"{WORKSPACES}?{HC}&$skipToken={forged_skip_token(SCOPE, '1e999')}"),
    "header-100kb": Hostile("GET", f"{WORKSPACES}/ws1?{HC}", headers=(("x-custom", "h" * 100_000),)),
    "header-1mb": Hostile("GET", f"{WORKSPACES}/ws1?{HC}", headers=(("x-custom", "h" * 1_000_000),)),
    "headers-5000": Hostile("GET", f"{WORKSPACES}/ws1?{HC}", headers=tuple((f"x-h{i}", "v") for i in range(5000))),
}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path_factory.mktemp("hostile")).start()
    with process.client() as http:
        assert http.put(f"{GROUP_PATH}?{RG_API}", json={"location": "eastus"}).status_code == 201
        assert http.put(f"{WORKSPACES}/ws1?{HC}", json={"location": "eastus", "tags": {"k": "v"}}).is_success
        assert http.put(f"{DICOM}/dcm1?{HC}", json={"location": "eastus"}).is_success
        assert http.put(f"{ACCOUNTS}/acct1?{DU}", json={"location": "westus2"}).is_success
        assert http.put(f"{GENERIC}/sa1?{STORAGE}", json={"location": "eastus"}).status_code == 201
        for path in (f"{DICOM}/dcm1?{HC}", f"{ACCOUNTS}/acct1?{DU}"):
            # Fast mode: the first read after the write sees the terminal state.
            assert http.get(path).json()["properties"]["provisioningState"] == "Succeeded"
    yield process
    process.stop()


def state(target: EmulatorProcess) -> dict[str, Any]:
    with target.client() as http:
        response = http.get("/_emulator/state")
        assert response.status_code == 200
        return response.json()


# Known bugs, as `case: reason`: strict xfails, so the fix turns each into a failure that asks for
# its line here to go.
KNOWN_BUGS: dict[str, str] = {}


@pytest.fixture(scope="module")
def seed(target: EmulatorProcess) -> dict[str, Any]:
    return state(target)


@pytest.fixture(autouse=True)
def restore(target: EmulatorProcess, seed: dict[str, Any]) -> None:
    """Each test starts from the seed: a case that slipped through must not poison the next."""
    with target.client() as http:
        assert http.post("/_emulator/reset").status_code == 204
        assert http.post("/_emulator/state", json=seed).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[n])) if n in KNOWN_BUGS else n
        for n in CASES
    ],
)
def test_hostile_request_gets_an_arm_4xx_and_changes_nothing(target: EmulatorProcess, name: str) -> None:
    before = state(target)
    answer = send(target, CASES[name])
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    assert answer.headers.get("content-type", "").startswith("application/json"), (answer.headers, answer.body[:300])
    error = json.loads(answer.body)["error"]
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert state(target) == before
    with target.client() as http:
        assert http.get("/_emulator/health").status_code == 200


# Requests uvicorn's parser (httptools) refuses before the app sees them; arm_emulator.http_protocol answers.
UNPARSEABLE: dict[str, tuple[int, str]] = {
    "path-100kb": (414, "RequestUriTooLong"),
    "skiptoken-deep-json": (414, "RequestUriTooLong"),  # a URL over 64 KB too
    "content-length-not-a-number": (400, "InvalidRequestFormat"),
}


@pytest.mark.parametrize("name", list(UNPARSEABLE))
def test_requests_the_parser_refuses_get_arm_gateway_errors(target: EmulatorProcess, name: str) -> None:
    """Refused by ARM's front end itself (`x-ms-failure-cause: gateway`), with ARM's standard headers
    (the caller's correlation id echoed) and the connection closed, as uvicorn closes it."""
    status, code = UNPARSEABLE[name]
    case = CASES[name]
    answer = send(target, replace(case, headers=(*case.headers, ("x-ms-correlation-request-id", "corr-1"))))
    assert (answer.status, json.loads(answer.body)["error"]["code"]) == (status, code), answer.body[:300]
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert answer.headers["x-ms-failure-cause"] == "gateway"
    assert answer.headers["x-ms-correlation-request-id"] == "corr-1"
    assert answer.headers["x-ms-request-id"] in answer.headers["x-ms-routing-request-id"]
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert answer.headers["connection"] == "close"


def test_parser_refused_answers_carry_the_same_headers_as_the_apps(target: EmulatorProcess) -> None:
    """arm_emulator.http_protocol writes ARM's standard headers itself (the middleware does not run
    for these requests): the same set as on a gateway error the app answers, so the two cannot drift."""
    echo = (("x-ms-client-request-id", "client-1"), ("x-ms-return-client-request-id", "true"))
    from_app = send(target, Hostile("GET", f"{GROUP_PATH}-missing?{RG_API}", headers=echo))
    case = CASES["content-length-not-a-number"]
    refused = send(target, replace(case, headers=(*case.headers, *echo)))
    assert (from_app.status, refused.status) == (404, 400)
    assert set(refused.headers) == set(from_app.headers), set(refused.headers) ^ set(from_app.headers)
    assert refused.headers["x-ms-client-request-id"] == "client-1"


def test_a_malformed_request_after_a_good_one_on_the_same_connection(target: EmulatorProcess) -> None:
    """The good answer leaves the connection open, the malformed one closes it; nothing of the first
    request (its correlation id) leaks into the second answer."""
    host = urlsplit(target.url).netloc
    good = (
        f"GET {WORKSPACES}/ws1?{HC} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer keep-alive-test\r\n"
        "x-ms-correlation-request-id: first\r\n\r\n"
    )
    bad = f"PUT {WORKSPACES}/cl?{HC} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 12abc\r\n\r\n"
    with connect(target.url, target.ca_file) as tls:
        tls.sendall(good.encode())
        first = _read_answer(tls)
        assert (first.status, first.headers["x-ms-correlation-request-id"]) == (200, "first"), first.body[:300]
        tls.sendall(bad.encode())
        second = _read_answer(tls)
        assert tls.recv(1) == b"", "the server kept the connection open after a request it could not parse"
    assert (second.status, json.loads(second.body)["error"]["code"]) == (400, "InvalidRequestFormat")
    assert second.headers["x-ms-correlation-request-id"] not in ("", "first")


def test_the_in_process_helper_answers_unparseable_requests_the_same_way() -> None:
    """arm_emulator.testing.ArmEmulator serves with the same HTTP protocol as `arm-emulator serve`."""
    with ArmEmulator() as arm:
        assert arm.ca_file is not None
        with connect(arm.url, arm.ca_file) as tls:
            tls.sendall(b"PUT /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 12abc\r\n\r\n")
            answer = _read_answer(tls)
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(answer.body)["error"] == {
        "code": "InvalidRequestFormat",
        "message": "The request is not a valid HTTP/1.1 request and could not be read: Invalid character in "
        "Content-Length.",
    }


def test_405_lists_the_allowed_methods(target: EmulatorProcess) -> None:
    """RFC 9110: a 405 names the methods the resource supports (schemathesis check ST204)."""
    answer = send(target, Hostile("TRACE", f"{WORKSPACES}/ws1?{HC}"))
    assert answer.status == 405
    assert json.loads(answer.body)["error"]["code"] == "MethodNotAllowed"
    allowed = {m.strip() for m in answer.headers.get("allow", "").split(",")}
    assert {"GET", "PUT", "PATCH", "DELETE"} <= allowed, answer.headers


def test_sql_looking_tags_are_stored_verbatim(target: EmulatorProcess) -> None:
    """Tag names and values that look like SQL are valid ARM tags: stored and returned as sent, and
    nothing else in the store moves."""
    tags = {
        "'; DROP TABLE resources; --": "x' OR '1'='1",
        'Robert"); DELETE FROM operations; --': '" OR ""="',
        "name) VALUES ('x'); --": "unicode ✓ ‮ zero​width",
    }
    before = state(target)
    with target.client() as http:
        created = http.put(f"{WORKSPACES}/sqltags?{HC}", json={"location": "eastus", "tags": tags})
        assert created.status_code == 201, created.text
        assert http.get(f"{WORKSPACES}/sqltags?{HC}").json()["tags"] == tags
        after = state(target)
        assert [r for r in after["resources"] if not r["id"].endswith("/sqltags")] == before["resources"]
        assert after["resourceGroups"] == before["resourceGroups"]
        assert http.delete(f"{WORKSPACES}/sqltags?{HC}").status_code in (200, 202)


def test_hostile_names_in_a_state_import_are_refused_whole(target: EmulatorProcess) -> None:
    """The control API's import is one transaction: one bad id refuses the lot, with a 4xx."""
    before = state(target)
    document = {
        "resources": [
            {"id": f"{WORKSPACES}/fine1", "location": "eastus"},
            {"id": f"{WORKSPACES}/bad'; DROP TABLE resources;--", "location": "eastus"},
        ]
    }
    with target.client() as http:
        response = http.post("/_emulator/state", json=document)
    assert 400 <= response.status_code < 500, response.text
    assert "error" in response.json()
    assert state(target) == before


def test_odd_but_harmless_input_is_served(target: EmulatorProcess) -> None:
    """PATCH with a null location keeps the location (it cannot change); a token whose claims are
    nested past Python's limit is just a token without claims (lenient mode)."""
    nested = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode().rstrip("=")
    with target.client() as http:
        created = http.put(
            f"{ACCOUNTS}/nulloc?{DU}", json={"location": "westus2"}, headers={"Authorization": f"Bearer a.{nested}.c"}
        )
        assert created.status_code == 201, created.text
        patched = http.patch(f"{ACCOUNTS}/nulloc?{DU}", json={"location": None, "tags": {"k": "v"}})
        assert 200 <= patched.status_code < 300 and patched.json()["location"] == "westus2", patched.text
        account = http.get(f"{ACCOUNTS}/nulloc?{DU}").json()
        assert (account["location"], account["tags"]) == ("westus2", {"k": "v"})
        assert http.delete(f"{ACCOUNTS}/nulloc?{DU}").status_code in (200, 202)


def test_the_database_is_intact_after_the_hostile_requests(target: EmulatorProcess) -> None:
    with contextlib.closing(sqlite3.connect(f"file:{target.data_dir / 'emulator.db'}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"resources", "operations", "subscriptions"} <= tables
    with target.client() as http:
        assert http.get(f"{WORKSPACES}/ws1?{HC}").json()["tags"] == {"k": "v"}
        assert [r["name"] for r in http.get(f"{WORKSPACES}?{HC}").json()["value"]] == ["ws1"]
