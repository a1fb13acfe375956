"""What the bridge reads of an AR's identity and of a duplicate, from the vendors' captured
webhooks (tests/fixtures) changed as a move, a duplicate or a transfer changes them."""

from __future__ import annotations

import copy
from typing import Any

from bridge.connectors.github.events import GitHubEvents, duplicate_of
from bridge.connectors.github.events import said_on_ar as from_github
from bridge.connectors.jira.events import JiraEvents
from bridge.connectors.jira.events import said_on_ar as from_jira
from tests.webhooks.signing import fixture_json

DUPLICATE_LINK = {"name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"}


def resolved(resolution: str, links: list[dict[str, Any]], items: list[dict[str, Any]]) -> Any:
    """Jira Cloud's captured "resolved" update (TES-41, id 10040) with another resolution."""
    payload = copy.deepcopy(fixture_json("jira/webhooks/jira_issue_updated.resolved.json"))
    payload["issue"]["fields"]["issuelinks"] = links
    payload["changelog"]["items"][0]["toString"] = resolution
    payload["changelog"]["items"] += items
    return payload


def test_a_jira_event_names_the_issue_by_id_and_a_move_names_its_old_key() -> None:
    payload = resolved("Done", [], [])
    assert JiraEvents().identity("jira:issue_updated", payload).vendor_id == "10040"
    payload["changelog"]["items"].append(
        {"field": "Key", "fieldtype": "jira", "fromString": "OLD-3", "toString": "TES-41"}
    )
    found = JiraEvents().identity("jira:issue_updated", payload)
    assert (found.key, found.vendor_id, found.previous_key) == ("TES-41", "10040", "OLD-3")


def test_a_github_event_names_the_issue_by_id_and_a_transfer_is_not_followed() -> None:
    payload = copy.deepcopy(fixture_json("github/webhooks/issues/reopened.json"))
    found = GitHubEvents().identity("issues.reopened", payload)
    assert (found.key, found.vendor_id) == ("Codertocat/Hello-World#1", "444500041")
    payload["changes"] = {
        "new_issue": payload["issue"] | {"number": 9, "id": 555000001},
        "new_repository": {"full_name": "Codertocat/Other"},
    }
    # Another repository: the connector would write the waiting list on its own #9.
    assert GitHubEvents().identity("issues.transferred", payload) is None


def test_a_jira_duplicate_names_its_surviving_issue_only_when_one_is_linked() -> None:
    survivor = {"type": DUPLICATE_LINK, "outwardIssue": {"id": "10007", "key": "TES-7"}}
    duplicated_by = {"type": DUPLICATE_LINK, "inwardIssue": {"id": "10009", "key": "TES-9"}}
    [event, _status] = from_jira("jira:issue_updated", resolved("Duplicate", [survivor], []))
    assert (event.is_duplicate, event.survivor, event.survivor_id) == (True, "TES-7", "10007")

    # "is duplicated by" is the other way round: that issue survives nothing of ours.
    [event, _] = from_jira("jira:issue_updated", resolved("Duplicate", [duplicated_by], []))
    assert event.is_duplicate and event.survivor == ""

    two = [survivor, {"type": DUPLICATE_LINK, "outwardIssue": {"id": "10008", "key": "TES-8"}}]
    [event, _] = from_jira("jira:issue_updated", resolved("Duplicate", two, []))
    assert event.survivor == ""  # which one? nobody can tell: support is asked

    # Resolved as Duplicate earlier, linked now: the update names the surviving issue.
    later = resolved("Duplicate", [survivor], [])
    later["changelog"]["items"] = [{"field": "Link", "to": "TES-7"}]
    later["issue"]["fields"]["resolution"]["name"] = "Duplicate"
    [event] = from_jira("jira:issue_updated", later)
    assert (event.is_duplicate, event.survivor) == (True, "TES-7")
    later["issue"]["fields"]["resolution"]["name"] = "Done"
    assert from_jira("jira:issue_updated", later) == []

    link_set_with_it = {"field": "Link", "to": "TES-5", "toString": "This issue duplicates TES-5"}
    [event, _] = from_jira("jira:issue_updated", resolved("Duplicate", [], [link_set_with_it]))
    assert event.survivor == "TES-5"


def test_github_reads_duplicate_of_comments_and_closes_as_duplicate() -> None:
    assert duplicate_of("acme/app", "Duplicate of #12") == "acme/app#12"
    assert duplicate_of("acme/app", "duplicate of acme/app#3, thanks") == "acme/app#3"
    assert duplicate_of("acme/app", "Duplicate of acme/core#3") == ""  # not ours to write
    assert duplicate_of("acme/app", "Not a duplicate of #12") == ""
    payload = copy.deepcopy(fixture_json("github/webhooks/issues/reopened.json"))
    payload["issue"] |= {"state": "closed", "state_reason": "duplicate", "closed_at": "2026"}
    [closed] = from_github("issues.closed", payload)
    assert closed.is_duplicate and closed.survivor == ""
    comment = {"id": 77, "body": "Duplicate of #4", "user": {"login": "dana"}}
    heard = from_github("issue_comment.created", payload | {"comment": comment})
    assert [(e.kind, e.said, e.survivor) for e in heard] == [
        ("comment", "Duplicate of #4", ""),
        ("resolution", "Duplicate", "Codertocat/Hello-World#4"),
    ]
