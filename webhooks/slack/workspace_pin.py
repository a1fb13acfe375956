"""The Slack workspace the bridge serves: a request from any other stops before a listener runs.

The signing secret belongs to the app, not to a workspace: once the app is installed in a
second workspace, or org-wide in an Enterprise Grid org, their requests are signed with the
same secret. With ``connectors.slack.team_id`` (and ``enterprise_id``) set, only the pinned
workspace's (or org's) requests are acted on. The others are answered 200, so that Slack does
not retry them, with a note for whoever typed the command, and logged with their ids and
kind, never their text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.request.payload_utils import is_slash_command

log = structlog.get_logger("webhooks.slack")
REFUSAL = "Support Bridge does not serve this Slack workspace; nothing was done."
NOT_PINNED_FIX = (
    "set connectors.slack.team_id (and enterprise_id in an Enterprise Grid org) so that only "
    "your workspace's requests are acted on"
)


def _logged(value: Any) -> str | None:
    """An id as Slack names it, cut short: it is the sender's to choose."""
    return value[:40] if isinstance(value, str) else None


class PinnedIds(Protocol):
    """What of ``connectors.slack`` (the Slack connector's settings) names the workspace."""

    @property
    def team_id(self) -> str | None: ...

    @property
    def enterprise_id(self) -> str | None: ...


@dataclass(frozen=True)
class WorkspacePin:
    team_id: str | None = None
    enterprise_id: str | None = None

    @classmethod
    def of(cls, slack: PinnedIds) -> WorkspacePin:
        return cls(slack.team_id, slack.enterprise_id)

    @property
    def pinned(self) -> bool:
        return self.team_id is not None or self.enterprise_id is not None

    def mismatch(self, team_id: str | None, enterprise_id: str | None) -> str | None:
        """Why a request from this workspace and org is not ours; None when it is."""
        if self.enterprise_id is not None and enterprise_id != self.enterprise_id:
            return "another enterprise" if enterprise_id else "no enterprise named"
        if self.team_id is not None and team_id != self.team_id:
            return "another workspace" if team_id else "no workspace named"
        return None

    def middleware(
        self, req: BoltRequest, body: dict, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """Bolt global middleware: a foreign workspace's request is acknowledged, not acted on."""
        why = self.mismatch(req.context.team_id, req.context.enterprise_id)
        if why is None:
            return next()
        command = is_slash_command(body)
        log.warning(
            "slack.foreign_workspace",
            reason=why,
            kind="command" if command else _logged(body.get("type")),
            team_id=_logged(req.context.team_id),
            enterprise_id=_logged(req.context.enterprise_id),
        )
        if command:
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": REFUSAL})
        return BoltResponse(status=200, body="")
