"""SlackApiError and network failures, translated into the port's errors."""

from __future__ import annotations

import urllib.error

from slack_sdk.errors import SlackApiError, SlackClientError

from bridge.connectors.errors import from_status, retry_after_of, unreachable
from bridge.services.ports import (
    ConnectorAuthError,
    ConnectorError,
    PermanentConnectorError,
    TransientConnectorError,
)

SYSTEM = "slack"
AUTH_ERRORS = {
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "missing_scope",
    "no_permission",
}
HINTS = {
    "not_in_channel": "invite the bridge's bot user to the channel",
    "channel_not_found": "check the channel id in the routing rules",
    "is_archived": "the channel is archived; route escalations to another one",
    "msg_too_long": "the message is longer than Slack allows",
}
TRANSIENT_ERRORS = {"ratelimited", "service_unavailable", "internal_error", "fatal_error"}


def translate(error: Exception) -> ConnectorError:
    if isinstance(error, SlackApiError):
        response = error.response
        status = response.status_code
        code = str(response.get("error", "unknown_error")) if response.data else "unknown_error"
        headers = {k: str(v[0] if isinstance(v, list) else v) for k, v in response.headers.items()}
        if status == 429 or status >= 500 or code in TRANSIENT_ERRORS:
            msg = f"slack is busy ({code}, HTTP {status})"
            return TransientConnectorError(SYSTEM, msg, retry_after_of(headers))
        if code in AUTH_ERRORS:
            return ConnectorAuthError(SYSTEM, f"{code}: check connectors.slack.bot_token scopes")
        hint = HINTS.get(code, "see Slack's documentation for this error code")
        return PermanentConnectorError(SYSTEM, f"{code}: {hint}")
    if isinstance(error, urllib.error.HTTPError):
        return from_status(SYSTEM, error.code, error.reason, dict(error.headers or {}))
    if isinstance(error, (urllib.error.URLError, TimeoutError, OSError, SlackClientError)):
        return unreachable(SYSTEM, error)
    raise error
