"""The sandbox signs webhooks exactly as the vendors' published test vectors say."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

from sandbox.core.signing import (
    github_headers,
    github_signature_256,
    slack_signature,
    zendesk_headers,
    zendesk_signature,
)

VECTORS = json.loads((Path(__file__).parents[1] / "fixtures" / "signatures.json").read_text())


def test_github_signature_matches_githubs_documented_vector() -> None:
    vector = VECTORS["github"]["test_vector"]
    signed = github_signature_256(vector["secret"], vector["payload"].encode())
    assert signed == vector["expected_header_value"]


def test_slack_signature_matches_slacks_documented_vector() -> None:
    vector = VECTORS["slack"]["test_vector"]
    signed = slack_signature(vector["signing_secret"], vector["timestamp"], vector["body"].encode())
    assert signed == vector["expected_signature"]


def test_zendesk_signature_is_base64_hmac_of_timestamp_then_body() -> None:
    # Zendesk publishes the scheme but no byte-exact vector; check it against the scheme.
    secret = VECTORS["zendesk"]["static_test_signing_secret"]
    body = b'{"ticket_id": 7}'
    headers = zendesk_headers("ticket.updated", body, secret)
    timestamp = headers["X-Zendesk-Webhook-Signature-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    assert headers["X-Zendesk-Webhook-Signature"] == base64.b64encode(expected).decode()
    assert zendesk_signature(secret, timestamp, body) == headers["X-Zendesk-Webhook-Signature"]


def test_every_github_delivery_gets_its_own_delivery_id() -> None:
    first = github_headers("issues", b"{}", "s")
    second = github_headers("issues", b"{}", "s")
    assert first["X-GitHub-Delivery"] != second["X-GitHub-Delivery"]
    assert first["X-GitHub-Event"] == "issues"
