"""The Jira connector files, links, comments and moves issues through the real `jira` client."""

from __future__ import annotations

import pytest
import requests

from bridge.config.connectors import JiraSettings
from bridge.connectors.jira import JiraConnector
from bridge.connectors.jira.createmeta import required_fields_of
from bridge.connectors.registry import Context
from bridge.services.ports import IdempotencyKey, PermanentConnectorError, RecordSpec
from sandbox import Sandbox
from sandbox.jira.state import Transition
from sandbox.receiver import WebhookReceiver
from tests.connectors.conftest import delivered


def make_jira(sandbox: Sandbox, context: Context, **overrides: object) -> JiraConnector:
    creds = sandbox.credentials["jira"]
    chosen: dict[str, object] = {"spar_issue_type": "Task", **overrides}
    settings = JiraSettings(
        url=sandbox.urls["jira"], email=creds["email"], api_token=creds["api_token"], **chosen
    )
    return JiraConnector(settings, context)


def spar_spec(escalation: str = "esc-1") -> RecordSpec:
    return RecordSpec(
        kind="spar",
        summary="Exports time out for ACME",
        facts={"Customer": "ACME", "Impact": "All exports fail"},
        severity="S1",
        ticket_url="https://acme.zendesk.com/agent/tickets/812",
        ticket_id="812",
        record_id=escalation,
    )


def issue_state(sandbox: Sandbox, key: str) -> dict:
    return next(i for i in sandbox.jira.snapshot()["issues"] if i["key"] == key)


