"""Signature checks: the vendors' published test vectors, rotation, and malformed headers.

The shared schemes are in bridge/services/signatures.py; each vendor's package reads its own
headers (its receiver's ``verify``), which GitHub's vector is checked through.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bridge.connectors.github import GitHubConnector
from bridge.connectors.jira import JiraConnector
from bridge.connectors.zendesk import ZendeskConnector
from bridge.services import signatures
from tests.webhooks.signing import fixture_bytes, fixture_json

VECTORS = fixture_json("signatures.json")


def github(body: bytes, header: str, secrets: Sequence[bytes]) -> bool:
    receiver = GitHubConnector.receiver
    assert receiver is not None
    return receiver.verify(body, {"X-Hub-Signature-256": header}, secrets)


def zendesk(body: bytes, signature: str, stamp: str, secrets: Sequence[bytes]) -> bool:
    receiver = ZendeskConnector.receiver
    assert receiver is not None
    headers = {
        "X-Zendesk-Webhook-Signature": signature,
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }
    return receiver.verify(body, headers, secrets)


def test_githubs_published_vector_verifies() -> None:
    vector = VECTORS["github"]["test_vector"]
    body = vector["payload"].encode()
    secret = vector["secret"].encode()
    assert github(body, vector["expected_header_value"], [secret])
    assert not github(body + b" ", vector["expected_header_value"], [secret])


def test_slacks_published_vector_verifies_at_its_own_time() -> None:
    vector = VECTORS["slack"]["test_vector"]
    body = fixture_bytes(vector["body_file"])
    assert body.decode() == vector["body"]
    secrets = [vector["signing_secret"].encode()]
    stamp, signature = vector["timestamp"], vector["expected_signature"]
    assert signatures.slack_v0(body, stamp, signature, secrets, now=int(stamp) + 10)


def test_a_slack_request_older_than_five_minutes_is_refused() -> None:
    vector = VECTORS["slack"]["test_vector"]
    body = fixture_bytes(vector["body_file"])
    secrets = [vector["signing_secret"].encode()]
    stamp, signature = vector["timestamp"], vector["expected_signature"]
    assert signatures.slack_v0(body, stamp, signature, secrets, now=int(stamp) + 300)
    assert not signatures.slack_v0(body, stamp, signature, secrets, now=int(stamp) + 301)
    assert not signatures.slack_v0(body, stamp, signature, secrets, now=int(stamp) - 301)


def test_any_active_secret_verifies_during_a_rotation() -> None:
    vector = VECTORS["github"]["test_vector"]
    body = vector["payload"].encode()
    rotating = [b"the-new-secret", vector["secret"].encode()]
    assert github(body, vector["expected_header_value"], rotating)
    assert not github(body, vector["expected_header_value"], [b"the-new-secret"])


def test_zendesk_signs_timestamp_and_body_together() -> None:
    # Zendesk publishes no byte-exact vector; its scheme is recomputed here by hand.
    import base64
    import hashlib
    import hmac

    body, stamp, secret = b'{"id":"1"}', "2021-03-25T05:09:27Z", b"zd-secret"
    signature = base64.b64encode(hmac.new(secret, stamp.encode() + body, hashlib.sha256).digest())
    assert zendesk(body, signature.decode(), stamp, [secret])
    assert not zendesk(body, signature.decode(), "2021-03-25T05:09:28Z", [secret])


def test_a_shared_secret_header_must_match_exactly() -> None:
    assert signatures.shared_secret("s3cret", [b"other", b"s3cret"])
    assert not signatures.shared_secret("s3cret ", [b"s3cre"])
    assert not signatures.shared_secret("", [b""])


@pytest.mark.parametrize(
    "header",
    ["", "sha256=", "sha1=abc", "sha256=zz", "sha256=é", "\x00", "v0=" + "a" * 64],
)
def test_malformed_signature_headers_are_refused_without_raising(header: str) -> None:
    assert not github(b"{}", header, [b"secret"])
    assert not zendesk(b"{}", header, "2021-01-01T00:00:00Z", [b"secret"])
    assert not signatures.slack_v0(b"{}", "1531420618", header, [b"secret"], now=1531420618)


@pytest.mark.parametrize("stamp", ["", "abc", "١٥٣١٤٢٠٦١٨", "-5", "1e9", "99999999999999999999"])
def test_malformed_slack_timestamps_are_refused_without_raising(stamp: str) -> None:
    assert not signatures.slack_v0(b"{}", stamp, "v0=" + "0" * 64, [b"secret"], now=1531420618)


def test_no_secret_verifies_nothing() -> None:
    vector = VECTORS["github"]["test_vector"]
    assert not github(vector["payload"].encode(), vector["expected_header_value"], [])


def test_jira_signs_like_github_under_its_own_header() -> None:
    vector = VECTORS["github"]["test_vector"]
    body, secret = vector["payload"].encode(), vector["secret"].encode()
    receiver = JiraConnector.receiver
    assert receiver is not None
    signed = vector["expected_header_value"]
    assert receiver.verify(body, {"X-Hub-Signature": signed}, [secret])
    assert not receiver.verify(body, {"X-Hub-Signature-256": signed}, [secret])
    assert signatures.sha256_prefixed(body, signed, [secret])
