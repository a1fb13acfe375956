"""The sandbox's Zendesk issues OAuth tokens as Zendesk's "Create Token for Grant Type" does:
client credentials in a JSON body, tokens that expire, refresh tokens that rotate, scopes that
limit, and the OAuth error shapes."""

from __future__ import annotations

from typing import Any

import requests

from sandbox import Sandbox


def ask_token(sandbox: Sandbox, **changed: Any) -> requests.Response:
    creds = sandbox.credentials["zendesk"]
    body = {
        "grant_type": "client_credentials",
        "client_id": creds["oauth_client_id"],
        "client_secret": creds["oauth_client_secret"],
        "scope": "read tickets:write",
    }
    return requests.post(f"{sandbox.urls['zendesk']}/oauth/tokens", json=body | changed, timeout=5)


def get_ticket(sandbox: Sandbox, token: str) -> requests.Response:
    return requests.get(
        f"{sandbox.urls['zendesk']}/api/v2/tickets/100.json",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def test_the_client_credentials_grant_answers_a_bearer_token_for_30_minutes(
    sandbox: Sandbox,
) -> None:
    granted = ask_token(sandbox)

    assert granted.status_code == 200
    body = granted.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "scope",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
    }
    assert (body["token_type"], body["scope"], body["expires_in"]) == (
        "bearer",
        "read tickets:write",
        1800,
    )
    assert get_ticket(sandbox, body["access_token"]).json()["ticket"]["id"] == 100


def test_an_expired_token_is_refused_with_401(sandbox: Sandbox) -> None:
    token = ask_token(sandbox).json()["access_token"]
    sandbox.zendesk.expire_tokens()

    refused = get_ticket(sandbox, token)

    assert refused.status_code == 401
    assert refused.json() == {"error": "Couldn't authenticate you"}


def test_a_wrong_secret_or_unknown_client_is_invalid_client(sandbox: Sandbox) -> None:
    for changed in ({"client_secret": "nope"}, {"client_id": "nobody"}):
        refused = ask_token(sandbox, **changed)
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"


def test_unknown_scopes_grants_and_lifetimes_are_refused(sandbox: Sandbox) -> None:
    assert ask_token(sandbox, scope="read widgets:write").json()["error"] == "invalid_scope"
    assert ask_token(sandbox, grant_type="password").json()["error"] == "unsupported_grant_type"
    too_short = ask_token(sandbox, expires_in=60)
    assert too_short.status_code == 400 and too_short.json()["error"] == "invalid_request"
    assert ask_token(sandbox, expires_in=3600).json()["expires_in"] == 3600


def test_a_refresh_rotates_both_tokens(sandbox: Sandbox) -> None:
    first = ask_token(sandbox).json()
    creds = sandbox.credentials["zendesk"]
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": creds["oauth_client_id"],
        "client_secret": creds["oauth_client_secret"],
    }
    url = f"{sandbox.urls['zendesk']}/oauth/tokens"

    second = requests.post(url, json=refresh, timeout=5)
    again = requests.post(url, json=refresh, timeout=5)

    assert second.status_code == 200
    assert get_ticket(sandbox, second.json()["access_token"]).status_code == 200
    assert get_ticket(sandbox, first["access_token"]).status_code == 401
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_token_answers_only_what_its_scope_covers(sandbox: Sandbox) -> None:
    token = ask_token(sandbox, scope="tickets:read").json()["access_token"]
    fields = requests.get(
        f"{sandbox.urls['zendesk']}/api/v2/ticket_fields.json",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )

    assert get_ticket(sandbox, token).status_code == 200
    assert fields.status_code == 403
    assert fields.json() == {
        "error": "Forbidden",
        "description": "You are missing the following required scopes: read",
    }
