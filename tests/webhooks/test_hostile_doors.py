"""Hostile but properly signed deliveries are refused at the door with a reason, never stored to
500 or dead-letter later: nesting past the depth limit, ticket ids and issue keys outside the
vendor's own format, a requester that could add a mail header, and Zendesk replays."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from structlog.testing import capture_logs

from tests.webhooks import signing
from tests.webhooks.signing import SECRETS

Signer = Callable[[bytes, str], dict[str, str]]
SIGNERS: dict[str, Signer] = {
    "github": lambda body, secret: signing.github_headers(body, secret, "issues"),
    "jira": signing.jira_headers,
    "zendesk": signing.zendesk_headers,
    "freshdesk": signing.freshdesk_headers,
    "intake": signing.intake_headers,
}
ZENDESK_EVENT = signing.fixture_json(
    "helpdesk/zendesk/webhook_event.messaging_ticket.message_added.json"
)


def post(client: FlaskClient, source: str, body: bytes, headers: dict[str, str] | None = None):
    headers = headers or SIGNERS[source](body, SECRETS[source])
    return client.post(f"/webhooks/{source}", data=body, headers=headers)


@pytest.mark.parametrize("source", sorted(SIGNERS))
@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"ticket": ' + b"[" * 600 + b"]" * 600 + b"}"],
    ids=["unclosed", "closed"],
)
def test_json_nested_past_the_limit_is_refused_naming_it(
    client: FlaskClient, inbox, source: str, body: bytes
) -> None:
    response = post(client, source, body)
    assert response.status_code == 400
    assert response.json == {
        "error": "json_too_deep",
        "detail": "JSON nested deeper than 512 levels",
    }
    assert inbox() == []


def zendesk_trigger(ticket_id: object, requester: str = "ops@customer.example") -> bytes:
    ticket = {"id": ticket_id, "subject": "Orders fail", "requester": requester}
    return json.dumps({"ticket": ticket, "updated_by": "agent"}).encode()


def zendesk_event(ticket_id: str) -> bytes:
    return json.dumps(ZENDESK_EVENT | {"subject": f"zen:ticket:{ticket_id}"}).encode()


NUMBER = "a {} ticket id is a positive whole number, not {!r}"
GENERIC = "a ticket id is letters, digits, '.', '_' and '-'"
BAD_TICKETS = [
    ("zendesk", zendesk_trigger("../2"), NUMBER.format("Zendesk", "../2")),
    ("zendesk", zendesk_trigger("4711:2"), NUMBER.format("Zendesk", "4711:2")),
    ("zendesk", zendesk_trigger(-5), NUMBER.format("Zendesk", "-5")),
    ("zendesk", zendesk_event("../2"), NUMBER.format("Zendesk", "../2")),
    (
        "freshdesk",
        b'{"freshdesk_webhook": {"ticket_id": "../2"}}',
        NUMBER.format("Freshdesk", "../2"),
    ),
    ("intake", b'{"event": "ticket.updated", "ticket": {"id": "../2"}}', GENERIC),
    ("intake", b'{"event": "ticket.updated", "ticket": {"id": "T:100"}}', GENERIC),
]


@pytest.mark.parametrize(("source", "body", "problem"), BAD_TICKETS)
def test_a_ticket_id_outside_the_helpdesks_format_is_refused_at_the_door(
    client: FlaskClient, inbox, source: str, body: bytes, problem: str
) -> None:
    response = post(client, source, body)
    assert response.status_code == 400
    assert response.json["error"] == "bad_ticket_id"
    assert response.json["detail"].startswith(problem)
    assert inbox() == []


def test_a_jira_issue_key_or_github_number_outside_their_format_is_refused(
    client: FlaskClient, inbox
) -> None:
    issue = signing.fixture_json("jira/webhooks/jira_issue_created.json")
    issue["issue"]["key"] = "DEV-1/../../2"
    response = post(client, "jira", json.dumps(issue).encode())
    assert (response.status_code, response.json["error"]) == (400, "bad_issue_key")
    assert response.json["detail"].startswith("a Jira issue key is PROJECT-123")
    opened = signing.fixture_json("github/webhooks/issues/opened.json")
    opened["issue"]["number"] = "../2"
    response = post(client, "github", json.dumps(opened).encode())
    assert (response.status_code, response.json["error"]) == (400, "bad_issue_number")
    assert inbox() == []


INJECTED = "ops@customer.example\r\nBcc: attacker@evil.example"
BAD_REQUESTERS = [
    ("zendesk", zendesk_trigger(4711, INJECTED)),
    (
        "freshdesk",
        json.dumps({"freshdesk_webhook": {"ticket_id": 88, "ticket_contact_email": INJECTED}}),
    ),
    ("intake", json.dumps({"event": "ticket.created", "ticket": {"id": 9, "requester": INJECTED}})),
    (
        "intake",
        json.dumps({"event": "ticket.created", "ticket": {"id": 9, "requester": "a\u2028b"}}),
    ),
]


@pytest.mark.parametrize(("source", "body"), BAD_REQUESTERS)
def test_a_requester_with_a_line_break_is_refused_at_the_door_and_not_logged(
    client: FlaskClient, inbox, source: str, body: bytes | str
) -> None:
    raw = body.encode() if isinstance(body, str) else body
    with capture_logs() as logs:
        response = post(client, source, raw)
    assert response.status_code == 400
    assert response.json == {
        "error": "bad_requester",
        "detail": "the requester contains a line break or a control character",
    }
    assert inbox() == []
    [refusal] = [line for line in logs if line["event"] == "webhook.rejected"]
    assert refusal["reason"] == "bad_requester"
    assert "evil.example" not in repr(logs)


@pytest.mark.parametrize(
    "age",
    [dt.timedelta(hours=24), dt.timedelta(minutes=6), -dt.timedelta(minutes=6)],
    ids=["a-day-ago", "six-minutes-ago", "six-minutes-ahead"],
)
def test_a_zendesk_delivery_signed_outside_the_window_is_refused_as_a_replay(
    client: FlaskClient, inbox, age: dt.timedelta
) -> None:
    body = zendesk_trigger(4711)
    now = dt.datetime.now(dt.UTC)
    stale = signing.zendesk_headers(body, SECRETS["zendesk"], signed_at=now - age)
    response = post(client, "zendesk", body, stale)
    assert response.status_code == 401
    assert response.json == {
        "error": "stale_signature",
        "detail": "signed more than 300 seconds from the bridge's clock: a replay is refused",
    }
    assert inbox() == []
    within = dt.timedelta(minutes=4) * (1 if age > dt.timedelta(0) else -1)
    fresh = signing.zendesk_headers(body, SECRETS["zendesk"], signed_at=now - within)
    assert post(client, "zendesk", body, fresh).status_code == 202


def test_the_replay_window_is_configurable(client: FlaskClient, inbox, runtime) -> None:
    window = runtime.settings.webhooks.model_copy(update={"signature_window_seconds": 3600})
    runtime.settings = runtime.settings.model_copy(update={"webhooks": window})
    body = zendesk_trigger(4711)
    now = dt.datetime.now(dt.UTC)
    late = signing.zendesk_headers(body, SECRETS["zendesk"], signed_at=now - dt.timedelta(hours=2))
    refused = post(client, "zendesk", body, late)
    assert refused.json["detail"].startswith("signed more than 3600 seconds")
    within = signing.zendesk_headers(
        body, SECRETS["zendesk"], signed_at=now - dt.timedelta(minutes=30)
    )
    assert post(client, "zendesk", body, within).status_code == 202


def test_a_zendesk_timestamp_that_is_not_a_time_is_refused(client: FlaskClient, inbox) -> None:
    body = zendesk_trigger(4711)
    headers = signing.zendesk_headers(body, SECRETS["zendesk"])
    stamp = "yesterday"
    headers["X-Zendesk-Webhook-Signature-Timestamp"] = stamp
    headers["X-Zendesk-Webhook-Signature"] = signing.base64_hmac(SECRETS["zendesk"], stamp, body)
    response = post(client, "zendesk", body, headers)
    assert (response.status_code, response.json["error"]) == (401, "stale_signature")
    assert inbox() == []


@pytest.mark.parametrize(
    "body", [zendesk_trigger(4711), zendesk_event("4711")], ids=["trigger", "event"]
)
def test_the_same_signed_body_under_new_unsigned_ids_is_a_duplicate(
    client: FlaskClient, inbox, body: bytes
) -> None:
    first = signing.zendesk_headers(body, SECRETS["zendesk"], invocation="1")
    assert post(client, "zendesk", body, first).status_code == 202
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    replayed = signing.zendesk_headers(
        body,
        SECRETS["zendesk"],
        invocation="2",
        signed_at=later,
        webhook="01REPLAYEDWEBHOOK0000000",
    )
    again = post(client, "zendesk", body, replayed)
    assert (again.status_code, again.json["status"]) == (200, "duplicate")
    assert len(inbox()) == 1
