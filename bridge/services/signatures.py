"""The signature schemes webhooks share, checked on the raw request bytes in constant time.

A vendor's receiver (``bridge/connectors/<vendor>/webhook.py``) picks its headers and composes
these. Each check takes every active secret of its source (several during a rotation) and
answers True when one of them signed the bytes. None of them parses the body first, raises on
a malformed header, or returns the expected value to the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence

SLACK_WINDOW_SECONDS = 5 * 60


def _hex_hmac(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _matches_any(header: str, expected: Callable[[bytes], str], secrets: Sequence[bytes]) -> bool:
    offered = header.strip().encode("utf-8", "replace")
    found = False
    for secret in secrets:
        # No early exit: how long the check takes says nothing about which secret matched.
        found |= hmac.compare_digest(offered, expected(secret).encode("ascii"))
    return found


def sha256_prefixed(body: bytes, header: str | None, secrets: Sequence[bytes]) -> bool:
    """``sha256=<hex HMAC-SHA256 of the body>``: GitHub's ``X-Hub-Signature-256``, Jira's
    ``X-Hub-Signature``, and our own HMAC headers."""
    if not header or not secrets:
        return False
    return _matches_any(header, lambda secret: "sha256=" + _hex_hmac(secret, body), secrets)


def base64_of_timestamp_and_body(
    body: bytes, signature: str | None, timestamp: str | None, secrets: Sequence[bytes]
) -> bool:
    """Base64 HMAC-SHA256 of the timestamp header then the body, no separator (Zendesk)."""
    if not signature or not timestamp or not secrets:
        return False
    message = timestamp.encode("utf-8", "replace") + body

    def expected(secret: bytes) -> str:
        digest = hmac.new(secret, message, hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")

    return _matches_any(signature, expected, secrets)


def shared_secret(header: str | None, secrets: Sequence[bytes]) -> bool:
    """A secret sent as is in a header (Freshdesk rules and gateways that cannot sign)."""
    if not header or not secrets:
        return False
    return _matches_any(header, lambda secret: secret.decode("utf-8", "replace"), secrets)


def slack_v0(
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    secrets: Sequence[bytes],
    now: float | None = None,
) -> bool:
    """Slack's ``v0`` signature (``v0=`` and the HMAC-SHA256 of ``v0:<timestamp>:<body>``) with
    its five-minute replay window."""
    if not timestamp or not signature or not secrets:
        return False
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > SLACK_WINDOW_SECONDS:
        return False
    message = b"v0:" + timestamp.encode("ascii") + b":" + body
    return _matches_any(signature, lambda secret: "v0=" + _hex_hmac(secret, message), secrets)
