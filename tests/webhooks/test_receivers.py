"""Every vendor payload in tests/fixtures is accepted when signed right and refused when not."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.helpers import content_key
from tests.webhooks import signing
from tests.webhooks.signing import FIXTURES, OLD_SECRETS, SECRETS

GITHUB = sorted((FIXTURES / "github" / "webhooks").glob("*/*.json"))
JIRA = sorted((FIXTURES / "jira" / "webhooks").glob("*.json"))
ZENDESK_EVENTS = sorted((FIXTURES / "helpdesk" / "zendesk").glob("webhook_event.*.json"))
IGNORED_GITHUB_EVENTS = {"ping", "push"}


def name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def github_event(path: Path) -> str:
    return path.parent.name


@pytest.mark.parametrize("path", GITHUB, ids=name)
def test_a_signed_github_delivery_is_accepted(client: FlaskClient, inbox, path: Path) -> None:
    body = path.read_bytes()
    event = github_event(path)
    headers = signing.github_headers(body, SECRETS["github"], event, delivery=f"d-{path.stem}")
    response = client.post("/webhooks/github", data=body, headers=headers)
    if event in IGNORED_GITHUB_EVENTS:
        assert response.status_code == 200
        assert response.json["status"] == "ignored"
        assert inbox() == []
        return
    assert response.status_code == 202
    [row] = inbox()
    payload = json.loads(body)
    assert row.event_type == f"{event}.{payload['action']}"
    # A release or merge is keyed by its content, so catch-up's copy of it collides.
    keyed = content_key("github", row.event_type, payload)
    assert (row.source, row.delivery_id, row.body) == ("github", keyed or f"d-{path.stem}", body)
    assert row.record_key.startswith(payload["repository"]["full_name"])
    assert row.provider_ts is not None


@pytest.mark.parametrize("path", GITHUB, ids=name)
def test_a_github_delivery_signed_with_another_secret_is_refused(
    client: FlaskClient, inbox, path: Path
) -> None:
    body = path.read_bytes()
    headers = signing.github_headers(body, "not-the-secret", github_event(path))
    response = client.post("/webhooks/github", data=body, headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == "bad_signature"
    assert inbox() == []


@pytest.mark.parametrize("path", JIRA, ids=name)
def test_a_signed_jira_delivery_is_accepted_and_refused_when_tampered(
    client: FlaskClient, inbox, path: Path
) -> None:
    body = path.read_bytes()
    headers = signing.jira_headers(body, SECRETS["jira"], identifier="jira-1")
    tampered = client.post("/webhooks/jira", data=body + b"\n", headers=headers)
    assert tampered.status_code == 401
    response = client.post("/webhooks/jira", data=body, headers=headers)
    assert response.status_code == 202
    [row] = inbox()
    payload = json.loads(body)
    assert row.event_type == payload["webhookEvent"]
    assert row.delivery_id == (content_key("jira", row.event_type, payload) or "jira-1")
    assert row.provider_ts == dt.datetime.fromtimestamp(payload["timestamp"] / 1000, dt.UTC)
    expected_key = payload["issue"]["key"] if "issue" in payload else "version:10000"
    assert row.record_key == expected_key


@pytest.mark.parametrize("path", ZENDESK_EVENTS, ids=name)
def test_a_signed_zendesk_event_is_accepted_and_refused_when_signed_wrong(
    client: FlaskClient, inbox, path: Path
) -> None:
    body = path.read_bytes()
    wrong = signing.zendesk_headers(body, "not-the-secret")
    assert client.post("/webhooks/zendesk", data=body, headers=wrong).status_code == 401
    response = client.post(
        "/webhooks/zendesk", data=body, headers=signing.zendesk_headers(body, SECRETS["zendesk"])
    )
    assert response.status_code == 202
    [row] = inbox()
    payload = json.loads(body)
    assert row.delivery_id == f"event:{payload['id']}"  # the signed event id
    assert row.event_type == payload["type"].removeprefix("zen:event-type:")
    assert row.record_key == payload["subject"].removeprefix("zen:")
    assert row.provider_ts is not None


def test_a_zendesk_trigger_with_the_ticket_object_is_keyed_by_its_signed_content(
    client: FlaskClient, inbox
) -> None:
    ticket = signing.fixture_json("helpdesk/zendesk/ticket.api-docs-2013.json")
    body = json.dumps({"ticket": ticket}).encode()
    headers = signing.zendesk_headers(body, SECRETS["zendesk"], invocation="8350205582")
    assert client.post("/webhooks/zendesk", data=body, headers=headers).status_code == 202
    assert client.post("/webhooks/zendesk", data=body, headers=headers).status_code == 200
    [row] = inbox()
    assert (row.event_type, row.record_key) == ("trigger", "ticket:35436")
    assert row.delivery_id == "sha256:" + hashlib.sha256(body).hexdigest()
    assert row.provider_ts == dt.datetime(2011, 5, 5, 10, 38, 52, tzinfo=dt.UTC)


def test_a_freshdesk_rule_with_the_shared_secret_is_accepted_once(
    client: FlaskClient, inbox
) -> None:
    body = json.dumps({"freshdesk_webhook": {"ticket_id": 88, "triggered_event": "updated"}})
    wrong = signing.freshdesk_headers(body.encode(), "guess")
    assert client.post("/webhooks/freshdesk", data=body, headers=wrong).status_code == 401
    headers = signing.freshdesk_headers(body.encode(), SECRETS["freshdesk"])
    assert client.post("/webhooks/freshdesk", data=body, headers=headers).status_code == 202
    again = client.post("/webhooks/freshdesk", data=body, headers=headers)
    assert (again.status_code, again.json["status"]) == (200, "duplicate")
    [row] = inbox()
    assert row.record_key == "ticket:88"
    assert row.delivery_id.startswith("sha256:")


def test_a_freshdesk_customer_reply_is_recognised_by_its_ticket_and_text(
    client: FlaskClient, inbox
) -> None:
    """Catch-up's copy, read from the conversations listing, keys the reply alike; the rule
    renders the comment with markup the listing's ``body_text`` lacks."""

    def reply(ticket: int, text: str, **more: str) -> int:
        fields = {"ticket_id": ticket, "ticket_latest_public_comment": text, **more}
        body = json.dumps({"freshdesk_webhook": {**fields, "triggered_event": "{customer_reply}"}})
        headers = signing.freshdesk_headers(body.encode(), SECRETS["freshdesk"])
        return client.post("/webhooks/freshdesk", data=body, headers=headers).status_code

    assert reply(88, "Thanks, fixed!") == 202
    assert reply(88, "<div>Thanks,&nbsp;fixed!</div>", ticket_status="Open") == 200
    assert reply(89, "Thanks, fixed!") == 202
    assert reply(88, "Still broken") == 202
    keys = [row.delivery_id for row in inbox()]
    digest = hashlib.sha256(b"Thanks, fixed!").hexdigest()[:32]
    assert keys[0] == f"{{customer_reply}}:88:{digest}"
    assert len(set(keys)) == 3


