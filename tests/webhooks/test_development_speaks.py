"""Development speaks back, from signed Jira and GitHub deliveries through the inbox to the
outbox: each waiting escalation's thread hears it, its ticket gets an internal note (never a
public reply), its timeline records it, once per vendor event; our own comment coming back is
nothing."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.runtime import Runtime
from bridge.store import tables
from tests.board.conftest import close_it
from tests.closure.conftest import planned
from tests.closure.story import escalate_to_accepted_plan, wait_on_ar
from tests.helpers import inbox_rows, migrated_runtime
from tests.services.conftest import MONDAY_10AM, add_ticket
from tests.slack.workspace import command
from tests.webhooks import signing

MANAGER = "U0MANAGER1"
JIRA_AR = "DEV-7"
GITHUB_AR = "acme/app#12"
BOARD_TOKEN = "board-token-for-tests"
HOSTILE = "Try <!channel> and <https://evil.example|this> & that"


@pytest.fixture
def trackers(request: pytest.FixtureRequest) -> bool:
    """Whether the Jira and GitHub connectors are configured (their own-write checks for
    anything but a comment ask the vendor who the bridge is, so most tests go without)."""
    return bool(getattr(request, "param", False))


@pytest.fixture
def runtime(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, trackers: bool
) -> Iterator[Runtime]:
    config: dict[str, Any] = {
        "connectors": {
            "zendesk": {
                "url": "https://acme.zendesk.example",
                "email": "bot@acme.example",
                "api_token": "t",
            }
        },
        "levels": {
            1: {"role": "support manager", "owners": [MANAGER]},
            2: {"role": "account manager"},
            3: {"role": "executive"},
        },
    }
    if trackers:
        config["connectors"] |= {
            "jira": {"url": "https://dev.example", "email": "b@acme.example", "api_token": "t"},
            "github": {"repository": "acme/app", "token": "t"},
        }
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for source in ("jira", "github", "slack"):
        monkeypatch.setenv(signing.secret_variable(source), signing.SECRETS[source])
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN", "xoxb-never-called")
    monkeypatch.setenv("BRIDGE_API_TOKEN", BOARD_TOKEN)
    with migrated_runtime() as built:
        yield built


def two_waiting(runtime: Runtime, system: str, key: str) -> list[int]:
    ids = []
    for number in ("501", "502"):
        add_ticket(runtime, number)
        ids.append(escalate_to_accepted_plan(runtime, number, MONDAY_10AM))
    wait_on_ar(runtime, ids, system, key, MONDAY_10AM)
    return ids


def jira_comment(body: str, comment_id: str = "10019") -> dict[str, Any]:
    payload = copy.deepcopy(signing.fixture_json("jira/webhooks/comment_created.json"))
    payload["issue"]["key"] = JIRA_AR
    payload["comment"] |= {"id": comment_id, "body": body}
    return dict(payload)


def jira_resolved(resolution: str) -> dict[str, Any]:
    payload = signing.fixture_json("jira/webhooks/jira_issue_updated.resolved.json")
    payload["issue"]["key"] = JIRA_AR
    payload["issue"]["fields"]["fixVersions"] = []
    for item in payload["changelog"]["items"]:
        if item["field"] == "resolution":
            item["toString"] = resolution
    return dict(payload)


def github_issue(action: str, **issue: Any) -> dict[str, Any]:
    return {
        "action": action,
        "issue": {"number": 12, "updated_at": "2026-11-23T10:00:00Z", "labels": [], **issue},
        "repository": {"full_name": "acme/app"},
        "sender": {"login": "dana-dev"},
    }


def send(
    client: FlaskClient,
    runtime: Runtime,
    source: str,
    payload: Any,
    event: str = "",
    expected: int = 202,
) -> None:
    """Deliver as the vendor signs it, then let the worker process what the inbox stored."""
    body = json.dumps(payload).encode()
    secret = signing.SECRETS[source]
    headers = (
        signing.jira_headers(body, secret)
        if source == "jira"
        else signing.github_headers(body, secret, event)
    )
    answer = client.post(f"/webhooks/{source}", data=body, headers=headers)
    assert answer.status_code == expected, answer.text
    for row in inbox_rows(runtime):
        if row.status == "pending":
            runtime.tasks.process_inbox.call_local(row.id)


def steps_of(runtime: Runtime, escalation_id: int) -> list[str]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(tables.AuditEvent.step)
                .where(tables.AuditEvent.record_id == str(escalation_id))
                .where(tables.AuditEvent.record_type == "escalation")
                .order_by(tables.AuditEvent.id)
            )
        )


def test_a_jira_comment_is_an_internal_note_and_a_thread_reply_on_every_waiting_escalation(
    client: FlaskClient, runtime: Runtime
) -> None:
    ids = two_waiting(runtime, "jira", JIRA_AR)

    send(client, runtime, "jira", jira_comment(HOSTILE))
    # Jira's retry, another delivery of the same comment: keyed by the comment's id, it is
    # known again at the door (200, a duplicate), as a catch-up copy is.
    send(client, runtime, "jira", jira_comment(HOSTILE), expected=200)

    notes = {
        row.payload["ticket"]: row.payload["text"] for row in planned(runtime, "internal_note")
    }
    heard = {t: text for t, text in notes.items() if "commented on jira:DEV-7" in text}
    assert set(heard) == {"501", "502"} and all(HOSTILE in text for text in heard.values())
    assert not [r for r in planned(runtime, "public_reply") if HOSTILE in r.payload["text"]]
    replies = [
        r.payload for r in planned(runtime, "thread_reply") if "commented" in r.payload["text"]
    ]
    assert sorted(r["escalation_id"] for r in replies) == sorted(str(i) for i in ids)
    for reply in replies:
        assert "&lt;!channel&gt;" in reply["text"] and "<!channel>" not in reply["text"]
        assert reply["mention"] == []
    assert all(steps_of(runtime, i).count("ar_comment") == 1 for i in ids)


def test_a_jira_ar_resolved_cannot_reproduce_asks_the_level_owner_to_renegotiate(
    client: FlaskClient, runtime: Runtime
) -> None:
    [first, _] = two_waiting(runtime, "jira", JIRA_AR)

    send(client, runtime, "jira", jira_resolved("Cannot Reproduce"))

    flags = [
        r.payload for r in planned(runtime, "thread_reply") if "renegotiating" in r.payload["text"]
    ]
    assert len(flags) == 2 and all(flag["mention"] == [MANAGER] for flag in flags)
    assert "Cannot Reproduce" in flags[0]["text"]
    assert "plan_needs_renegotiation" in steps_of(runtime, first)
    assert not [r for r in planned(runtime, "public_reply") if "Reproduce" in r.payload["text"]]


def test_a_github_ar_closed_as_a_duplicate_or_reopened_reaches_support(
    client: FlaskClient, runtime: Runtime
) -> None:
    [first, _] = two_waiting(runtime, "github", GITHUB_AR)
    duplicate = [{"name": "duplicate"}]
    closed = github_issue(
        "closed", state_reason="not_planned", labels=duplicate, closed_at="2026-11-23T11:00:00Z"
    )

    send(client, runtime, "github", closed, "issues")
    send(client, runtime, "github", github_issue("reopened"), "issues")
    send(
        client,
        runtime,
        "github",
        github_issue("assigned") | {"assignee": {"login": "sam"}},
        "issues",
    )

    texts = [row.payload["text"] for row in planned(runtime, "internal_note")]
    assert len([t for t in texts if "resolved github:acme/app#12 as Duplicate" in t]) == 2
    assert len([t for t in texts if "status of github:acme/app#12 to Reopened" in t]) == 2
    assert len([t for t in texts if "assignee of github:acme/app#12 to sam" in t]) == 2
    assert steps_of(runtime, first)[-3:] == ["plan_needs_renegotiation", "ar_status", "ar_assignee"]


@pytest.mark.parametrize("trackers", [True], indirect=True)
def test_our_own_comment_on_the_ar_coming_back_is_not_heard(
    client: FlaskClient, runtime: Runtime
) -> None:
    two_waiting(runtime, "jira", JIRA_AR)
    wait_on_ar(runtime, [1], "github", GITHUB_AR, MONDAY_10AM)

    send(client, runtime, "jira", jira_comment("Waiting: 2 tickets\n\n(posted by Support Bridge)"))
    ours = {"id": 77, "body": "Waiting: 2 tickets\n<!-- support-bridge:k1 -->", "user": {}}
    send(client, runtime, "github", github_issue("created") | {"comment": ours}, "issue_comment")
    send(client, runtime, "jira", jira_comment(HOSTILE, comment_id="10020"))

    texts = [row.payload["text"] for row in planned(runtime, "internal_note")]
    heard = [t for t in texts if "commented on" in t]
    assert len(heard) == 2 and all(HOSTILE in t for t in heard)


def test_a_dated_fix_version_is_the_eta_support_sees_and_the_customer_is_not_sent(
    client: FlaskClient, runtime: Runtime
) -> None:
    [first, _] = two_waiting(runtime, "jira", JIRA_AR)
    updated = jira_resolved("Done")
    updated["changelog"]["items"] = [
        {
            "field": "Fix Version",
            "fieldtype": "jira",
            "from": None,
            "to": "10100",
            "toString": "4.3",
        }
    ]
    dated = {"id": "10100", "name": "4.3", "released": False, "releaseDate": "2026-12-15"}
    updated["issue"]["fields"]["fixVersions"] = [dated]
    updated["issue"]["fields"]["status"]["statusCategory"]["key"] = "indeterminate"

    send(client, runtime, "jira", updated)
    later = json.loads(json.dumps(updated))
    later["changelog"]["id"] = f"{updated['changelog']['id']}1"
    send(client, runtime, "jira", later)  # a later change, the same date: not news

    told = [
        r.payload
        for r in planned(runtime, "thread_reply")
        if "expects the fix" in r.payload["text"]
    ]
    assert sorted(r["escalation_id"] for r in told) == ["1", "2"]
    assert "4.3, release date 2026-12-15" in told[0]["text"]
    customer = planned(runtime, "public_reply") + planned(runtime, "send")
    assert not [r for r in customer if "2026-12-15" in str(r.payload)]
    assert steps_of(runtime, first).count("fix_eta") == 1
    page = client.get(
        f"/board/escalations/{first}",
        headers={"Authorization": f"Bearer {BOARD_TOKEN}", "Accept": "text/html"},
    ).text
    assert re.search(
        r"<dt>Fix ETA</dt><dd>.*4\.3 · <time[^>]*>2026-12-15</time> \(jira:DEV-7\)", page
    )
    status = command(client, "status 501").json["text"]
    assert "Fix expected: 4.3 on 2026-12-15 (jira:DEV-7)" in status


def etas_told(runtime: Runtime) -> list[str]:
    return [
        r.payload["text"]
        for r in planned(runtime, "thread_reply")
        if "expects" in r.payload["text"]
    ]


def test_a_fix_version_dated_after_the_ar_was_put_in_it_is_the_eta(
    client: FlaskClient, runtime: Runtime
) -> None:
    two_waiting(runtime, "jira", JIRA_AR)
    undated = jira_resolved("Done")
    undated["changelog"]["items"] = []
    undated["issue"]["fields"]["fixVersions"] = [{"id": "10100", "name": "4.3", "released": False}]
    undated["issue"]["fields"]["status"]["statusCategory"]["key"] = "indeterminate"
    send(client, runtime, "jira", undated)
    assert etas_told(runtime) == []
    version = copy.deepcopy(signing.fixture_json("jira/webhooks/jira_version_released.json"))
    version["webhookEvent"] = "jira:version_updated"
    version["version"] |= {"id": "10100", "name": "4.3", "released": False}
    version["version"]["releaseDate"] = "2027-01-20"

    send(client, runtime, "jira", version)

    told = etas_told(runtime)
    assert len(told) == 2 and all("jira:DEV-7 in 4.3, release date 2027-01-20" in t for t in told)


def test_a_github_ar_in_a_milestone_with_a_due_date_has_that_eta(
    client: FlaskClient, runtime: Runtime
) -> None:
    [first, _] = two_waiting(runtime, "github", GITHUB_AR)
    milestone = {"number": 3, "title": "4.2.2", "state": "open", "due_on": "2026-12-18T08:00:00Z"}

    send(client, runtime, "github", github_issue("milestoned", milestone=milestone), "issues")

    told = etas_told(runtime)
    assert len(told) == 2 and "github:acme/app#12 in 4.2.2, release date 2026-12-18" in told[0]
    assert "Fix expected: 4.2.2 on 2026-12-18" in command(client, "status 501").json["text"]
    assert steps_of(runtime, first).count("fix_eta") == 1


def test_a_closed_escalation_hears_nothing_more_of_the_ar(
    client: FlaskClient, runtime: Runtime
) -> None:
    [first, second] = two_waiting(runtime, "jira", JIRA_AR)
    close_it(runtime, first, MONDAY_10AM)

    send(client, runtime, "jira", jira_comment("Line one\nLine <two>"))

    replies = [
        r.payload for r in planned(runtime, "thread_reply") if "commented" in r.payload["text"]
    ]
    assert [r["escalation_id"] for r in replies] == [str(second)]
    assert replies[0]["text"].endswith(":\n>Line one\n>Line &lt;two&gt;")
    assert "ar_comment" not in steps_of(runtime, first)
