"""Sign requests the way each vendor does, so tests send what the vendors send."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[1] / "fixtures"

SECRETS = {
    "github": "gh-current-secret",
    "jira": "jira-current-secret",
    "zendesk": "zendesk-current-secret",
    "freshdesk": "freshdesk-current-secret",
    "intake": "intake-current-secret",
    "slack": "slack-current-signing-secret",
}
OLD_SECRETS = {source: f"{source}-retiring-secret" for source in SECRETS}


def secret_variable(source: str) -> str:
    """The setting holding ``source``'s secrets."""
    if source == "slack":
        return "BRIDGE_SLACK_SIGNING_SECRET"
    return f"BRIDGE_{source.upper()}_WEBHOOK_SECRET"


def hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def github_headers(body: bytes, secret: str, event: str, delivery: str = "") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256=" + hex_hmac(secret, body),
    }


def jira_headers(body: bytes, secret: str, identifier: str = "") -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Atlassian-Webhook-Identifier": identifier or str(uuid.uuid4()),
        "X-Hub-Signature": "sha256=" + hex_hmac(secret, body),
    }


def base64_hmac(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's signature: base64 HMAC-SHA256 of the timestamp, then the body."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def zendesk_headers(
    body: bytes,
    secret: str,
    invocation: str = "",
    signed_at: dt.datetime | None = None,
    webhook: str = "01F1KRFQ6BG29CNWFR60NK5FNY",
) -> dict[str, str]:
    """Zendesk's headers, signed now (or at ``signed_at``) in its ISO 8601 form."""
    stamp = (signed_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Id": webhook,
        "X-Zendesk-Webhook-Invocation-Id": invocation or str(uuid.uuid4().int % 10**10),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "X-Zendesk-Webhook-Signature": base64_hmac(secret, stamp, body),
    }


def freshdesk_headers(body: bytes, secret: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Freshdesk-Webhook-Secret": secret}


def intake_headers(body: bytes, secret: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Bridge-Signature-256": "sha256=" + hex_hmac(secret, body),
    }


def slack_headers(
    body: bytes, secret: str, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + hex_hmac(secret, base),
    }


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def fixture_json(relative: str) -> Any:
    return json.loads(fixture_bytes(relative))
