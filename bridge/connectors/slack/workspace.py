"""The Slack calls made while a person waits (a modal to open, a note only they see, who is in
a user group), for the ``/slack`` listeners, which never hold a Slack client themselves.

Unlike the outbox's calls these are not retried: the person sees the answer now or is told
to try again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bridge.connectors.slack.errors import SYSTEM, translate
from bridge.connectors.slack.settings import SlackSettings
from bridge.services.block_text import message_text
from bridge.services.ports import ConnectorError

T = TypeVar("T")


class SlackWebWorkspace:
    def __init__(self, settings: SlackSettings) -> None:
        self.settings = settings

    @cached_property
    def client(self) -> WebClient:
        return WebClient(
            token=self.settings.bot_token.get_secret_value(),
            base_url=str(self.settings.base_url),
            timeout=5,  # Slack gives a listener 3 s to answer; a slow call is answered anyway
        )

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except SlackApiError as exc:  # the person is shown Slack's own error code
            raise ConnectorError(SYSTEM, str(exc.response.get("error") or "unknown_error")) from exc
        except Exception as exc:  # network errors, as the port's errors
            raise translate(exc) from exc

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        self._call(lambda: self.client.views_open(trigger_id=trigger_id, view=view))

    def post_ephemeral(self, channel: str | None, user: str, text: str) -> None:
        """A note only ``user`` sees; a direct message when the channel is unknown."""
        text = message_text(text)
        if channel:
            self._call(
                lambda: self.client.chat_postEphemeral(channel=channel, user=user, text=text)
            )
        else:
            self._call(lambda: self.client.chat_postMessage(channel=user, text=text))

    def group_members(self, group_id: str) -> frozenset[str]:
        answer = self._call(lambda: self.client.usergroups_users_list(usergroup=group_id))
        users = answer.get("users") or []
        return frozenset(user for user in users if isinstance(user, str))
