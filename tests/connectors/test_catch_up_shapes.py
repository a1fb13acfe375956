"""Catch-up's copies read as the webhooks they stand for: the same inbox key and the same
vendor event id for the same change, and no more searches than the budget per run allows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bridge.connectors.jira import issue_catchup
from bridge.connectors.zendesk.catchup import comment_added
from bridge.services import ar_events, replies
from bridge.services.ports import PermanentConnectorError
from bridge.services.signals import content_delivery_id

SINCE = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)
DEVELOPER = {"accountId": "712020:dana", "displayName": "Dana Developer"}
STATUS = {
    "field": "status",
    "fieldtype": "jira",
    "fromString": "To Do",
    "toString": "In Progress",
}


def _issue(histories: list[dict[str, Any]], comments: list[dict[str, Any]]) -> dict[str, Any]:
    fields = {"summary": "Exports stop", "status": {"name": "In Progress"}}
    fields["comment"] = {"comments": comments}
    return {"id": "10042", "key": "DEV-7", "fields": fields, "changelog": {"histories": histories}}


def test_a_jira_change_caught_up_is_keyed_and_heard_as_its_webhook() -> None:
    history = {"id": "20001", "author": DEVELOPER, "created": "2026-12-06T10:30:00.000+0000"}
    older = {"id": "19999", "author": DEVELOPER, "created": "2026-12-06T09:00:00.000+0000"}
    comment = {"id": "30001", "body": "Root cause found", "author": DEVELOPER}
    issue = _issue(
        [older | {"items": [STATUS]}, history | {"items": [STATUS]}],
        [comment | {"created": "2026-12-06T10:31:00.000+0000"}],
    )
    webhook = {
        "webhookEvent": "jira:issue_updated",
        "user": DEVELOPER,
        "issue": {"key": "DEV-7"},
        "changelog": {"id": "20001", "items": [STATUS]},
    }

    updated, commented = issue_catchup.issue_events(issue, SINCE)

    assert (updated.event_type, commented.event_type) == ("jira:issue_updated", "comment_created")
    assert content_delivery_id("jira", updated.event_type, updated.payload) == content_delivery_id(
        "jira", "jira:issue_updated", webhook
    )
    assert ar_events.from_jira(updated.event_type, updated.payload) == ar_events.from_jira(
        "jira:issue_updated", webhook
    )
    [heard] = ar_events.from_jira(commented.event_type, commented.payload)
    assert (heard.event_id, heard.said, heard.author) == (
        "comment:30001",
        "Root cause found",
        "Dana Developer",
    )


def test_jira_catch_up_searches_once_per_fifty_ars_and_at_most_ten_times_a_run() -> None:
    asked: list[str] = []

    def search(jql: str, keys: Any, size: int) -> list[dict[str, Any]]:
        asked.append(jql)
        return []

    now = SINCE + dt.timedelta(minutes=61, seconds=5)
    issue_catchup.missed_on_issues(search, [f"DEV-{n}" for n in range(120)], SINCE, now)
    assert len(asked) == 3
    assert asked[0].startswith("issuekey in (DEV-0, DEV-1,")
    assert asked[0].endswith('AND updated >= "-62m"')
    asked.clear()
    issue_catchup.missed_on_issues(search, [f"DEV-{n}" for n in range(900)], SINCE, now)
    assert len(asked) == issue_catchup.MAX_BATCHES == 10


def test_a_zendesk_reply_caught_up_is_the_customers_comment_keyed_as_its_event() -> None:
    ticket = {"id": 100, "subject": "Export fails", "status": "open", "requester_id": 7}
    audit = {"id": 5001, "ticket_id": 100, "created_at": "2026-12-06T10:30:00Z"}
    comment = {"id": 101, "event_type": "Comment", "body": "Thanks, fixed!", "public": True}
    customer = {"id": 7, "name": "Chris Customer", "role": "end-user"}
    webhook = {
        "type": "zen:event-type:ticket.comment_added",
        "id": "0f8e-event-id",
        "subject": "zen:ticket:100",
        "event": {"comment": {"id": "101", "body": "Thanks, fixed!", "is_public": True}},
    }

    found = comment_added(ticket, audit, comment | {"author_id": 7}, customer)

    assert found.record_key == "ticket:100"
    assert content_delivery_id("zendesk", found.event_type, found.payload) == (
        content_delivery_id("zendesk", "ticket.comment_added", webhook)
    )
    assert replies.customer_comment(found.payload) == "Thanks, fixed!"
    staff = comment_added(ticket, audit, comment, customer | {"role": "agent"})
    assert replies.customer_comment(staff.payload) is None


def test_an_ar_deleted_in_jira_does_not_stop_catch_up_for_the_others() -> None:
    asked: list[str] = []
    history = {"id": "20001", "author": DEVELOPER, "created": "2026-12-06T10:30:00.000+0000"}

    def search(jql: str, keys: Any, size: int) -> list[dict[str, Any]]:
        asked.append(jql)
        if "DEV-9" in keys:
            message = "An issue with key 'DEV-9' does not exist for field 'issuekey'."
            raise PermanentConnectorError("jira", message)
        return [_issue([history | {"items": [STATUS]}], [])]

    now = SINCE + dt.timedelta(minutes=30)
    found = issue_catchup.missed_on_issues(search, ["DEV-7", "DEV-9"], SINCE, now)

    assert [event.record_key for event in found] == ["DEV-7"]
    assert asked[-1].startswith("issuekey in (DEV-7) AND")


def test_a_jira_refusal_of_another_kind_still_fails_the_run() -> None:
    def search(jql: str, keys: Any, size: int) -> list[dict[str, Any]]:
        raise PermanentConnectorError("jira", "Field 'updated' does not exist.")

    with pytest.raises(PermanentConnectorError):
        issue_catchup.missed_on_issues(search, ["DEV-7"], SINCE, SINCE + dt.timedelta(hours=1))