def test_the_generic_intake_accepts_a_signed_ticket_event(client: FlaskClient, inbox) -> None:
    body = json.dumps(
        {
            "event": "ticket.created",
            "id": "gw-1",
            "occurred_at": "2026-01-05T09:30:00+01:00",
            "ticket": {"id": "T-100", "subject": "Printer on fire"},
        }
    ).encode()
    headers = signing.intake_headers(body, SECRETS["intake"])
    assert client.post("/webhooks/intake", data=body, headers=headers).status_code == 202
    [row] = inbox()
    assert (row.delivery_id, row.record_key) == ("gw-1", "ticket:T-100")
    assert row.provider_ts == dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)


SIGNERS: dict[str, Callable[[bytes, str], dict[str, str]]] = {
    "github": lambda body, secret: signing.github_headers(body, secret, "issues"),
    "jira": signing.jira_headers,
    "zendesk": signing.zendesk_headers,
    "freshdesk": signing.freshdesk_headers,
    "intake": signing.intake_headers,
}
ISSUE_BODY = signing.fixture_bytes("github/webhooks/issues/opened.json")
BODIES = {
    "github": ISSUE_BODY,
    "jira": signing.fixture_bytes("jira/webhooks/jira_issue_created.json"),
    "zendesk": signing.fixture_bytes(
        "helpdesk/zendesk/webhook_event.messaging_ticket.message_added.json"
    ),
    "freshdesk": b'{"ticket_id": 7}',
    "intake": b'{"event": "ticket.updated", "ticket": {"id": 7}}',
}


@pytest.mark.parametrize("source", sorted(SIGNERS))
def test_the_retiring_secret_still_verifies_during_a_rotation(
    client: FlaskClient, source: str
) -> None:
    body = BODIES[source]
    headers = SIGNERS[source](body, OLD_SECRETS[source])
    assert client.post(f"/webhooks/{source}", data=body, headers=headers).status_code == 202


def test_a_release_is_keyed_by_what_was_released_so_every_copy_of_it_acts_once(
    client: FlaskClient, inbox
) -> None:
    """GitHub's delivery id differs per delivery (and catch-up never sees one): two deliveries
    of the same release, as GitHub's and catch-up's, leave one inbox row."""
    body = (FIXTURES / "github" / "webhooks" / "release" / "published.json").read_bytes()
    for delivery in ("d-first", "d-second"):
        headers = signing.github_headers(body, SECRETS["github"], "release", delivery=delivery)
        client.post("/webhooks/github", data=body, headers=headers)
    [row] = inbox()
    assert row.delivery_id == "release.published:Codertocat/Hello-World@0.0.1"


def test_a_pull_request_closed_unmerged_keeps_the_delivery_id(client: FlaskClient, inbox) -> None:
    """Only a merge is keyed by content: a PR closed unmerged may be reopened and merged."""
    body = (
        FIXTURES / "github" / "webhooks" / "pull_request" / "closed.not-merged.json"
    ).read_bytes()
    headers = signing.github_headers(body, SECRETS["github"], "pull_request", delivery="d-1")
    client.post("/webhooks/github", data=body, headers=headers)
    [row] = inbox()
    assert row.delivery_id == "d-1"
