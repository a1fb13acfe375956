"""Connector checks for ``doctor``: can this machine reach each configured system, and do the
credentials work there?

First the network layer (so an unreachable host says so plainly, without retries), then each
connector's own ``check()``, which signs in with the configured credentials. Then every channel
routing names is looked up in Slack (``slack_routing``), for ``doctor`` and ``config check``.
"""

from __future__ import annotations

import socket

import requests

from bridge.config import Settings
from bridge.connectors.credentials import CredentialWatch
from bridge.connectors.jira.connector import JiraConnector
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context, budgets_for, build_connectors
from bridge.connectors.slack import SlackConnector
from bridge.connectors.slack.channels import check_routing, routed_channels
from bridge.observability.health import Check
from bridge.services.ports import ConnectorError

TIMEOUT_SECONDS = 5.0
ROUTING = "slack routing"
SCOPES_HINT = (
    "give the Slack app the channels:read and groups:read scopes "
    "(see `support-bridge slack manifest`) and reinstall it"
)


def _http_probe(name: str, url: str) -> Check:
    hint = f"check connectors.{name} URL and this machine's network"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        reason = type(exc).__name__
        return Check(f"connector {name}", False, f"cannot reach {url}: {reason}", hint)
    return Check(f"connector {name}", True, f"{url} answered HTTP {response.status_code}")


def _slack_probe_url(base_url: str) -> str:
    """Slack's `api.test`, which needs no token: the bare `/api/` is no Web API method."""
    return base_url.rstrip("/") + "/api.test"


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
    if connectors.github is not None:
        found["github"] = _http_probe("github", str(connectors.github.base_url))
    if connectors.slack is not None:
        found["slack"] = _http_probe("slack", _slack_probe_url(str(connectors.slack.base_url)))
    if connectors.email is not None:
        found["email"] = _smtp_probe(connectors.email.host, connectors.email.port)
    return found


def probe_connectors(settings: Settings, credentials: CredentialWatch | None = None) -> list[Check]:
    """``credentials`` keeps what signing in found of each credential (its expiry, a refusal)."""
    network = _network(settings)
    gate = RateGate.from_url(None, rates=budgets_for(settings))
    context = Context(gate=gate, credentials=credentials or CredentialWatch())
    checks: list[Check] = []
    for name, connector in build_connectors(settings, context).items():
        reached = network.get(name)
        if reached is not None and not reached.ok:
            checks.append(reached)
            continue
        result = connector.check()
        checks.append(Check(f"connector {name}", result.ok, result.detail, result.hint))
        if result.ok and isinstance(connector, JiraConnector):
            checks += _jira_fields(connector, settings)
    if not checks:
        checks.append(Check("connectors", True, "none configured (embedded sandbox mode)"))
    return checks


def _jira_fields(connector: JiraConnector, settings: Settings) -> list[Check]:
    """A row per Jira field id of ``field_mappings.jira`` the site does not have."""
    wanted = [
        (f"field_mappings.jira.{name}", field_id)
        for name, field_id in settings.field_mappings.get("jira", {}).items()
    ]
    try:
        wrong = connector.field_problems(wanted)
    except ConnectorError as exc:
        return [Check("jira fields", False, f"cannot list the fields: {exc}", "run doctor again")]
    return [Check("jira fields", False, problem, fix) for problem, fix in wrong]


def routing_checks(connector: SlackConnector, settings: Settings) -> list[Check]:
    """A row per routed channel that is wrong in Slack, else one row saying all are right;
    raises ``ConnectorError`` when Slack cannot be asked."""
    checked = check_routing(connector, routed_channels(settings.routing, settings.digest))
    wrong = [
        Check(ROUTING, False, f"{found.key}: {found.problem}", found.fix or "")
        for found in checked
        if found.problem
    ]
    channels = ", ".join(sorted({found.channel for found in checked}))
    return wrong or [Check(ROUTING, True, f"the bot is in every routed channel: {channels}")]


def slack_routing(settings: Settings) -> list[Check] | str:
    """The routing checked in Slack, or why it could not be (no Slack connector, Slack out of
    reach, the token refused, the listing refused): a reason, never an exception."""
    config = settings.connectors.slack
    if config is None:
        return "no Slack connector configured"
    reached = _http_probe("slack", _slack_probe_url(str(config.base_url)))
    if not reached.ok:
        return reached.detail
    gate = RateGate.from_url(None, rates=budgets_for(settings))
    connector = SlackConnector.from_settings(config, Context(gate=gate))
    signed_in = connector.check()
    if not signed_in.ok:
        return signed_in.detail
    try:
        return routing_checks(connector, settings)
    except ConnectorError as exc:
        return f"{exc} ({_hint(exc)})"


def _hint(error: ConnectorError) -> str:
    return SCOPES_HINT if "missing_scope" in error.detail else "run the check again later"
