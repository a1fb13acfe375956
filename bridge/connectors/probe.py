"""Connector checks for ``doctor``: can this machine reach each configured system, and do the
credentials work there?

First the network layer (so an unreachable host says so plainly, without retries), then each
connector's own ``check()``, which signs in with the configured credentials.
"""

from __future__ import annotations

import socket

import requests

from bridge.config import Settings
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context, build_connectors
from bridge.observability.health import Check

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


def _network(settings: Settings) -> dict[str, Check]:
    connectors = settings.connectors
    found: dict[str, Check] = {}
    for name in ("jira", "zendesk", "freshdesk"):
        config = getattr(connectors, name)
        if config is not None:
            found[name] = _http_probe(name, str(config.url))
    for name in ("github", "slack"):
        config = getattr(connectors, name)
        if config is not None:
            found[name] = _http_probe(name, str(config.base_url))
    if connectors.email is not None:
        found["email"] = _smtp_probe(connectors.email.host, connectors.email.port)
    return found


def probe_connectors(settings: Settings) -> list[Check]:
    network = _network(settings)
    context = Context(gate=RateGate.from_url(None))
    checks: list[Check] = []
    for name, connector in build_connectors(settings, context).items():
        reached = network.get(name)
        if reached is not None and not reached.ok:
            checks.append(reached)
            continue
        result = connector.check()
        checks.append(Check(f"connector {name}", result.ok, result.detail, result.hint))
    if not checks:
        checks.append(Check("connectors", True, "none configured (embedded sandbox mode)"))
    return checks
