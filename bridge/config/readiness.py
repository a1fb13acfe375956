"""A valid configuration the bridge still cannot work with: each gap names the key, what goes
wrong because of it, and the fix. ``config check`` and ``doctor`` fail on them; ``serve`` warns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from bridge.config.settings import Settings

# Slack, the chat surface, calls the bridge back too (webhooks/slack); the connectors' webhooks
# say themselves what is lost without them (their receiver's ``purpose``).
_SLACK_CALLS = "Slack's /escalate command and every button press"
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


def gaps(settings: Settings, webhooks: Mapping[str, str]) -> list[Gap]:
    """The set-up problems of ``settings``; ``webhooks`` is what each installed connector's
    webhook brings, by source (its receiver's ``purpose``)."""
    found = [
        *_unsigned_callers(settings, webhooks),
        *_blank_variables(settings),
        *_clockless(settings),
    ]
    first = {gap.key: gap for gap in reversed(found)}  # one line per key: the first one's
    return [gap for gap in found if first[gap.key] is gap]


def _variable(field: str) -> str:
    return f"BRIDGE_{field.upper()}"


def _unsigned_callers(settings: Settings, webhooks: Mapping[str, str]) -> list[Gap]:
    found = []
    configured = settings.connectors.configured()
    for source, purpose in {**webhooks, "slack": _SLACK_CALLS}.items():
        if source not in configured or settings.webhook_secrets(source):
            continue
        slack = settings.connectors.slack
        if source == "slack" and slack is not None and slack.socket_mode:
            continue  # Slack calls over the bridge's own WebSocket: nothing is signed
        lost = purpose or f"{source}'s events"
        variable = settings.webhook_secret_setting(source)
        if source == "slack":
            path = "/slack/*"
            where_found = "the Slack app's Signing Secret (Basic Information → App Credentials)"
        else:
            path = f"/webhooks/{source}"
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
