"""Catch-up's copies read as the webhooks they stand for: the same inbox key and the same
vendor event id for the same change, and one search per 50 ARs, every AR asked about."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bridge.config.helpdesks import EscalationEntry
from bridge.connectors.jira import issue_catchup
from bridge.connectors.jira.events import said_on_ar
from bridge.connectors.registry import helpdesks_events
from bridge.connectors.zendesk.catchup import comment_added
from bridge.connectors.zendesk.marks import marked_while_down, marks
from bridge.services.inbound import replies
from bridge.services.ports import PermanentConnectorError
from bridge.services.signals import MARKED_WHILE_DOWN
from tests.helpers import content_key

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
    assert content_key("jira", updated.event_type, updated.payload) == content_key(
        "jira", "jira:issue_updated", webhook
    )
    assert said_on_ar(updated.event_type, updated.payload) == said_on_ar(
        "jira:issue_updated", webhook
    )
    [heard] = said_on_ar(commented.event_type, commented.payload)
    assert (heard.event_id, heard.said, heard.author) == (
        "comment:30001",
        "Root cause found",
        "Dana Developer",
    )


def test_jira_catch_up_searches_once_per_hundred_ars_for_every_ar_watched() -> None:
    asked: list[str] = []

    def search(jql: str, keys: Any, size: int) -> list[dict[str, Any]]:
        asked.append(jql)
        return []

    now = SINCE + dt.timedelta(minutes=61, seconds=5)
    issue_catchup.missed_on_issues(search, [f"DEV-{n}" for n in range(120)], SINCE, now)
    assert len(asked) == 2
    assert asked[0].startswith("issuekey in (DEV-0, DEV-1,")
    assert asked[0].endswith('AND updated >= "-62m"')
    asked.clear()
    # Past 500 ARs too: the run moves the watermark on, so an AR not asked about now never is.
    issue_catchup.missed_on_issues(search, [f"DEV-{n}" for n in range(1000)], SINCE, now)
    assert len(asked) == 10
    assert asked[-1].startswith("issuekey in (DEV-900, DEV-901,")


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
    assert content_key("zendesk", found.event_type, found.payload) == (
        content_key("zendesk", "ticket.comment_added", webhook)
    )
    zendesk = helpdesks_events()["zendesk"]
    assert replies.customer_comment(found.payload, zendesk) == "Thanks, fixed!"
    staff = comment_added(ticket, audit, comment, customer | {"role": "agent"})
    assert replies.customer_comment(staff.payload, zendesk) is None


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


ENTRY_TAG = EscalationEntry(tag="escalation")
ENTRY_FIELD = EscalationEntry(field_id=360001, value="escalation")


@pytest.mark.parametrize(
    ("change", "entry", "marked"),
    [
        ({"field_name": "tags", "added_tags": ["Escalation"], "removed_tags": []}, ENTRY_TAG, True),
        (
            {"field_name": "tags", "added_tags": ["vip"], "value": ["escalation", "vip"]},
            ENTRY_TAG,
            False,
        ),
        ({"field_name": "tags", "value": ["escalation"], "previous_value": []}, ENTRY_TAG, True),
        (
            {"field_name": "tags", "value": ["escalation"], "previous_value": ["escalation"]},
            ENTRY_TAG,
            False,
        ),
        (
            {"field_name": "360001", "value": "escalation", "previous_value": None},
            ENTRY_FIELD,
            True,
        ),
        ({"field_name": "360001", "value": "", "previous_value": "escalation"}, ENTRY_FIELD, False),
        (
            {"field_name": "360002", "value": "escalation", "previous_value": None},
            ENTRY_FIELD,
            False,
        ),
    ],
)
def test_a_change_marks_a_ticket_only_when_it_puts_the_configured_mark_on(
    change: dict[str, Any], entry: EscalationEntry, marked: bool
) -> None:
    assert marks({"id": 7, "event_type": "Change", **change}, entry) is marked


@pytest.mark.parametrize(
    ("created", "entry", "marked"),
    [
        ({"field_name": "tags", "value": ["vip", "escalation"]}, ENTRY_TAG, True),
        ({"field_name": "tags", "value": ["vip"]}, ENTRY_TAG, False),
        ({"field_name": "360001", "value": "escalation"}, ENTRY_FIELD, True),
        ({"field_name": "360001", "value": "not_escalated"}, ENTRY_FIELD, False),
        ({"field_name": "subject", "value": "escalation"}, ENTRY_TAG, False),
    ],
)
def test_a_ticket_created_with_the_mark_is_marked_by_its_create_event(
    created: dict[str, Any], entry: EscalationEntry, marked: bool
) -> None:
    assert marks({"id": 8, "event_type": "Create", **created}, entry) is marked


def test_a_ticket_marked_while_down_is_keyed_by_the_audit_and_its_change() -> None:
    ticket = {"id": 100, "subject": "Orders fail", "status": "open", "tags": ["escalation"]}
    audit = {"id": 555, "created_at": "2026-12-06T10:30:00Z", "updater_id": 76872}
    change = {"id": 556, "event_type": "Change", "field_name": "tags", "added_tags": ["escalation"]}

    found = marked_while_down(ticket, audit, change, "agent@example.com")
    again = marked_while_down(ticket | {"subject": "renamed"}, audit, change, "agent@example.com")

    assert found.event_type == MARKED_WHILE_DOWN
    key = content_key("zendesk", found.event_type, found.payload)
    assert key == "ticket.marked_while_down:100:555:556"
    assert content_key("zendesk", again.event_type, again.payload) == key
    assert found.payload["detail"]["updated_by"] == "agent@example.com"
