"""Whatever arrives (bytes, headers, sizes, signed or not), the answer is never a 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from tests.webhooks import signing
from tests.webhooks.deliveries import leaf_paths, mutated, real_deliveries, replace
from tests.webhooks.signing import SECRETS

PATHS = [
    "/webhooks/github",
    "/webhooks/jira",
    "/webhooks/zendesk",
    "/webhooks/freshdesk",
    "/webhooks/intake",
    "/slack/commands",
    "/slack/interactions",
    "/slack/events",
]
HEADER_NAMES = [
    "Content-Type",
    "X-Hub-Signature-256",
    "X-Hub-Signature",
    "X-GitHub-Event",
    "X-GitHub-Delivery",
    "X-Atlassian-Webhook-Identifier",
    "X-Zendesk-Webhook-Signature",
    "X-Zendesk-Webhook-Signature-Timestamp",
    "X-Zendesk-Webhook-Id",
    "X-Freshdesk-Webhook-Secret",
    "X-Bridge-Signature-256",
    "X-Slack-Signature",
    "X-Slack-Request-Timestamp",
    "X-Slack-Retry-Num",
]
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "",
        "application/json; charset=utf-8",
    ]
)
HEADER_VALUES = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_characters="\x7f"), max_size=80
)
KEYS = [
    "action",
    "issue",
    "repository",
    "webhookEvent",
    "type",
    "id",
    "ticket",
    "ticket_id",
    "event",
    "subject",
    "timestamp",
    "time",
    "event_id",
    "view",
    "user",
    "actions",
    "trigger_id",
    "freshdesk_webhook",
    "number",
    "full_name",
    "key",
    "callback_id",
    "action_id",
    "value",
    "state",
    "values",
    "private_metadata",
]
PAYLOADS = st.recursive(
    st.none() | st.integers() | st.text(max_size=20) | st.sampled_from(KEYS),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=6)
    ),
    max_leaves=25,
)
SLOW = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def runtime(
    configured: None, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    """Both engines: PostgreSQL is the stricter about what a stored key may hold."""
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    runtime = bootstrap(load_settings())
    yield runtime
    runtime.close()


@pytest.fixture
def slack_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on port 9: a Slack call made by mistake fails at once.
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BASE_URL", "http://127.0.0.1:9/api/")


@SLOW
@given(
    path=st.sampled_from(PATHS),
    body=st.binary(max_size=2048),
    headers=st.dictionaries(st.sampled_from(HEADER_NAMES), HEADER_VALUES, max_size=6),
    content_type=CONTENT_TYPES,
)
def test_random_requests_never_get_a_5xx(
    slack_on: None, client: FlaskClient, path: str, body: bytes, headers: dict, content_type: str
) -> None:
    headers = {**headers, "Content-Type": content_type}
    response = client.post(path, data=body, headers=headers)
    assert response.status_code < 500


def signed(path: str, body: bytes, event: str) -> dict[str, str]:
    source = path.rsplit("/", 1)[1]
    if path == "/webhooks/github":
        return signing.github_headers(body, SECRETS["github"], event or "issues")
    if path.startswith("/slack/"):
        kind = "application/json" if source == "events" else "application/x-www-form-urlencoded"
        return signing.slack_headers(body, SECRETS["slack"], kind)
    signer: Any = getattr(signing, f"{source}_headers")
    return signer(body, SECRETS[source])


def encode(path: str, payload: Any) -> bytes:
    text = json.dumps(payload)
    if path == "/slack/interactions":
        from urllib.parse import urlencode

        return urlencode({"payload": text}).encode()
    if path == "/slack/commands":
        from urllib.parse import urlencode

        fields = payload if isinstance(payload, dict) else {"text": text}
        return urlencode(
            {"command": "/escalate", **{k: str(v) for k, v in fields.items()}}
        ).encode()
    return text.encode()


@SLOW
@given(
    path=st.sampled_from(PATHS),
    payload=PAYLOADS,
    event=st.sampled_from(["issues", "issue_comment", "pull_request", "release", "ping", ""]),
)
def test_signed_payloads_of_any_shape_never_get_a_5xx(
    slack_on: None, client: FlaskClient, path: str, payload: Any, event: str
) -> None:
    body = encode(path, payload)
    response = client.post(path, data=body, headers=signed(path, body, event))
    assert response.status_code < 500


@SLOW
@given(delivery=mutated(real_deliveries()))
def test_signed_real_deliveries_with_swapped_values_never_get_a_5xx(
    slack_on: None, client: FlaskClient, delivery: tuple[str, str, Any]
) -> None:
    path, event, payload = delivery
    body = encode(path, payload)
    response = client.post(path, data=body, headers=signed(path, body, event))
    assert response.status_code < 500


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PATHS), size=st.integers(0, 2 * 1024 * 1024))
def test_bodies_of_any_size_never_get_a_5xx(
    slack_on: None, client: FlaskClient, path: str, size: int
) -> None:
    body = b"{" + b" " * size + b"}"
    response = client.post(path, data=body, headers=signed(path, body, "issues"))
    assert response.status_code < 500


SLACK_DELIVERIES = [d for d in real_deliveries() if d[0].startswith("/slack/")]
STAND_INS: list[Any] = [None, True, 5, "x", [], ["x"], [None], {}, {"x": 1}]


def test_every_place_of_a_real_slack_request_may_hold_any_value(
    slack_on: None, client: FlaskClient
) -> None:
    """Bolt's own parsing and listener matching raise (and answer 500) on a value of the wrong
    kind in places hypothesis rarely draws, so each place of each real Slack request that bolt
    or a listener reads (three levels down, two in the message, whose blocks it only shows) is
    swapped, one at a time, for each kind of JSON value."""
    failures = []
    for path, event, payload in SLACK_DELIVERIES:
        for place in (p for p in leaf_paths(payload) if len(p) <= (2 if p[0] == "message" else 3)):
            for stand_in in STAND_INS:
                body = encode(path, replace(payload, place, stand_in))
                response = client.post(path, data=body, headers=signed(path, body, event))
                if response.status_code >= 500:
                    failures.append(f"{path} with {place} = {stand_in!r}")
    assert not failures, f"{len(failures)} answered 5xx, first: {failures[:5]}"
