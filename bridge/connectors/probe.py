"""Connector checks for ``doctor``: can this machine reach each configured system, and do the
credentials work there?

First the network layer, each connector's ``probe(config)`` (so an unreachable host says so
plainly, without retries), then each connector's own ``check()``, which signs in with the
configured credentials, and the field ids bridge.yaml maps for it (``field_problems``). Then
every channel routing names is looked up in Slack (``slack_routing``), for ``doctor`` and
``config check``.
"""

from __future__ import annotations

from bridge.config import Settings
from bridge.connectors.credentials import CredentialWatch
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context, budgets_for, build_connectors, installed
from bridge.connectors.slack import SlackConnector
from bridge.connectors.slack.channels import check_routing, routed_channels
from bridge.observability.health import Check
from bridge.services.ports import Connector, ConnectorError

ROUTING = "slack routing"
SCOPES_HINT = (
    "give the Slack app the channels:read and groups:read scopes "
    "(see `support-bridge slack manifest`) and reinstall it"
)


def _network(settings: Settings) -> dict[str, Check]:
    """Each configured connector's ``probe(config)`` (a class method; a connector without one
    goes straight to signing in)."""
    classes = installed()
    found: dict[str, Check] = {}
    for name in settings.connectors.configured():
        probe = getattr(classes.get(name), "probe", None)
        config = settings.connectors.section(name)
        if probe is not None and config is not None:
            found[name] = probe(config)
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
        if result.ok:
            checks += _fields(name, connector, settings)
    if not checks:
        checks.append(Check("connectors", True, "none configured (embedded sandbox mode)"))
    return checks


def _fields(name: str, connector: Connector, settings: Settings) -> list[Check]:
    """A row per field id of ``field_mappings.<name>`` the system does not have, asked of a
    connector that offers ``field_problems(wanted)`` (Jira)."""
    field_problems = getattr(connector, "field_problems", None)
    if field_problems is None:
        return []
    wanted = [
        (f"field_mappings.{name}.{field}", field_id)
        for field, field_id in settings.field_mappings.get(name, {}).items()
    ]
    try:
        wrong: list[tuple[str, str]] = field_problems(wanted)
    except ConnectorError as exc:
        return [
            Check(f"{name} fields", False, f"cannot list the fields: {exc}", "run doctor again")
        ]
    return [Check(f"{name} fields", False, problem, fix) for problem, fix in wrong]


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
    reached = SlackConnector.probe(config)
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
