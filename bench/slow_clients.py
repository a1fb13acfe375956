"""Slow clients against the bridge's web server: connections that send their headers and one
byte of a body they never finish, then wait. Does ``/healthz`` still answer, and a webhook?

    .venv/bin/python bench/slow_clients.py [--clients 500] [--rounds 3]

Each server runs in a process of its own, as ``support-bridge serve`` builds it
(``bridge_cli.serve.web_server``), once with waitress's own defaults (100 connections, a 120 s
channel timeout: what ``serve`` used before) and once with the bridge's (``SERVER_DEFAULTS``).
The app is a stand-in answering ``/healthz`` and a webhook at once, so what is measured is the
server's room for connections, not the bridge's work. For each, ``--clients`` slow connections
are opened, then ``/healthz`` is asked and a webhook posted, each with a 10 s timeout; the
report gives, side by side, how many slow connections were accepted and each answer's status
and time (median over the rounds).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import socket
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bridge_cli.serve import SERVER_DEFAULTS, web_server

WAITRESS_DEFAULTS = {
    "connection_limit": 100,
    "channel_timeout": 120,
    "cleanup_interval": 30,
    "asyncore_use_poll": False,
}
TIMEOUT = 10.0


def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    status = "202 Accepted" if environ["REQUEST_METHOD"] == "POST" else "200 OK"
    start_response(status, [("Content-Type", "text/plain")])
    return [b"ok"]


def serve(port: int, options: dict[str, Any]) -> None:
    web_server(app, host="127.0.0.1", port=port, threads=4, **options).run()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def slow_clients(port: int, count: int) -> list[socket.socket]:
    held = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        conn.sendall(
            b"POST /webhooks/github HTTP/1.1\r\nHost: bridge\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        )
        held.append(conn)
    return held


def ask(port: int, method: str, path: str) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.request(method, path, body=b"{}" if method == "POST" else None)
        status = str(conn.getresponse().status)
        conn.close()
    except OSError as exc:
        status = f"no answer ({type(exc).__name__})"
    return status, time.perf_counter() - started


def one_round(options: dict[str, Any], clients: int) -> dict[str, Any]:
    port = free_port()
    server = multiprocessing.Process(target=serve, args=(port, options), daemon=True)
    server.start()
    deadline = time.monotonic() + 10
    while ask(port, "GET", "/healthz")[0] != "200" and time.monotonic() < deadline:
        time.sleep(0.1)
    held = slow_clients(port, clients)
    time.sleep(1.0)  # let the server accept what it will
    healthz = ask(port, "GET", "/healthz")
    webhook = ask(port, "POST", "/webhooks/github")
    for conn in held:
        conn.close()
    server.terminate()
    server.join()
    return {"healthz": healthz, "webhook": webhook}


def summary(results: list[dict[str, Any]], name: str) -> str:
    statuses = sorted({r[name][0] for r in results})
    seconds = statistics.median(r[name][1] for r in results)
    return f"{'/'.join(statuses)} in {seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    servers = {"waitress defaults": WAITRESS_DEFAULTS, "bridge (serve)": SERVER_DEFAULTS}
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
    for _ in range(args.rounds):
        for name, options in servers.items():  # in turn, round by round
            results[name].append(one_round(options, args.clients))
    print(f"{args.clients} slow clients, {args.rounds} round(s), median answer time")
    print(f"{'server':<20} {'/healthz':<36} webhook")
    for name, found in results.items():
        print(f"{name:<20} {summary(found, 'healthz'):<36} {summary(found, 'webhook')}")


if __name__ == "__main__":
    main()
