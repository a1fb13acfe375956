"""Real vendor deliveries with a few values swapped for anything JSON can hold: what a signed
but malformed delivery looks like, for every door and every parser that reads one."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from tests.webhooks import signing

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)


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
