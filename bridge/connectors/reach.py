"""Can this machine reach a system at all: the network layer ``doctor`` tries before signing
in, so an unreachable host says so plainly, without retries. Each connector's class composes
its own ``probe(config)`` from these."""

from __future__ import annotations

import socket

import requests

from bridge.observability.health import Check

TIMEOUT_SECONDS = 5.0


def http_probe(name: str, url: str) -> Check:
    """Any HTTP answer from ``url`` is reached; ``name`` is the connector's key."""
    hint = f"check connectors.{name} URL and this machine's network"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        reason = type(exc).__name__
        return Check(f"connector {name}", False, f"cannot reach {url}: {reason}", hint)
    return Check(f"connector {name}", True, f"{url} answered HTTP {response.status_code}")


def tcp_probe(name: str, host: str, port: int) -> Check:
    """A server accepting connections on ``host:port`` is reached."""
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT_SECONDS):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        hint = f"check connectors.{name}.host and port"
        return Check(f"connector {name}", False, f"cannot reach {host}:{port}: {reason}", hint)
    return Check(f"connector {name}", True, f"{host}:{port} accepts connections")
