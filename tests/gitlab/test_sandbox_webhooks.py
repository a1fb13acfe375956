"""The sandbox's GitLab sends its webhooks as GitLab does (headers, payload shapes), and the
GitLab package reads what they say: a merged merge request closing an issue is fixed in code,
a release naming it is a fix available, a developer's comment and close are heard."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from bridge.connectors.gitlab import GitLabConnector
from bridge.connectors.gitlab.events import GitLabEvents
from bridge.services.ar_events import COMMENT, RESOLUTION
from bridge.services.ports import IdempotencyKey, RecordSpec
from sandbox import Sandbox
from sandbox.receiver import Received, WebhookReceiver

from .conftest import PROJECT

EVENTS = GitLabEvents()


@pytest.fixture
def receiver(sandbox: Sandbox) -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        sandbox.vendors["gitlab"].webhooks.unregister_all()
        sandbox.register_webhook("gitlab", f"{running.url}/gitlab")
        yield running
        sandbox.vendors["gitlab"].webhooks.unregister_all()


def control(sandbox: Sandbox, path: str, body: dict | None = None) -> dict:
    url = f"{sandbox.urls['gitlab']}/_sandbox/projects/{PROJECT}/{path}"
    answer = requests.post(url, json=body or {}, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


def event_type(hit: Received) -> str:
    payload = json.loads(hit.body)
    kind = payload["object_kind"]
    action = payload["action"] if kind == "release" else payload["object_attributes"]["action"]
    return f"{kind}.{action}"


def filed(connector: GitLabConnector, name: str) -> str:
    spec = RecordSpec(kind="ar", summary=f"Orders lost ({name})", record_id=name)
    return connector.create_record(spec, IdempotencyKey(f"gitlab:{name}:ar")).key


def test_deliveries_carry_gitlabs_headers_and_the_secret_token_as_is(
    sandbox: Sandbox, receiver: WebhookReceiver, connector: GitLabConnector
) -> None:
    filed(connector, "hooks-1")
    [hit] = receiver.at("/gitlab")
    assert hit.headers["X-Gitlab-Event"] == "Issue Hook"
    assert hit.headers["X-Gitlab-Token"] == sandbox.webhook_secrets["gitlab"]
    assert hit.headers["X-Gitlab-Event-Uuid"] and hit.headers["X-Gitlab-Webhook-Uuid"]
    payload = json.loads(hit.body)
    assert payload["object_kind"] == "issue" and payload["event_type"] == "issue"
    assert payload["project"]["path_with_namespace"] == PROJECT
    assert payload["object_attributes"]["action"] == "open"
    assert [label["title"] for label in payload["labels"]] == ["support-bridge", "bug"]


def test_a_merge_closing_the_ar_is_fixed_in_code_and_a_release_naming_it_a_fix(
    sandbox: Sandbox, receiver: WebhookReceiver, connector: GitLabConnector
) -> None:
    key = filed(connector, "hooks-2")
    iid = key.rsplit("#", 1)[1]
    receiver.clear()
    opened = control(sandbox, "merge_requests", {"title": "Sync", "description": f"Closes #{iid}"})
    control(sandbox, f"merge_requests/{opened['iid']}/merge")
    control(sandbox, "releases", {"tag_name": "v4.2.1", "description": f"Fixed: #{iid}"})

    hits = receiver.at("/gitlab")
    kinds = [(h.headers["X-Gitlab-Event"], event_type(h)) for h in hits]
    assert kinds == [
        ("Merge Request Hook", "merge_request.open"),
        ("Merge Request Hook", "merge_request.merge"),
        ("Issue Hook", "issue.close"),  # GitLab closes what a merge into main closes
        ("Release Hook", "release.create"),
    ]
    merged = EVENTS.read("merge_request.merge", json.loads(hits[1].body))
    [signal] = merged.ship
    assert (signal.signal, signal.keys) == ("gitlab.merge_request_merged", (key,))
    assert EVENTS.signal_meanings[signal.signal] == "fixed_in_code"
    released = EVENTS.read("release.create", json.loads(hits[3].body))
    [signal] = released.ship
    assert (signal.signal, signal.keys) == ("gitlab.release_published", (key,))
    assert signal.ref == f"{PROJECT} release v4.2.1"
    assert EVENTS.signal_meanings[signal.signal] == "fix_available"
    [closed] = EVENTS.read("issue.close", json.loads(hits[2].body)).said
    assert (closed.kind, closed.key, closed.author) == (RESOLUTION, key, "dana.dev")


def test_a_developers_comment_is_heard_and_keyed_by_the_note(
    sandbox: Sandbox, receiver: WebhookReceiver, connector: GitLabConnector
) -> None:
    key = filed(connector, "hooks-3")
    iid = key.rsplit("#", 1)[1]
    receiver.clear()
    control(sandbox, f"issues/{iid}/notes", {"body": "Found it: a race in the exporter."})

    [hit] = receiver.at("/gitlab")
    payload = json.loads(hit.body)
    [said] = EVENTS.read("note.create", payload).said
    assert (said.kind, said.key, said.said) == (COMMENT, key, "Found it: a race in the exporter.")
    identity = EVENTS.identity("note.create", payload)
    assert identity is not None and identity.key == key
    note_id = payload["object_attributes"]["id"]
    assert EVENTS.content_key("note.create", payload) == f"note.create:{PROJECT}:{note_id}"
    assert not connector.is_own_write(payload)


def test_our_own_comment_coming_back_is_known_as_ours(
    receiver: WebhookReceiver, connector: GitLabConnector
) -> None:
    key = filed(connector, "hooks-4")
    receiver.clear()
    connector.comment(connector.ref(key), "Customer accepted", IdempotencyKey("gitlab:c:4"))
    [hit] = receiver.at("/gitlab")
    assert connector.is_own_write(json.loads(hit.body))
