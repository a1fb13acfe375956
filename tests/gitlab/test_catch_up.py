"""Catch-up asks GitLab's API for what the webhook would have told while the bridge was away,
shaped and keyed as the webhook's deliveries, so a delivery and its copy act once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import requests

from bridge.connectors.gitlab import GitLabConnector
from bridge.connectors.gitlab.events import GitLabEvents
from bridge.services.ports import IdempotencyKey, MissedEvent, RecordSpec, Watching
from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver

from .conftest import PROJECT

EVENTS = GitLabEvents()


@pytest.fixture
def receiver(sandbox: Sandbox) -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        sandbox.vendors["gitlab"].webhooks.unregister_all()
        sandbox.register_webhook("gitlab", f"{running.url}/gitlab")
        yield running
        sandbox.vendors["gitlab"].webhooks.unregister_all()


def developer(sandbox: Sandbox, path: str, body: dict | None = None) -> dict:
    url = f"{sandbox.urls['gitlab']}/_sandbox/projects/{PROJECT}/{path}"
    answer = requests.post(url, json=body or {}, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


def webhook_keys(receiver: WebhookReceiver) -> dict[str, str | None]:
    keys = {}
    for hit in receiver.at("/gitlab"):
        payload = json.loads(hit.body)
        kind = payload["object_kind"]
        action = payload["action"] if kind == "release" else payload["object_attributes"]["action"]
        event_type = f"{kind}.{action}"
        keys[event_type] = EVENTS.content_key(event_type, payload)
    return keys


def test_what_happened_while_away_is_found_and_keyed_as_the_webhook_keys_it(
    sandbox: Sandbox, receiver: WebhookReceiver, connector: GitLabConnector
) -> None:
    spec = RecordSpec(kind="ar", summary="Orders lost", record_id="catch-1")
    ar = connector.create_record(spec, IdempotencyKey("gitlab:catch-1:ar"))
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    receiver.clear()
    developer(sandbox, f"issues/{ar.id}/notes", {"body": "Found the race."})
    opened = developer(
        sandbox, "merge_requests", {"title": "Fix", "description": f"Fixes #{ar.id}"}
    )
    developer(sandbox, f"merge_requests/{opened['iid']}/merge")
    developer(sandbox, "releases", {"tag_name": "v9.0.1", "description": f"Includes #{ar.id}"})

    found = connector.missed_since(since, Watching(ars=(ar.key,)))

    assert isinstance(found, list)
    by_type: dict[str, MissedEvent] = {event.event_type: event for event in found}
    assert set(by_type) == {"note.create", "merge_request.merge", "issue.close", "release.create"}
    sent = webhook_keys(receiver)
    for event_type, event in by_type.items():
        assert EVENTS.content_key(event_type, event.payload) == sent[event_type], event_type
    assert by_type["release.create"].record_key == f"{PROJECT}@v9.0.1"
    assert by_type["merge_request.merge"].record_key == f"{PROJECT}!{opened['iid']}"
    [signal] = EVENTS.read("merge_request.merge", by_type["merge_request.merge"].payload).ship
    assert signal.keys == (ar.key,)
    [said] = EVENTS.read("note.create", by_type["note.create"].payload).said
    assert (said.said, said.author) == ("Found the race.", "dana.dev")

    later = connector.missed_since(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1), Watching())
    assert later == []
