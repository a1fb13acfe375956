"""Slack's settings, ``connectors.slack`` in bridge.yaml: the bot's token, the workspace it
answers, and Socket Mode."""

from __future__ import annotations

import re

from pydantic import AnyHttpUrl, SecretStr, ValidationInfo, field_validator, model_validator

from bridge.config.strict import Strict


class SlackSettings(Strict):
    base_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    bot_token: SecretStr
    # The workspace (T…) and Enterprise Grid org (E…) whose requests are acted on; any other's
    # are refused. Unset: every workspace the app is installed in (warned at start).
    team_id: str | None = None
    enterprise_id: str | None = None
    # Socket Mode: Slack sends the command, buttons and forms over a WebSocket the bridge opens
    # (no public URL for Slack, no signing secret); it needs the app-level token (xapp-…,
    # scope connections:write), from BRIDGE_CONNECTORS__SLACK__APP_TOKEN.
    socket_mode: bool = False
    app_token: SecretStr | None = None

    @model_validator(mode="after")
    def _socket_mode_has_app_token(self) -> SlackSettings:
        token = self.app_token.get_secret_value().strip() if self.app_token else ""
        if self.socket_mode and not token:
            msg = (
                "socket_mode is on but app_token is not set: set "
                "BRIDGE_CONNECTORS__SLACK__APP_TOKEN to the app-level token (xapp-…) from the "
                "Slack app's Basic Information → App-Level Tokens (scope connections:write)"
            )
            raise ValueError(msg)
        if token and not token.startswith("xapp-"):
            msg = "app_token is not an app-level token (those start with xapp-; see docs/slack.md)"
            raise ValueError(msg)
        return self

    @field_validator("team_id", "enterprise_id")
    @classmethod
    def _slack_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        first = "T" if info.field_name == "team_id" else "E"
        if value is not None and not re.fullmatch(first + r"[A-Z0-9]{2,30}", value):
            msg = f"not a Slack {info.field_name} (for instance {first}0123ABCD)"
            raise ValueError(msg)
        return value
