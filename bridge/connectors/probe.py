"""Reachability probes for ``doctor``: can this machine reach each configured system at all?

This is deliberately only the network layer; whether the credentials work is each connector's
own check once it is wired.
"""

from __future__ import annotations

import socket

import requests

from bridge.config import Settings
from bridge.health import Check

TIMEOUT_SECONDS = 5.0


def _http_probe(name: str, url: str) -> Check:
    hint = f"check connectors.{name} URL and this machine's network"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        reason = type(exc).__name__
        return Check(f"connector {name}", False, f"cannot reach {url}: {reason}", hint)
    return Check(f"connector {name}", True, f"{url} answered HTTP {response.status_code}")


def _smtp_probe(host: str, port: int) -> Check:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT_SECONDS):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        hint = "check connectors.email.host and port"
        return Check("connector email", False, f"cannot reach {host}:{port}: {reason}", hint)
    return Check("connector email", True, f"{host}:{port} accepts connections")


def probe_connectors(settings: Settings) -> list[Check]:
    connectors = settings.connectors
    checks: list[Check] = []
    for name in ("jira", "zendesk", "freshdesk"):
        config = getattr(connectors, name)
        if config is not None:
            checks.append(_http_probe(name, str(config.url)))
    for name in ("github", "slack"):
        config = getattr(connectors, name)
        if config is not None:
            checks.append(_http_probe(name, str(config.base_url)))
    if connectors.email is not None:
        checks.append(_smtp_probe(connectors.email.host, connectors.email.port))
    if not checks:
        checks.append(Check("connectors", True, "none configured (embedded sandbox mode)"))
    return checks
