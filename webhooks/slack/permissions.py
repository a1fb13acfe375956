"""Who may press which escalation button: Slack user ids or user-group ids per role.

An empty list lets anyone press. Group membership comes from a ``GroupDirectory``; the Slack
one asks ``usergroups.users.list`` through the Slack workspace and remembers the answer for a
few minutes.
"""

from __future__ import annotations

import threading
import time

import structlog

from bridge import catalogue
from bridge.services.ports import ConnectorError, SlackWorkspace

log = structlog.get_logger("webhooks.slack")

# Buttons on escalation messages carry action_id "escalation.<step>" and the escalation id as
# value; the step's label and its role are the catalogue's.
BUTTON_LABELS = {declared.name: declared.label for declared in catalogue.STEPS}


def allowed_for(roles: object, step: str) -> list[str]:
    """The Slack users and groups bridge.yaml's ``roles`` lets take ``step``."""
    allowed: list[str] = getattr(roles, catalogue.step(step).role)
    return allowed


def is_group(entry: str) -> bool:
    return entry.startswith("S")


class GroupDirectory:
    """The members of a Slack user group."""

    def members(self, group_id: str) -> frozenset[str]:
        raise NotImplementedError


class WorkspaceGroups(GroupDirectory):
    def __init__(self, workspace: SlackWorkspace, ttl_seconds: float = 300.0) -> None:
        self._workspace = workspace
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    def members(self, group_id: str) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(group_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            found = self._workspace.group_members(group_id)
        except ConnectorError as exc:
            # Refusing is the safe answer when membership cannot be checked.
            log.warning("slack.group_lookup_failed", group=group_id, error=str(exc))
            return frozenset()
        with self._lock:
            self._cache[group_id] = (now, found)
        return found


def may_press(allowed: list[str], user_id: str, directory: GroupDirectory) -> bool:
    if not allowed or user_id in allowed:
        return True
    return any(is_group(entry) and user_id in directory.members(entry) for entry in allowed)


def refusal(role: str, allowed: list[str]) -> str:
    names = (f"<!subteam^{entry}>" if is_group(entry) else f"<@{entry}>" for entry in allowed)
    who = ", ".join(names)
    return f"Only {who} may press {BUTTON_LABELS[role]} on escalations."


def form_refusal(role: str) -> str:
    """The error on a form sent by someone the role leaves out (a form's errors are plain text,
    so the permitted people cannot be mentioned as in ``refusal``)."""
    return f"You may not press {BUTTON_LABELS[role]} on escalations; nothing was changed."
