"""Helpers: ship the fix to waiting customers and read the links they were sent."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from bridge.runtime import Runtime
from bridge.services.closing import links
from bridge.store.escalations import EscalationStore

from ..services.conftest import MONDAY_10AM, add_ticket
from .conftest import deliver, planned
from .story import escalate_to_accepted_plan

AR = "acme/app#12"
RELEASE = {
    "action": "published",
    "repository": {"full_name": "acme/app"},
    "release": {"tag_name": "v4.2.1", "name": "v4.2.1", "body": "Fixes acme/app#12"},
}


def shipped_to(runtime: Runtime, number: str = "701") -> int:
    add_ticket(runtime, number)
    escalation_id = escalate_to_accepted_plan(runtime, number, MONDAY_10AM)
    with runtime.sessions.begin() as session:
        EscalationStore(session).link_record(
            escalation_id, None, "ar", {"system": "github", "key": AR}, MONDAY_10AM
        )
    deliver(runtime, "github", "release.published", RELEASE)
    return escalation_id


def link_in_notice(runtime: Runtime, ticket: str, answer: str) -> str:
    """The path of the Accept or Still broken link the customer of ``ticket`` received."""
    label = "Accept" if answer == links.ACCEPT else "Still broken"
    for row in planned(runtime, "public_reply"):
        if row.payload["ticket"] == ticket and "available in" in row.payload["text"]:
            url = re.search(rf"^{label}: (\S+)$", row.payload["text"], re.MULTILINE)
            assert url is not None
            parts = urlsplit(url[1])
            return f"{parts.path}?{parts.query}"
    raise AssertionError(f"no resolution notice for ticket {ticket}")


class _SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 40 * 86400


def expired_link(runtime: Runtime, notice_id: int) -> str:
    """A link signed by this bridge 40 days ago (links live 30 days by default)."""
    secret = links.secret_key(runtime.settings)
    token = URLSafeTimedSerializer(secret, salt=links.SALT, signer=_SignedLongAgo).dumps(
        {"notice": notice_id}
    )
    return f"/resolution/{token}?answer=accept"
