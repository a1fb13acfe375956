"""requests, used as the helpdesk connectors use it, sees Zendesk's and Freshdesk's APIs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
import requests

from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver


@pytest.fixture
def zendesk(sandbox: Sandbox) -> requests.Session:
    session = requests.Session()
    creds = sandbox.credentials["zendesk"]
    session.auth = (creds["username"], creds["api_token"])
    return session


@pytest.fixture
def freshdesk(sandbox: Sandbox) -> requests.Session:
    session = requests.Session()
    session.auth = (sandbox.credentials["freshdesk"]["api_key"], "X")
    return session


def _zendesk_ticket(sandbox: Sandbox, subject: str) -> int:
    seeded = requests.post(
        f"{sandbox.urls['zendesk']}/_sandbox/tickets", json={"subject": subject}, timeout=5
    )
    return seeded.json()["id"]


def _freshdesk_ticket(sandbox: Sandbox, subject: str) -> int:
    seeded = requests.post(
        f"{sandbox.urls['freshdesk']}/_sandbox/tickets", json={"subject": subject}, timeout=5
    )
    return seeded.json()["id"]


def test_zendesk_refuses_wrong_credentials(sandbox: Sandbox) -> None:
    answer = requests.get(
        f"{sandbox.urls['zendesk']}/api/v2/tickets/100.json", auth=("x/token", "y"), timeout=5
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "Couldn't authenticate you"}


def test_zendesk_private_note_and_public_reply_land_on_the_ticket(
    sandbox: Sandbox, zendesk: requests.Session
) -> None:
    ticket_id = _zendesk_ticket(sandbox, "Printer on fire")
    url = f"{sandbox.urls['zendesk']}/api/v2/tickets/{ticket_id}.json"
    zendesk.put(url, json={"ticket": {"comment": {"body": "Escalated as SUP-9", "public": False}}})
    zendesk.put(
        url, json={"ticket": {"comment": {"body": "We found the cause"}, "status": "pending"}}
    )
    comments = zendesk.get(
        f"{sandbox.urls['zendesk']}/api/v2/tickets/{ticket_id}/comments.json"
    ).json()["comments"]
    assert [(c["body"], c["public"]) for c in comments[1:]] == [
        ("Escalated as SUP-9", False),
        ("We found the cause", True),
    ]
    assert zendesk.get(url).json()["ticket"]["status"] == "pending"


def test_zendesk_custom_fields_are_set_and_unknown_ones_refused(
    sandbox: Sandbox, zendesk: requests.Session
) -> None:
    ticket_id = _zendesk_ticket(sandbox, "Custom fields")
    url = f"{sandbox.urls['zendesk']}/api/v2/tickets/{ticket_id}.json"
    zendesk.put(url, json={"ticket": {"custom_fields": [{"id": 27648, "value": "SUP-12"}]}})
    fields = {f["id"]: f["value"] for f in zendesk.get(url).json()["ticket"]["custom_fields"]}
    assert fields[27648] == "SUP-12"
    refused = zendesk.put(url, json={"ticket": {"custom_fields": [{"id": 1, "value": "x"}]}})
    assert refused.status_code == 422
    assert refused.json()["error"] == "RecordInvalid"


def test_zendesk_users_and_organizations_are_readable(
    sandbox: Sandbox, zendesk: requests.Session
) -> None:
    ticket = zendesk.get(f"{sandbox.urls['zendesk']}/api/v2/tickets/100.json").json()["ticket"]
    user = zendesk.get(
        f"{sandbox.urls['zendesk']}/api/v2/users/{ticket['requester_id']}.json"
    ).json()["user"]
    org = zendesk.get(
        f"{sandbox.urls['zendesk']}/api/v2/organizations/{ticket['organization_id']}.json"
    ).json()["organization"]
    assert (user["email"], org["name"]) == ("casey@customer.example", "Customer Corp")
    missing = zendesk.get(f"{sandbox.urls['zendesk']}/api/v2/tickets/999999.json")
    assert missing.status_code == 404
    assert missing.json()["error"] == "RecordNotFound"


def test_a_customer_reply_sends_a_signed_zendesk_event(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    ticket_id = _zendesk_ticket(sandbox, "Customer writes back")
    requests.post(
        f"{sandbox.urls['zendesk']}/_sandbox/tickets/{ticket_id}/customer_reply",
        json={"body": "Still broken for me"},
        timeout=5,
    )
    hit = next(
        h
        for h in receiver.at("/zendesk")
        if json.loads(h.body)["subject"] == f"zen:ticket:{ticket_id}"
        and json.loads(h.body)["type"] == "zen:event-type:ticket.comment_added"
    )
    timestamp = hit.headers["X-Zendesk-Webhook-Signature-Timestamp"]
    secret = sandbox.webhook_secrets["zendesk"].encode()
    digest = hmac.new(secret, timestamp.encode() + hit.body, hashlib.sha256).digest()
    assert hit.headers["X-Zendesk-Webhook-Signature"] == base64.b64encode(digest).decode()
    event = json.loads(hit.body)["event"]["comment"]
    assert (event["body"], event["is_public"], event["author"]["is_staff"]) == (
        "Still broken for me",
        True,
        False,
    )


def test_freshdesk_private_notes_and_replies_are_conversations(
    sandbox: Sandbox, freshdesk: requests.Session
) -> None:
    ticket_id = _freshdesk_ticket(sandbox, "Invoice mismatch")
    base = f"{sandbox.urls['freshdesk']}/api/v2/tickets/{ticket_id}"
    note = freshdesk.post(f"{base}/notes", json={"body": "Escalated as SUP-3", "private": True})
    reply = freshdesk.post(f"{base}/reply", json={"body": "A fix is on its way"})
    assert (note.status_code, reply.status_code) == (201, 201)
    shown = freshdesk.get(f"{base}/conversations").json()
    assert [(c["body_text"], c["private"]) for c in shown] == [
        ("Escalated as SUP-3", True),
        ("A fix is on its way", False),
    ]


def test_freshdesk_updates_status_and_custom_fields_and_validates_them(
    sandbox: Sandbox, freshdesk: requests.Session
) -> None:
    ticket_id = _freshdesk_ticket(sandbox, "Fields")
    url = f"{sandbox.urls['freshdesk']}/api/v2/tickets/{ticket_id}"
    updated = freshdesk.put(
        url, json={"status": 3, "custom_fields": {"cf_escalation_key": "SUP-3"}}
    )
    assert updated.json()["status"] == 3
    assert freshdesk.get(url).json()["custom_fields"]["cf_escalation_key"] == "SUP-3"
    refused = freshdesk.put(url, json={"status": 99})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "status"


def test_freshdesk_customer_reply_posts_the_rule_webhook_with_the_shared_secret(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    ticket_id = _freshdesk_ticket(sandbox, "Freshdesk writes back")
    requests.post(
        f"{sandbox.urls['freshdesk']}/_sandbox/tickets/{ticket_id}/customer_reply",
        json={"body": "Any news?"},
        timeout=5,
    )
    hit = next(
        h
        for h in receiver.at("/freshdesk")
        if json.loads(h.body)["freshdesk_webhook"]["ticket_id"] == ticket_id
    )
    header = sandbox.credentials["freshdesk"]["secret_header"]
    assert hit.headers[header] == sandbox.webhook_secrets["freshdesk"]
    assert json.loads(hit.body)["freshdesk_webhook"]["ticket_latest_public_comment"] == "Any news?"
