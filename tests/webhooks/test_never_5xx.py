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
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
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


def leaf_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a payload where a value can be swapped for another."""
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    found = [prefix] if prefix else []
    for key, child in children:
        found.extend(leaf_paths(child, (*prefix, key)))
    return found


def replace(payload: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    key = path[0]
    if isinstance(payload, dict) and key in payload:
        return {**payload, key: replace(payload[key], path[1:], new)}
    if isinstance(payload, list) and isinstance(key, int) and key < len(payload):
        return [
            replace(item, path[1:], new) if i == key else item for i, item in enumerate(payload)
        ]
    return payload  # an earlier swap removed this place


@st.composite
def mutated(draw: st.DrawFn, bases: list[tuple[str, str, Any]]) -> tuple[str, str, Any]:
    """A real delivery with a few of its values swapped for anything JSON can hold."""
    path, event, payload = draw(st.sampled_from(bases))
    places = leaf_paths(payload)
    for place in draw(st.lists(st.sampled_from(places), max_size=3)) if places else []:
        payload = replace(payload, place, draw(JSON))
    return path, event, payload


def real_deliveries() -> list[tuple[str, str, Any]]:
    found = [
        ("/webhooks/github", file.parent.name, json.loads(file.read_bytes()))
        for file in sorted((signing.FIXTURES / "github" / "webhooks").glob("*/*.json"))
    ]
    found += [
        ("/webhooks/jira", "", json.loads(file.read_bytes()))
        for file in sorted((signing.FIXTURES / "jira" / "webhooks").glob("*.json"))
    ]
    found += [
        ("/webhooks/zendesk", "", json.loads(file.read_bytes()))
        for file in sorted((signing.FIXTURES / "helpdesk" / "zendesk").glob("webhook_event.*"))
    ]
    found += [
        (
            "/webhooks/freshdesk",
            "",
            {"freshdesk_webhook": {"ticket_id": 5, "triggered_event": "x"}},
        ),
        ("/webhooks/intake", "", {"event": "ticket.updated", "id": "i-1", "ticket": {"id": 5}}),
        ("/slack/commands", "", {"text": "status 12", "trigger_id": "1.2.3", "user_id": "U1"}),
        (
            "/slack/interactions",
            "",
            signing.fixture_json("slack/interactivity/block_actions.shape.json"),
        ),
        (
            "/slack/interactions",
            "",
            signing.fixture_json("slack/interactivity/view_submission.shape.json"),
        ),
        (
            "/slack/events",
            "",
            {
                "type": "event_callback",
                "event_id": "Ev1",
                "event_time": 1,
                "event": {"type": "message", "channel": "C1", "ts": "1.2"},
            },
        ),
    ]
    return found


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
