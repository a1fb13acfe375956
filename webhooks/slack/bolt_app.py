"""The bolt app behind ``/slack/*``: listeners wired to the runtime, no Slack call at start.

Requests reach bolt already verified (every active signing secret, five-minute window), so
bolt's own single-secret check is off; the bot token comes from settings through
``authorize``, which spares the ``auth.test`` call bolt would otherwise make. The listeners make
their Slack calls through the Slack connector's workspace (``SlackWorkspace``), never through
the ``client`` bolt would hand them. A request from a workspace other than the pinned one
stops at the first middleware (``WorkspacePin``).
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult

from bridge import catalogue
from bridge.config.connectors import SlackSettings
from bridge.runtime import Runtime
from bridge.services.inbound.triage_requests import OPEN_TRIAGE
from bridge.services.ports import SlackWorkspace
from webhooks.slack import same_problem, step_forms
from webhooks.slack.listeners import Listeners
from webhooks.slack.manifest import COMMAND
from webhooks.slack.modal import CALLBACK_ID
from webhooks.slack.permissions import GroupDirectory, WorkspaceGroups
from webhooks.slack.triage_button import TriageButton
from webhooks.slack.workspace_pin import WorkspacePin

STEP_NAMES = tuple(declared.name for declared in catalogue.STEPS)
BUTTON_ACTIONS = re.compile(r"^escalation\.(" + "|".join((*STEP_NAMES, "more")) + r")$")


def build_bolt_app(
    runtime: Runtime,
    slack: SlackSettings,
    workspace: SlackWorkspace,
    directory: GroupDirectory | None = None,
) -> tuple[App, Listeners]:
    token = slack.bot_token.get_secret_value()

    def authorize(enterprise_id: Any = None, team_id: Any = None, user_id: Any = None) -> Any:
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token
        )

    app = App(
        authorize=authorize,
        request_verification_enabled=False,
        ignoring_self_events_enabled=False,
        raise_error_for_unhandled_request=False,
    )
    # bolt's own client makes one call: Socket Mode's apps.connections.open, at the Slack API
    # the connector is configured for (the listeners call Slack through ``workspace``).
    app.client.base_url = str(slack.base_url)
    listeners = Listeners(runtime, workspace, directory or WorkspaceGroups(workspace))
    app.middleware(WorkspacePin.of(slack).middleware)  # first: a foreign request stores nothing
    app.middleware(listeners.store_event)
    app.command(COMMAND)(listeners.escalate_command)
    app.view(CALLBACK_ID)(listeners.triage_submitted)
    app.view(same_problem.CALLBACK_ID)(listeners.same_problem_submitted)
    app.view(step_forms.CALLBACK_ID)(listeners.step_submitted)
    app.action(BUTTON_ACTIONS)(listeners.button_pressed)
    app.action(OPEN_TRIAGE)(TriageButton(listeners).pressed)
    app.event(re.compile(".*"))(_stored_by_middleware)
    return app, listeners


def _stored_by_middleware() -> None:
    """Events are in the inbox already; their job does the work."""
