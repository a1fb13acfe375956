"""Socket Mode: Slack's requests over a WebSocket the bridge opens, into the same bolt app.

With ``connectors.slack.socket_mode`` the bridge needs no public URL for Slack: it asks Slack
for a WebSocket URL with the app-level token (``apps.connections.open``) and Slack sends each
``/escalate``, button press, form submission and event over it as an envelope. Each envelope
goes through the same payload checks as ``/slack/*`` (``shapes.py``) and then into the same
bolt app: the same workspace pin, the same listeners, and the same rule that what must not be
lost is in the inbox before the ack, since bolt's handler sends the ack only once the listener
has acknowledged. Nothing is signed on this way in: the app token authenticates the socket.

bolt's built-in handler keeps the connection (pings, reconnects with a new URL when Slack
refreshes it); this module adds the start, a retry while Slack is out of reach, and the stop.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import structlog
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response

from bridge.services.receiving import Malformed
from webhooks.slack.shapes import check_command, check_event, check_interaction

log = structlog.get_logger("webhooks.slack")
CHECKS = {
    "slash_commands": check_command,
    "interactive": check_interaction,
    "events_api": check_event,
}
# Slack's answers to apps.connections.open that no retry mends: the token is wrong.
REFUSALS = frozenset(
    {"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "account_inactive"}
)
RETRY_SECONDS = (1, 2, 5, 10, 30, 60)


class SocketModeRefused(Exception):
    """Slack refused the app-level token: a configuration problem, said once at start."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class _CheckedHandler(SocketModeHandler):
    def handle(self, client: Any, req: Any) -> None:
        check = CHECKS.get(req.type)
        if check is not None:
            try:
                check(req.payload)
            except Malformed as problem:
                # Acknowledged, so Slack does not send it again: it would not get better.
                log.warning(
                    "slack.socket_mode.refused",
                    envelope=req.type,
                    reason=problem.reason,
                    detail=problem.detail,
                )
                _acknowledge(client, req)
                return
        started = time.time()
        answer = run_bolt_app(self.app, req)
        if answer.status == 404:
            # Nothing in the bridge handles it: acknowledged, as /slack/* answers it 200, so
            # that Slack does not send it again.
            _acknowledge(client, req)
            return
        send_response(client, req, answer, started)


def _acknowledge(client: Any, req: Any) -> None:
    client.send_message(json.dumps({"envelope_id": req.envelope_id}))


def _slack_error(exc: Exception) -> str | None:
    """The ``error`` of a Web API refusal (slack-sdk's SlackApiError), without naming its type:
    the webhooks package never imports the SDK."""
    response = getattr(exc, "response", None)
    try:
        error = response["error"] if response is not None else None
    except (KeyError, TypeError):
        return None
    return error if isinstance(error, str) else None


class SocketModeLink:
    """The bridge's Socket Mode connection: ``start()`` once, ``close()`` at shutdown."""

    def __init__(self, bolt: App, app_token: str) -> None:
        self.handler = _CheckedHandler(bolt, app_token, logger=bolt.logger)
        self._stopped = threading.Event()
        self._retrying: threading.Thread | None = None

    @property
    def connected(self) -> bool:
        return bool(self.handler.client.is_connected())

    def start(self) -> None:
        """Connect now; raise ``SocketModeRefused`` when Slack refuses the token, and keep
        trying in the background while Slack cannot be reached."""
        if self._connect_once():
            return
        self._retrying = threading.Thread(
            target=self._keep_trying, name="slack-socket-mode-connect", daemon=True
        )
        self._retrying.start()

    def _connect_once(self) -> bool:
        try:
            self.handler.connect()
        except Exception as exc:  # the SDK's errors, or the network's
            error = _slack_error(exc)
            if error in REFUSALS:
                raise SocketModeRefused(error) from None
            log.warning("slack.socket_mode.unreachable", error=error or type(exc).__name__)
            return False
        log.info("slack.socket_mode.connected")
        return True

    def _keep_trying(self) -> None:
        attempt = 0
        while not self._stopped.wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]):
            attempt += 1
            try:
                if self._connect_once():
                    return
            except SocketModeRefused as refused:
                log.error("slack.socket_mode.refused_token", error=refused.error)
                return

    def close(self) -> None:
        self._stopped.set()
        if self._retrying is not None:
            self._retrying.join(timeout=5)
        self.handler.close()
        log.info("slack.socket_mode.closed")


def socket_mode_link(app: Any) -> SocketModeLink | None:
    """The Socket Mode connection the Flask app's Slack surface asks for, not yet started
    (None unless ``connectors.slack.socket_mode`` is on)."""
    from webhooks.slack import surface_of

    surface = surface_of(app)
    return surface.socket_mode if surface is not None else None
