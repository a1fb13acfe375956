"""The Slack surface: ``/escalate``, the triage modal, escalation buttons and events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from flask import Flask
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

from bridge.services.ports import SlackWorkspace, has_feature
from webhooks.slack.listeners import Listeners
from webhooks.slack.workspace_pin import NOT_PINNED_FIX, WorkspacePin

if TYPE_CHECKING:
    from webhooks.slack.socket_mode import SocketModeLink

log = structlog.get_logger("webhooks.slack")


@dataclass
class SlackSurface:
    bolt: App
    listeners: Listeners
    handler: SlackRequestHandler
    socket_mode: SocketModeLink | None = None  # started by `serve` (and the demo), not here


def init_app(app: Flask) -> None:
    from webhooks.app import runtime_of
    from webhooks.slack.bolt_app import build_bolt_app
    from webhooks.slack.routes import blueprint

    app.register_blueprint(blueprint)
    runtime = runtime_of(app)
    slack = runtime.settings.connectors.slack
    connector = runtime.connectors.get("slack")
    signed = bool(runtime.settings.webhook_secrets("slack"))
    if slack is None or connector is None or not (signed or slack.socket_mode):
        log.info("slack.off", bot_token_set=slack is not None)
        return
    if not has_feature(connector, "workspace"):
        log.warning("slack.off", reason="the slack connector cannot answer people in Slack")
        return
    workspace: SlackWorkspace = getattr(connector, "workspace")  # noqa: B009 (a feature's part)
    bolt, listeners = build_bolt_app(runtime, slack, workspace)
    if not WorkspacePin.of(slack).pinned:
        log.warning("slack.workspace_not_pinned", fix=NOT_PINNED_FIX)
    link = None
    if slack.socket_mode and slack.app_token is not None:
        from webhooks.slack.socket_mode import SocketModeLink  # only a bridge in Socket Mode

        link = SocketModeLink(bolt, slack.app_token.get_secret_value())
    app.extensions["bridge.slack"] = SlackSurface(bolt, listeners, SlackRequestHandler(bolt), link)


def surface_of(app: Flask) -> SlackSurface | None:
    surface: SlackSurface | None = app.extensions.get("bridge.slack")
    return surface