def test_a_spar_and_its_ar_are_filed_linked_and_pointed_back_at_the_ticket(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_jira(sandbox, context)
    spar = connector.create_record(spar_spec(), IdempotencyKey("jira:esc-1:spar:create"))
    ar_spec = RecordSpec(kind="ar", summary="Export worker leaks", link_to=spar.key)
    ar = connector.create_record(ar_spec, IdempotencyKey("jira:esc-1:ar:create"))

    assert spar.key.startswith("SUP-") and ar.key.startswith("DEV-")
    filed = issue_state(sandbox, spar.key)
    assert filed["fields"]["issuetype"]["name"] == "Task"
    assert "||Fact||Value||" in filed["fields"]["description"]
    assert "support-bridge" in filed["fields"]["labels"]
    assert filed["properties"]["support-bridge"] == {
        "key": "jira:esc-1:spar:create",
        "record": "esc-1",
    }
    [remote] = filed["remotelinks"]
    assert remote["globalId"] == "support-bridge:ticket:812"
    assert remote["object"]["url"] == "https://acme.zendesk.com/agent/tickets/812"
    linked = issue_state(sandbox, ar.key)["fields"]["issuelinks"]
    assert [link["outwardIssue"]["key"] for link in linked] == [spar.key]


def test_filing_again_with_the_same_key_finds_the_first_issue(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_jira(sandbox, context)
    key = IdempotencyKey("jira:esc-2:spar:create")
    first = connector.create_record(spar_spec("esc-2"), key)
    again = connector.create_record(spar_spec("esc-2"), key)

    assert again == first
    same = [
        i
        for i in sandbox.jira.snapshot()["issues"]
        if i["properties"].get("support-bridge", {}).get("record") == "esc-2"
    ]
    assert len(same) == 1
    assert len(issue_state(sandbox, first.key)["remotelinks"]) == 1


def test_the_description_is_adf_when_configured(sandbox: Sandbox, context: Context) -> None:
    connector = make_jira(sandbox, context, description_format="adf")
    ref = connector.create_record(spar_spec("esc-3"), IdempotencyKey("jira:esc-3:spar:create"))

    description = sandbox.jira.world.issue(ref.key).fields["description"]
    assert description["type"] == "doc"
    assert description["content"][0]["content"][0]["text"] == "SPAR from Support Bridge"


def test_a_comment_is_internal_and_written_once(sandbox: Sandbox, context: Context) -> None:
    connector = make_jira(sandbox, context)
    ref = connector.create_record(spar_spec("esc-4"), IdempotencyKey("jira:esc-4:spar:create"))
    key = IdempotencyKey(f"jira:{ref.key}:comment:level-2")
    connector.comment(ref, "Raised to level 2", key)
    connector.comment(ref, "Raised to level 2", key)

    comments = sandbox.jira.world.issue(ref.key).comments
    assert len(comments) == 1
    assert comments[0].internal is True
    assert comments[0].body.startswith("Raised to level 2")


def test_moving_to_done_supplies_the_resolution_the_workflow_requires(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_jira(sandbox, context)
    ref = connector.create_record(spar_spec("esc-5"), IdempotencyKey("jira:esc-5:spar:create"))
    connector.move_to(ref, "Done")

    issue = sandbox.jira.world.issue(ref.key)
    assert (issue.status, issue.resolution) == ("Done", "Done")


def _only_through_in_progress(issue_status: str) -> list[Transition]:
    """A workflow where Done is reachable only from In Progress."""
    if issue_status == "To Do":
        return [Transition("21", "Start work", "In Progress")]
    if issue_status == "In Progress":
        return [Transition("31", "Finish", "Done", required=("resolution",))]
    return [Transition("11", "Reopen", "To Do")]


def test_a_move_with_no_direct_transition_takes_two_hops(
    sandbox: Sandbox, context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sandbox.jira.world,
        "transitions_from",
        lambda issue: _only_through_in_progress(issue.status),
    )
    connector = make_jira(sandbox, context)
    ref = connector.create_record(spar_spec("esc-6"), IdempotencyKey("jira:esc-6:spar:create"))
    connector.move_to(ref, "Done")

    assert sandbox.jira.world.issue(ref.key).status == "Done"


def test_a_move_with_no_path_says_where_it_was_stuck(
    sandbox: Sandbox, context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sandbox.jira.world,
        "transitions_from",
        lambda issue: [Transition("21", "Start", "In Progress")] if issue.status == "To Do" else [],
    )
    connector = make_jira(sandbox, context)
    ref = connector.create_record(spar_spec("esc-7"), IdempotencyKey("jira:esc-7:spar:create"))

    with pytest.raises(PermanentConnectorError, match="from 'To Do' to 'Done'"):
        connector.move_to(ref, "Done")
    assert sandbox.jira.world.issue(ref.key).status == "In Progress"


def test_an_unknown_issue_type_is_refused_with_the_setting_to_fix(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_jira(sandbox, context, spar_issue_type="SPAR")
    with pytest.raises(PermanentConnectorError, match="no issue type 'SPAR'"):
        connector.create_record(spar_spec("esc-8"), IdempotencyKey("jira:esc-8:spar:create"))


def test_a_required_field_missing_from_the_mapping_is_named_with_its_id() -> None:
    meta = {
        "projects": [
            {
                "key": "DEV",
                "issuetypes": [
                    {
                        "name": "Bug",
                        "fields": {
                            "summary": {"required": True, "name": "Summary"},
                            "customfield_10050": {"required": True, "name": "Customer tickets"},
                            "priority": {
                                "required": True,
                                "name": "Priority",
                                "hasDefaultValue": True,
                            },
                        },
                    }
                ],
            }
        ]
    }

    assert required_fields_of(meta, "DEV", "Bug") == {"customfield_10050": "Customer tickets"}


def test_our_issues_and_comments_come_back_as_our_own_writes_and_a_developers_do_not(
    sandbox: Sandbox, context: Context, receiver: WebhookReceiver
) -> None:
    connector = make_jira(sandbox, context)
    ref = connector.create_record(spar_spec("esc-9"), IdempotencyKey("jira:esc-9:spar:create"))
    connector.comment(ref, "Level 2 now", IdempotencyKey(f"jira:{ref.key}:comment:l2"))
    requests.post(
        f"{sandbox.urls['jira']}/_sandbox/issues/{ref.key}/comments",
        json={"body": "Root cause found"},
        timeout=5,
    ).raise_for_status()
    sandbox.flush_webhooks()

    about = [e for e in delivered(receiver, "jira") if (e.get("issue") or {}).get("key") == ref.key]
    verdicts = [(e["webhookEvent"], connector.is_own_write(e)) for e in about]
    assert verdicts == [
        ("jira:issue_created", True),
        ("comment_created", True),
        ("comment_created", False),
    ]


def test_comments_are_adf_documents_when_configured(sandbox: Sandbox, context: Context) -> None:
    connector = make_jira(sandbox, context, description_format="adf")
    ref = connector.create_record(spar_spec("esc-10"), IdempotencyKey("jira:esc-10:spar:create"))
    connector.comment(ref, "Level 2 now", IdempotencyKey(f"jira:{ref.key}:comment:l2"))

    [comment] = sandbox.jira.world.issue(ref.key).comments
    assert comment.body["type"] == "doc"
    assert comment.body["content"][0]["content"][0]["text"] == "Level 2 now"
