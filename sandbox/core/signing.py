"""The vendors' webhook signing schemes, as their documentation describes them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime


def hex_hmac_sha256(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def github_signature_256(secret: str, body: bytes) -> str:
    """X-Hub-Signature-256: 'sha256=' + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hex_hmac_sha256(secret, body)


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(timestamp + body))."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


def github_headers(event: str, body: bytes, secret: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/sandbox",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-GitHub-Hook-ID": "1",
        "X-Hub-Signature-256": github_signature_256(secret, body),
    }


def jira_headers(event: str, body: bytes, secret: str) -> dict[str, str]:
    # Jira Cloud admin webhooks with a secret sign like GitHub, under X-Hub-Signature.
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Atlassian Webhook HTTP Client",
        "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()),
        "X-Hub-Signature": "sha256=" + hex_hmac_sha256(secret, body),
    }


def zendesk_headers(event: str, body: bytes, secret: str) -> dict[str, str]:
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "Content-Type": "application/json",
        "User-Agent": "Zendesk Webhook",
        "X-Zendesk-Account-Id": "123456",
        "X-Zendesk-Webhook-Id": "01SANDBOXWEBHOOK000000000",
        "X-Zendesk-Webhook-Invocation-Id": str(uuid.uuid4().int % 10**10),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        "X-Zendesk-Webhook-Signature": zendesk_signature(secret, timestamp, body),
    }


FRESHDESK_SECRET_HEADER = "X-Freshdesk-Webhook-Secret"


def freshdesk_headers(event: str, body: bytes, secret: str) -> dict[str, str]:
    # Freshdesk signs nothing; admins add a shared secret as a custom header on the rule.
    return {
        "Content-Type": "application/json",
        "User-Agent": "Freshdesk",
        FRESHDESK_SECRET_HEADER: secret,
    }


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Slack-Signature: 'v0=' + hex HMAC-SHA256 of 'v0:' + timestamp + ':' + body."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def slack_headers(event: str, body: bytes, secret: str) -> dict[str, str]:
    timestamp = str(int(datetime.now(UTC).timestamp()))
    content_type = "application/json" if body[:1] == b"{" else "application/x-www-form-urlencoded"
    return {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(secret, timestamp, body),
    }
