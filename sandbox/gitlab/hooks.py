"""GitLab's webhooks: the headers it sends them with, and what each event hook carries.

GitLab signs nothing: the secret token set on the hook is sent as is in ``X-Gitlab-Token``.
Every delivery has its own ``X-Gitlab-Event-UUID``, and
``X-Gitlab-Webhook-UUID`` names the hook. The events a hook was set up for are named by the
hook's settings (``issues_events``, ``note_events``…) and sent under ``X-Gitlab-Event``.
"""

from __future__ import annotations

import uuid

ISSUE_HOOK = "Issue Hook"
NOTE_HOOK = "Note Hook"
MERGE_REQUEST_HOOK = "Merge Request Hook"
RELEASE_HOOK = "Release Hook"
EVENT_SETTINGS = {
    "issues_events": ISSUE_HOOK,
    "note_events": NOTE_HOOK,
    "merge_requests_events": MERGE_REQUEST_HOOK,
    "releases_events": RELEASE_HOOK,
}
WEBHOOK_UUID = "3c5a2e3d-7c0b-4a8e-9a53-5b1d2f6e8c01"  # the sandbox project's one hook
GITLAB_VERSION = "18.6.0"


def gitlab_headers(event: str, body: bytes, secret: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": f"GitLab/{GITLAB_VERSION}",
        "X-Gitlab-Event": event,
        "X-Gitlab-Token": secret,
        "X-Gitlab-Event-UUID": str(uuid.uuid4()),
        "X-Gitlab-Webhook-UUID": WEBHOOK_UUID,
        "X-Gitlab-Instance": "https://gitlab.sandbox",
    }
