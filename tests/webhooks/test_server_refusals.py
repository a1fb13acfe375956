"""What a client sees when the web server refuses a request, over a real socket to the app
served by the waitress server ``support-bridge serve`` runs (docs/api.md, "When the web server
refuses a request").

Waitress answers what it cannot parse itself, in plain text, before the app sees it: those
answers are pinned here as documented. Everything the app sees is refused in the JSON shape.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

import pytest
from waitress import wasyncore

from bridge.runtime import Runtime
from bridge_cli.serve import SERVER_IDENT, web_server
from tests.helpers import migrated_runtime
from webhooks.app import REQUEST_ID_HEADER, create_app

TOKEN = "refusals-api-token"
WAITRESS_HEADER_LIMIT = 262_144  # waitress's default max_request_header_size, which serve keeps
WAITRESS_BODY_LIMIT = 1_073_741_824  # and its default max_request_body_size


@dataclass(frozen=True)
class Answer:
    version: str
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def allowed(self) -> set[str]:
        """The Allow header's methods (their order varies from run to run)."""
        return {method.strip() for method in self.headers.get("Allow", "").split(",")}

    def json(self) -> Any:
        assert self.content_type == "application/json", self.body[:200]
        return json.loads(self.body)


@pytest.fixture
def runtime(configured: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    with migrated_runtime() as runtime:
        yield runtime


def _fails() -> NoReturn:
    raise RuntimeError("a defect in a view")


@pytest.fixture
def port(runtime: Runtime) -> Iterator[int]:
    """The bridge under waitress on a free loopback port, as ``serve`` builds it."""
    app = create_app(runtime=runtime)
    app.add_url_rule("/test/fails", "fails", _fails)
    sockets: dict[int, Any] = {}
    server = web_server(app, host="127.0.0.1", port=0, threads=2, map=sockets)
    stop = threading.Event()

    def loop() -> None:  # server.run() without its endless loop, so the test can stop it
        while not stop.is_set():
            # poll(), as serve runs it: a long test run holds descriptors past select()'s 1,024
            wasyncore.loop(timeout=0.05, map=sockets, use_poll=True, count=1)

    thread = threading.Thread(target=loop, name="refusals-waitress", daemon=True)
    thread.start()
    yield int(server.effective_port)
    stop.set()
    thread.join(timeout=5)
    server.task_dispatcher.shutdown()
    wasyncore.close_all(sockets)


def exchange(port: int, raw: bytes, method: str = "GET") -> Answer:
    """Send ``raw`` bytes as they are and read the one answer, as any HTTP client would."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(raw)
        response = http.client.HTTPResponse(conn, method=method)
        response.begin()
        body = response.read()
    version = {10: "HTTP/1.0", 11: "HTTP/1.1"}[response.version]
    return Answer(version, response.status, response.headers, body)


def request(method: str, path: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: bridge.test", "Connection: close", *headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


GET_HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: bridge.test\r\n"

WAITRESS_REFUSALS = {
    "NUL in a header": (GET_HEALTHZ + b"X-Note: a\x00b\r\n\r\n", 400, "Invalid header"),
    "space in a header name": (GET_HEALTHZ + b"X Note: a\r\n\r\n", 400, "Invalid header"),
    "bare LF in a header": (GET_HEALTHZ + b"X-Note: a\nX-More: b\r\n\r\n", 400, "Bare CR or LF"),
    "request line unreadable": (b"GARBAGE\r\n\r\n", 400, "Start line is invalid"),
    "lower-case method": (b"get /healthz HTTP/1.1\r\n\r\n", 400, "Malformed HTTP method"),
    "Content-Length not a number": (
        b"POST /webhooks/github HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
        400,
        "Content-Length is invalid",
    ),
    "Content-Length twice": (
        b"POST /webhooks/github HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
        400,
        "Content-Length is invalid",
    ),
    "chunk size not hexadecimal": (
        b"POST /webhooks/github HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        400,
        "Invalid chunk size",
    ),
    "Transfer-Encoding other than chunked": (
        b"POST /webhooks/github HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        501,
        "Transfer-Encoding requested is not supported",
    ),
    "Content-Length of 1 GiB or more": (
        b"POST /webhooks/github HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % WAITRESS_BODY_LIMIT,
        413,
        f"exceeds max_body of {WAITRESS_BODY_LIMIT}",
    ),
    # Exactly the limit, with no end of headers: waitress reads every byte sent before it
    # answers, so closing the connection cannot cut its answer short.
    "header section of 256 KiB or more": (
        (GET_HEALTHZ + b"X-Pad: ").ljust(WAITRESS_HEADER_LIMIT, b"a"),
        431,
        f"exceeds max_header of {WAITRESS_HEADER_LIMIT}",
    ),
}


@pytest.mark.parametrize("case", list(WAITRESS_REFUSALS))
def test_what_waitress_cannot_parse_it_refuses_itself_in_plain_text(port: int, case: str) -> None:
    raw, status, detail = WAITRESS_REFUSALS[case]
    answer = exchange(port, raw)
    assert answer.status == status
    assert answer.content_type == "text/plain; charset=utf-8"
    assert answer.headers["Connection"] == "close"
    assert REQUEST_ID_HEADER not in answer.headers  # the app never saw it
    reason, explanation, signature = answer.body.decode().split("\r\n\r\n")
    assert reason == http.client.responses[status]
    assert detail in explanation
    assert signature == f"(generated by {SERVER_IDENT})"


@pytest.mark.parametrize(
    "raw",
    [
        GET_HEALTHZ + b"X-Note: folded\r\n across two lines\r\nConnection: close\r\n\r\n",
        GET_HEALTHZ + b"Expect: something-else\r\nConnection: close\r\n\r\n",
        GET_HEALTHZ + b"X_Note: underscored names are dropped\r\nConnection: close\r\n\r\n",
        b"GET /healthz\r\n\r\n",  # no HTTP version: answered as HTTP/1.0
        b"GET /healthz HTTP/2.0\r\n\r\n",  # a version waitress does not speak: answered as 1.0
    ],
    ids=["obs-fold", "unknown Expect", "underscore in a name", "no version", "HTTP/2.0"],
)
def test_what_waitress_can_parse_reaches_the_bridge(port: int, raw: bytes) -> None:
    answer = exchange(port, raw)
    assert answer.status == 200
    assert answer.json() == {"status": "ok"}


def test_an_unknown_path_is_a_json_404(port: int) -> None:
    answer = exchange(port, request("GET", "/no/such/page"))
    assert answer.status == 404
    assert answer.json()["error"] == "not_found"
    assert answer.headers[REQUEST_ID_HEADER]


@pytest.mark.parametrize("path", ["/%ff%fe", "/heal%zzthz", "/healthz%00"])
def test_paths_that_decode_to_nothing_routable_are_a_json_404(port: int, path: str) -> None:
    answer = exchange(port, request("GET", path))
    assert answer.status == 404
    assert answer.json()["error"] == "not_found"


@pytest.mark.parametrize("method", ["DELETE", "BREW"])
def test_a_method_the_route_lacks_is_a_json_405_naming_the_allowed_ones(
    port: int, method: str
) -> None:
    answer = exchange(port, request(method, "/webhooks/github"))
    assert answer.status == 405
    assert answer.json() == {
        "error": "method_not_allowed",
        "detail": "The method is not allowed for the requested URL.",
    }
    assert answer.allowed == {"OPTIONS", "POST"}


def test_head_is_answered_as_get_without_a_body_and_refused_with_allow(port: int) -> None:
    healthz = exchange(port, request("HEAD", "/healthz"), method="HEAD")
    assert (healthz.status, healthz.content_type, healthz.body) == (200, "application/json", b"")
    refused = exchange(port, request("HEAD", "/webhooks/github"), method="HEAD")
    assert (refused.status, refused.body) == (405, b"")
    assert refused.allowed == {"OPTIONS", "POST"}


def test_options_lists_the_methods_of_a_route_and_is_a_json_404_elsewhere(port: int) -> None:
    known = exchange(port, request("OPTIONS", "/webhooks/github"))
    assert (known.status, known.body) == (200, b"")
    assert known.allowed == {"OPTIONS", "POST"}
    unknown = exchange(port, request("OPTIONS", "*"))
    assert unknown.status == 404
    assert unknown.json()["error"] == "not_found"


def test_a_webhook_with_the_wrong_content_type_is_a_json_415(port: int) -> None:
    raw = request("POST", "/webhooks/github", "Content-Type: text/plain", body=b"{}")
    answer = exchange(port, raw)
    assert answer.status == 415
    assert answer.json() == {
        "error": "unsupported_media_type",
        "detail": "send Content-Type application/json",
    }


API = ("Authorization: Bearer " + TOKEN, "Content-Type: application/json")


@pytest.mark.parametrize(
    "headers, body",
    [(API, b'{"ticket": '), (API, b"\xff\xfe"), ((API[0], "Content-Type: text/plain"), b"{}")],
    ids=["truncated JSON", "not UTF-8", "not declared JSON"],
)
def test_an_api_body_that_is_not_a_json_object_is_a_json_400(
    port: int, headers: tuple[str, ...], body: bytes
) -> None:
    answer = exchange(port, request("POST", "/api/escalations", *headers, body=body))
    assert answer.status == 400
    assert answer.json() == {"error": "bad_json", "detail": "send a JSON object"}


def test_an_api_body_over_one_mib_is_a_json_413(port: int) -> None:
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    answer = exchange(port, request("POST", "/api/escalations", *API, body=body))
    assert answer.status == 413
    assert answer.json()["error"] == "request_entity_too_large"


def test_a_chunked_api_body_over_one_mib_is_a_json_413_too(port: int) -> None:
    chunk = b"x" * (1024 * 1024)
    body = b'9\r\n{"pad": "\r\n%x\r\n%s\r\n2\r\n"}\r\n0\r\n\r\n' % (len(chunk), chunk)
    raw = request("POST", "/api/escalations", *API, "Transfer-Encoding: chunked") + body
    answer = exchange(port, raw)
    assert answer.status == 413
    assert answer.json()["error"] == "request_entity_too_large"


def test_a_defect_is_a_json_500_carrying_the_request_id(port: int) -> None:
    answer = exchange(port, request("GET", "/test/fails"))
    assert answer.status == 500
    body = answer.json()
    request_id = answer.headers[REQUEST_ID_HEADER]
    assert body["error"] == "internal_error"
    assert body["request_id"] == request_id
    assert request_id in body["detail"]
    assert "a defect in a view" not in answer.body.decode()


def test_slow_clients_holding_connections_leave_healthz_and_webhooks_answered(port: int) -> None:
    """Past waitress's own limit of 100, clients that send headers and one body byte and then
    wait must not stop the server accepting (``bench/slow_clients.py`` measures 500)."""
    held = []
    try:
        for _ in range(150):
            conn = socket.create_connection(("127.0.0.1", port), timeout=10)
            conn.sendall(
                b"POST /webhooks/github HTTP/1.1\r\nHost: bridge\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
            )
            held.append(conn)

        healthz = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: bridge\r\n\r\n")
        unsigned = exchange(
            port,
            b"POST /webhooks/github HTTP/1.1\r\nHost: bridge\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
            method="POST",
        )
    finally:
        for conn in held:
            conn.close()

    assert healthz.status == 200
    assert unsigned.status == 400  # answered by the app: the server still hands requests on
    assert unsigned.json()["error"] == "missing_header"
