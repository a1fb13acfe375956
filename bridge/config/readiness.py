"""A valid configuration the bridge still cannot work with: each gap names the key, what goes
wrong because of it, and the fix. ``config check`` and ``doctor`` fail on them; ``serve`` warns.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from bridge.config.settings import Settings

# The connectors whose systems call the bridge back, and what is lost when they cannot.
_CALLERS = {
    "jira": "Jira's issue updates (the AR's status, the fix version released)",
    "github": "GitHub's issue, pull-request and release events",
    "zendesk": "Zendesk's ticket events (escalation requests, customer replies)",
    "freshdesk": "Freshdesk's ticket events (escalation requests, customer replies)",
    "slack": "Slack's /escalate command and every button press",
}
_BLANK_MEANS = {
    "api_token": "the API and the board's login stay closed",
    "secret_key": "a key is generated in BRIDGE_DATA_DIR instead, so sign-ins and links end "
    "when that directory is lost",
}


@dataclass(frozen=True)
class Gap:
    key: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.key}: {self.problem}; fix: {self.fix}"


def gaps(settings: Settings) -> list[Gap]:
    found = [*_unsigned_callers(settings), *_blank_variables(settings), *_clockless(settings)]
    first = {gap.key: gap for gap in reversed(found)}  # one line per key: the first one's
    return [gap for gap in found if first[gap.key] is gap]


def _variable(field: str) -> str:
    return f"BRIDGE_{field.upper()}"


def _unsigned_callers(settings: Settings) -> list[Gap]:
    found = []
    for source, lost in _CALLERS.items():
        connector = getattr(settings.connectors, source)
        if connector is None or settings.webhook_secrets(source):
            continue
        if source == "slack" and connector.socket_mode:
            continue  # Slack calls over the bridge's own WebSocket: nothing is signed
        if source == "slack":
            variable, path = _variable("slack_signing_secret"), "/slack/*"
            where_found = "the Slack app's Signing Secret (Basic Information → App Credentials)"
        else:
            variable, path = _variable(f"{source}_webhook_secret"), f"/webhooks/{source}"
            where_found = f"the secret the {source} webhook signs with"
        found.append(
            Gap(
                variable,
                f"connectors.{source} is configured but {variable} is not set (or blank), so "
                f"every request to {path} is answered 404 and {lost} never arrive",
                f"set {variable} to {where_found}",
            )
        )
    return found


def _blank_variables(settings: Settings) -> list[Gap]:
    found = []
    for field in Settings.model_fields:
        value = getattr(settings, field)
        if isinstance(value, SecretStr) and not value.get_secret_value().strip():
            means = _BLANK_MEANS.get(field, "it counts as not set")
            found.append(
                Gap(_variable(field), f'is set but blank (""): {means}', "give it a value")
            )
    return found


def _clockless(settings: Settings) -> list[Gap]:
    missing = [n for n in (1, 2, 3, 4) if n not in settings.sla.severities]
    return [
        Gap(
            f"sla.severities.{severity}",
            f"severity {severity} has no policy, so its escalations get no SLA clocks "
            "(no acknowledgement, reply or patch deadline, never at risk or breached)",
            f"add it, for instance {severity}: {{acknowledge: {{hours: 24}}}}",
        )
        for severity in missing
    ]
