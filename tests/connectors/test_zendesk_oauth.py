"""Zendesk through an OAuth client (client-credentials grant), as Zendesk wants it since its API
tokens went away; the deprecated API token still works and says when it stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from structlog.testing import capture_logs

from bridge.connectors.registry import Context
from bridge.connectors.zendesk import ZendeskConnector
from bridge.connectors.zendesk.settings import ZendeskSettings
from bridge.services.ports import ConnectorAuthError, IdempotencyKey
from sandbox import Sandbox
from sandbox.helpdesk.zendesk_oauth import DEFAULT_LIFETIME

from .test_helpdesks import make_zendesk


def oauth_zendesk(sandbox: Sandbox, context: Context, **changed: Any) -> ZendeskConnector:
    creds = sandbox.credentials["zendesk"]
    settings = {
        "url": sandbox.urls["zendesk"],
        "oauth_client_id": creds["oauth_client_id"],
        "oauth_client_secret": creds["oauth_client_secret"],
        "ar_field_id": 27648,
    }
    return ZendeskConnector(ZendeskSettings.model_validate(settings | changed), context)


@pytest.fixture
def one_second_tokens(sandbox: Sandbox) -> Iterator[None]:
    """The sandbox's OAuth client gives tokens that live one second (Zendesk's default after)."""
    sandbox.zendesk.token_lifetime = 1.0
    yield
    sandbox.zendesk.token_lifetime = DEFAULT_LIFETIME


def made_since(sandbox: Sandbox, before: int) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in sandbox.zendesk.recorder.requests[before:]]


def test_the_connector_signs_in_with_its_oauth_client_and_keeps_the_token(
    sandbox: Sandbox, context: Context
) -> None:
    before = len(sandbox.zendesk.recorder.requests)
    zendesk = oauth_zendesk(sandbox, context)
    ticket = str(sandbox.zendesk.seed_ticket("Slow exports", "Exports are slow").id)

    zendesk.internal_note(ticket, "Escalated as SUP-7", IdempotencyKey("zendesk:oauth:note:1"))
    zendesk.set_fields(ticket, {"ar_number": "DEV-7"})
    assert zendesk.get_ticket(ticket)["custom_fields"]
    checked = zendesk.check()

    assert checked.ok, checked
    assert "OAuth client 'support-bridge'" in checked.detail
    assert "tokens live 30 min" in checked.detail
    made = made_since(sandbox, before)
    assert [m for m in made if m[1] == "/oauth/tokens"] == [("POST", "/oauth/tokens", 200)]
    assert all(status < 300 for _, _, status in made), made
    [asked] = [r for r in sandbox.zendesk.recorder.requests[before:] if r.path == "/oauth/tokens"]
    assert asked.body["grant_type"] == "client_credentials"
    assert asked.body["client_id"] == "support-bridge"
    assert asked.body["scope"] == "read tickets:write"
    stored = sandbox.zendesk.tickets[int(ticket)]
    assert stored.comments[-1].body.startswith("Escalated as SUP-7")
    assert stored.custom_fields[27648] == "DEV-7"


def test_a_token_that_dies_mid_run_is_replaced_and_the_note_is_written_once(
    sandbox: Sandbox, context: Context
) -> None:
    zendesk = oauth_zendesk(sandbox, context)
    ticket = str(sandbox.zendesk.seed_ticket("Slow exports", "Exports are slow").id)
    zendesk.get_ticket(ticket)
    sandbox.zendesk.expire_tokens()  # earlier than Zendesk announced: revoked, clocks apart
    before = len(sandbox.zendesk.recorder.requests)

    zendesk.internal_note(
        ticket, "Escalated as SUP-8", IdempotencyKey("zendesk:oauth:note:2", fresh=True)
    )

    assert made_since(sandbox, before) == [
        ("PUT", f"/api/v2/tickets/{ticket}.json", 401),
        ("POST", "/oauth/tokens", 200),
        ("PUT", f"/api/v2/tickets/{ticket}.json", 200),
    ]
    added = [c.body for c in sandbox.zendesk.tickets[int(ticket)].comments[1:]]
    assert len(added) == 1 and added[0].startswith("Escalated as SUP-8")


@pytest.mark.usefixtures("one_second_tokens")
def test_a_token_is_renewed_before_it_expires(sandbox: Sandbox, context: Context) -> None:
    zendesk = oauth_zendesk(sandbox, context)
    ticket = str(sandbox.zendesk.seed_ticket("Slow exports", "Exports are slow").id)
    before = len(sandbox.zendesk.recorder.requests)

    zendesk.get_ticket(ticket)
    # past the renewal point, half the life of so short a token (time.sleep is off here)
    threading.Event().wait(0.6)
    zendesk.get_ticket(ticket)

    assert made_since(sandbox, before) == [
        ("POST", "/oauth/tokens", 200),
        ("GET", f"/api/v2/tickets/{ticket}.json", 200),
        ("POST", "/oauth/tokens", 200),
        ("GET", f"/api/v2/tickets/{ticket}.json", 200),
    ]


def test_a_refused_client_is_named_with_the_settings_to_fix(
    sandbox: Sandbox, context: Context
) -> None:
    zendesk = oauth_zendesk(sandbox, context, oauth_client_secret="not-the-secret")
    ticket = str(sandbox.zendesk.seed_ticket("Slow exports", "Exports are slow").id)

    checked = zendesk.check()
    with pytest.raises(ConnectorAuthError) as refused:
        zendesk.internal_note(ticket, "Escalated", IdempotencyKey("zendesk:oauth:note:3"))

    assert checked.ok is False
    assert str(refused.value) == checked.detail
    assert "Zendesk refused the OAuth client 'support-bridge' (invalid_client" in checked.detail
    assert "connectors.zendesk.oauth_client_id and oauth_client_secret" in checked.detail
    assert "not-the-secret" not in checked.detail
    assert len(sandbox.zendesk.tickets[int(ticket)].comments) == 1


def test_a_scope_zendesk_does_not_know_is_named_with_its_setting(
    sandbox: Sandbox, context: Context
) -> None:
    checked = oauth_zendesk(sandbox, context, scope="read widgets:write").check()

    assert checked.ok is False
    assert "Zendesk refused the scope 'read widgets:write' (invalid_scope" in checked.detail
    assert "check connectors.zendesk.scope" in checked.detail


def test_a_scope_too_narrow_for_the_bridge_is_refused_by_zendesk(
    sandbox: Sandbox, context: Context
) -> None:
    checked = oauth_zendesk(sandbox, context, scope="tickets:read tickets:write").check()

    assert checked.ok is False
    assert "credentials refused (HTTP 403)" in checked.detail
    assert "missing the following required scopes: read" in checked.detail


def test_the_deprecated_api_token_still_works_and_warns_at_start_with_the_date(
    sandbox: Sandbox, context: Context
) -> None:
    with capture_logs() as logs:
        zendesk = make_zendesk(sandbox, context)
    ticket = str(sandbox.zendesk.seed_ticket("Slow exports", "Exports are slow").id)
    zendesk.internal_note(ticket, "Escalated", IdempotencyKey("zendesk:token:note:1"))
    checked = zendesk.check()

    [warning] = [entry for entry in logs if entry["event"] == "zendesk.api_token_deprecated"]
    assert warning["log_level"] == "warning"
    assert warning["refused_from"] == "2027-04-30"
    assert "connectors.zendesk.oauth_client_id" in warning["fix"]
    assert checked.ok and "Zendesk refuses API tokens from 2027-04-30" in checked.detail
    assert "oauth_client_id" in checked.hint
    assert len(sandbox.zendesk.tickets[int(ticket)].comments) == 2
