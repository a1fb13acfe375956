"""``POST /webhooks/gitlab``: a delivery with the project hook's secret token is stored once,
keyed by what it is about; another token is refused, an event the bridge does not use or a
comment on something else than an issue is answered and dropped, a bad payload refused."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bridge.runtime import Runtime
from bridge.store.tables import InboxRow
from tests.helpers import migrated_runtime

SECRET = "gitlab-current-secret"
RETIRING = "gitlab-retiring-secret"
PROJECT = "acme/widgets"


@pytest.fixture
def runtime(isolated_settings: Path) -> Iterator[Runtime]:
    """A bridge with the GitLab connector configured, its webhook secret mid-rotation."""
    gitlab = {
        "url": "https://gitlab.example.com",
        "project": PROJECT,
        "token": "glpat-not-used-here",
        "webhook_secret": f"{RETIRING}, {SECRET}",
    }
    config = {"connectors": {"gitlab": gitlab}}
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with migrated_runtime() as built:
        yield built


def headers(event: str, token: str = SECRET, delivery: str = "") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Gitlab-Event": event,
        "X-Gitlab-Token": token,
        "X-Gitlab-Event-UUID": delivery or str(uuid.uuid4()),
        "X-Gitlab-Webhook-UUID": "3c5a2e3d-7c0b-4a8e-9a53-5b1d2f6e8c01",
    }


def note(note_id: int = 1241, noteable: str = "Issue", iid: object = 17) -> dict:
    return {
        "object_kind": "note",
        "event_type": "note",
        "user": {"username": "dana.dev"},
        "project": {"path_with_namespace": PROJECT},
        "object_attributes": {
            "id": note_id,
            "note": "Found it",
            "noteable_type": noteable,
            "action": "create",
            "updated_at": "2015-05-17 17:06:40 UTC",
        },
        "issue": {"id": 92, "iid": iid, "state": "opened"},
    }


def post(client: FlaskClient, event: str, payload: dict, **given: str) -> TestResponse:
    return client.post(
        "/webhooks/gitlab", data=json.dumps(payload), headers=headers(event, **given)
    )


def test_a_comment_is_stored_once_keyed_by_the_note(
    client: FlaskClient, inbox: Callable[[], list[InboxRow]]
) -> None:
    first = post(client, "Note Hook", note())
    again = post(client, "Note Hook", note())  # GitLab retries with another event UUID

    assert (first.status_code, again.status_code) == (202, 200)
    [row] = inbox()
    assert (row.source, row.event_type) == ("gitlab", "note.create")
    assert (row.delivery_id, row.record_key) == (f"note.create:{PROJECT}:1241", f"{PROJECT}#17")
    assert row.provider_ts is not None and row.provider_ts.year == 2015


def test_the_retiring_secret_still_opens_and_any_other_token_is_refused(
    client: FlaskClient, inbox: Callable[[], list[InboxRow]]
) -> None:
    assert post(client, "Note Hook", note(1), token=RETIRING).status_code == 202
    assert post(client, "Note Hook", note(2), token="guessed").status_code == 401
    assert len(inbox()) == 1


def test_what_the_bridge_does_not_use_is_answered_and_dropped(
    client: FlaskClient, inbox: Callable[[], list[InboxRow]]
) -> None:
    pushed = post(client, "Push Hook", {"object_kind": "push", "project": {}})
    on_a_merge_request = post(client, "Note Hook", note(noteable="MergeRequest"))

    assert pushed.status_code == 200 and pushed.json["status"] == "ignored"
    assert on_a_merge_request.status_code == 200
    assert inbox() == []


def test_a_release_and_a_merge_are_keyed_by_what_they_are(
    client: FlaskClient, inbox: Callable[[], list[InboxRow]]
) -> None:
    release = {
        "object_kind": "release",
        "action": "create",
        "tag": "v1.1",
        "name": "v1.1",
        "description": "Fixes #17",
        "released_at": "2020-11-02 12:55:12 UTC",
        "project": {"path_with_namespace": PROJECT},
    }
    merged = {
        "object_kind": "merge_request",
        "user": {"username": "dana.dev"},
        "project": {"path_with_namespace": PROJECT},
        "object_attributes": {"iid": 3, "action": "merge", "description": "Closes #17"},
    }
    assert post(client, "Release Hook", release).status_code == 202
    assert post(client, "Merge Request Hook", merged).status_code == 202

    assert [(row.event_type, row.delivery_id, row.record_key) for row in inbox()] == [
        ("release.create", f"release.create:{PROJECT}@v1.1", f"{PROJECT}@v1.1"),
        ("merge_request.merge", f"merge_request.merge:{PROJECT}!3", f"{PROJECT}!3"),
    ]


def test_a_payload_naming_no_issue_is_refused(
    client: FlaskClient, inbox: Callable[[], list[InboxRow]]
) -> None:
    answer = post(client, "Note Hook", note(iid="17; DROP TABLE"))
    assert answer.status_code == 400
    assert inbox() == []
