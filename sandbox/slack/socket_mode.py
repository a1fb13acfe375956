"""Socket Mode: `apps.connections.open` and the WebSocket Slack sends an app's requests over.

An app in Socket Mode has no request URL. It calls `apps.connections.open` with its app-level
token (`xapp-…`), connects to the `wss://` URL it is given (`ws://` on this loopback sandbox),
is greeted with `{"type": "hello"}`, and from then on receives each slash command, interaction
and event as an envelope `{"envelope_id", "type", "payload", "accepts_response_payload"}`. It
acknowledges each with `{"envelope_id", "payload"?}` within three seconds; the payload is what
an HTTP app would have answered (a command's reply, a form's `response_action`).

Shapes follow Slack's Socket Mode guide (docs.slack.dev/apis/events-api/using-socket-mode) and
the `apps.connections.open` method page; the trimmed Web API description in
`sandbox/openapi/slack.json` does not carry the method, so it is not contract-checked.

While one connection is open, the Slack person's commands, presses and form submissions go over
it instead of to a request URL: the socket registers as a webhook target of its own, so the
sandbox's drop and duplicate faults (a redelivered envelope) work the same on both ways in.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from flask import Response, jsonify
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from sandbox.core.webhooks import Delivery, WebhookTarget
from sandbox.slack.methods import method

if TYPE_CHECKING:
    from sandbox.slack.app import SlackServer

APP_ID = "A0SANDBOX1"
ACK_SECONDS = 3.0  # Slack waits this long for an ack, then retries the envelope
SLASH_COMMAND = "slash_command"
INTERACTIONS = ("block_actions", "view_submission", "view_closed", "shortcut", "interaction")
SOCKET_URL = "socket-mode"  # the delivery log's "url" for what went over the socket


def envelope_type(event: str) -> str:
    """Socket Mode's name for what an HTTP app receives at one of its request URLs."""
    if event == SLASH_COMMAND:
        return "slash_commands"
    if event in INTERACTIONS:
        return "interactive"
    return "events_api"


def envelope_payload(kind: str, body: bytes) -> dict[str, Any]:
    """The payload an HTTP app would have parsed from the request body."""
    if kind == "events_api":
        payload: dict[str, Any] = json.loads(body)
        return payload
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    if kind == "interactive":
        interaction: dict[str, Any] = json.loads(form["payload"])
        return interaction
    return form


@dataclass
class _Waiting:
    done: threading.Event = field(default_factory=threading.Event)
    ack: dict[str, Any] | None = None


class SocketMode:
    """The WebSocket server and its open connections (started at the first
    `apps.connections.open`, so a sandbox whose app never asks costs nothing)."""

    def __init__(self, slack: SlackServer, app_token: str) -> None:
        self.slack = slack
        self.app_token = app_token
        self._lock = threading.Lock()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []
        self._waiting: dict[str, _Waiting] = {}
        self._target: WebhookTarget | None = None
        self.opened = 0  # connections ever opened: a test can watch a reconnect
        self.acknowledged: list[str] = []  # envelope ids, in the order their acks arrived

    # -- apps.connections.open ---------------------------------------------------------
    def new_url(self) -> str:
        with self._lock:
            if self._server is None:
                self._server = serve(
                    self._serve_connection, "127.0.0.1", 0, compression=None, ping_interval=None
                )
                self._thread = threading.Thread(
                    target=self._server.serve_forever, name="sandbox-slack-socket", daemon=True
                )
                self._thread.start()
            ticket = secrets.token_hex(8)
            self._tickets.add(ticket)
            host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={ticket}&app_id={APP_ID}"

    @property
    def connected(self) -> int:
        with self._lock:
            return len(self._connections)

    def stop(self) -> None:
        with self._lock:
            server, connections = self._server, list(self._connections)
            self._server = None
        for connection in connections:
            connection.close()
        if server is not None:
            server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def refresh_connections(self, grace_seconds: float = 5.0) -> None:
        """Refresh every open connection as Slack does: a `disconnect` message first (the
        app opens a new connection through `apps.connections.open`), then, after the grace
        period, the old connection is closed if the app has not closed it."""
        with self._lock:
            connections = list(self._connections)
        notice = {"type": "disconnect", "reason": "refresh_requested", "debug_info": {}}
        for connection in connections:
            with contextlib.suppress(ConnectionClosed):
                connection.send(json.dumps(notice))

        def close_old() -> None:
            for connection in connections:
                connection.close(code=1001, reason="refresh_requested")

        closing = threading.Timer(grace_seconds, close_old)
        closing.daemon = True
        closing.start()

    # -- one connection ------------------------------------------------------------------
    def _serve_connection(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path if connection.request else "").query)
        ticket = (query.get("ticket") or [""])[0]
        with self._lock:
            known = ticket in self._tickets
            self._tickets.discard(ticket)  # a ticket opens one connection
        if not known:
            connection.close(code=1008, reason="invalid ticket")
            return
        self._opened(connection)
        try:
            hello = {
                "type": "hello",
                "num_connections": self.connected,
                "debug_info": {"host": "sandbox", "approximate_connection_time": 3600},
                "connection_info": {"app_id": APP_ID},
            }
            connection.send(json.dumps(hello))
            for message in connection:
                self._acknowledged(message)
        except ConnectionClosed:
            pass
        finally:
            self._closed(connection)

    def _opened(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            self.opened += 1
            if self._target is None:
                self._target = WebhookTarget(SOCKET_URL, "", ("*",), transport=self.deliver)
                self.slack.webhooks.add_target(self._target)

    def _closed(self, connection: ServerConnection) -> None:
        with self._lock:
            if connection in self._connections:
                self._connections.remove(connection)
            target = self._target if not self._connections else None
            if target is not None:
                self._target = None
        if target is not None:
            self.slack.webhooks.remove_target(target)

    def _acknowledged(self, message: str | bytes) -> None:
        try:
            ack = json.loads(message)
        except ValueError:
            return
        if not isinstance(ack, dict):
            return
        with self._lock:
            self.acknowledged.append(str(ack.get("envelope_id")))
            waiting = self._waiting.get(str(ack.get("envelope_id")))
        if waiting is not None:
            waiting.ack = ack
            waiting.done.set()

    # -- envelopes out -------------------------------------------------------------------
    def deliver(self, event: str, body: bytes) -> Delivery:
        """Send one request as an envelope on an open connection and wait for its ack."""
        kind = envelope_type(event)
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": envelope_payload(kind, body),
            "accepts_response_payload": kind != "events_api",
        }
        waiting = _Waiting()
        with self._lock:
            connection = self._connections[-1] if self._connections else None
            self._waiting[envelope_id] = waiting
        headers = {"envelope_id": envelope_id, "type": kind}
        try:
            if connection is None:
                return Delivery(event, SOCKET_URL, headers, body, None, error="no connection")
            connection.send(json.dumps(envelope))
            if not waiting.done.wait(ACK_SECONDS):
                return Delivery(event, SOCKET_URL, headers, body, None, error="no ack")
            return Delivery(event, SOCKET_URL, headers, body, 200, answer=waiting.ack)
        except ConnectionClosed:
            return Delivery(event, SOCKET_URL, headers, body, None, error="ConnectionClosed")
        finally:
            with self._lock:
                self._waiting.pop(envelope_id, None)


@method("apps.connections.open")
def connections_open(server: SlackServer, args: dict[str, Any]) -> Response:
    return jsonify({"ok": True, "url": server.socket_mode.new_url()})
