"""The Jira connector files, links, comments and moves issues through the real `jira` client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
import structlog
from jira.exceptions import JIRAError
from limits.storage import MemoryStorage

from bridge.connectors.jira import JiraConnector, markup
from bridge.connectors.jira.settings import JiraSettings
from bridge.connectors.ratelimit import RateGate, Slot
from bridge.connectors.registry import Context
from bridge.connectors.tracker import WAITING_TITLE
from bridge.services.ports import (
    IdempotencyKey,
    PermanentConnectorError,
    RecordSpec,
    Waiting,
    WaitingList,
)
from sandbox import Sandbox
from sandbox.jira.state import Transition
from sandbox.receiver import WebhookReceiver
from tests.connectors.conftest import delivered


def make_jira(sandbox: Sandbox, context: Context, **overrides: object) -> JiraConnector:
    creds = sandbox.credentials["jira"]
    chosen: dict[str, object] = {
        "email": creds["email"],
        "api_token": creds["api_token"],
        "spar_issue_type": "Task",
        **overrides,
    }
    settings = JiraSettings(url=sandbox.urls["jira"], **chosen)
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


class CountingGate(RateGate):
    """Jira's budget, counting the slots taken."""

    def __init__(self) -> None:
        super().__init__(MemoryStorage(), rates={"jira:requests": "10/second"})
        self.taken = 0

    @contextmanager
    def slot(self, budget: str, *scope: str) -> Iterator[Slot]:
        self.taken += budget == "jira:requests"
        with super().slot(budget, *scope) as taken:
            yield taken


def test_every_http_request_to_jira_takes_a_slot_of_its_budget(
    sandbox: Sandbox, context: Context
) -> None:
    """One library call may send several requests (linking first reads the link types): Jira
    counts each, so the budget does too."""
    sandbox.jira.recorder.clear()  # the sandbox serves the module's earlier tests too
    gate = CountingGate()
    connector = make_jira(sandbox, Context(gate=gate, earlier=context.earlier))
    key = "jira:esc-budget:{}:create"
    spar = connector.create_record(spar_spec("esc-budget"), IdempotencyKey(key.format("spar")))
    ar_spec = RecordSpec(kind="ar", summary="Export worker leaks", link_to=spar.key)
    connector.create_record(ar_spec, IdempotencyKey(key.format("ar")))

    sent = [r for r in sandbox.jira.recorder.requests if r.path.startswith("/rest/")]
    assert gate.taken == len(sent) > 0
    assert any(r.path.endswith("/issueLinkType") for r in sent)


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


def test_a_required_field_missing_from_the_mapping_is_named_with_its_id(
    sandbox: Sandbox, context: Context
) -> None:
    sandbox.jira.world.required_fields.add("customfield_10050")
    try:
        connector = make_jira(sandbox, context, ar_issue_type="Bug")
        with pytest.raises(PermanentConnectorError) as refused:
            connector.create_record(
                RecordSpec(kind="ar", summary="Leak"), IdempotencyKey("jira:esc-16:ar:create")
            )
    finally:
        sandbox.jira.world.required_fields.clear()

    assert "DEV Bug requires field Customer tickets (customfield_10050)" in str(refused.value)
    assert "Jira field mapping in bridge.yaml" in str(refused.value)


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


def test_a_quoted_customer_text_is_a_code_block_in_adf_and_written_once(
    sandbox: Sandbox, context: Context
) -> None:
    """ADF is structure, not markup: the customer's words go in a code block as they are."""
    connector = make_jira(sandbox, context, description_format="adf")
    ref = connector.create_record(spar_spec("esc-13"), IdempotencyKey("jira:esc-13:spar:create"))
    quote = "Not before Q3 {noformat}*URGENT* [click|http://evil.example]"
    for _ in range(2):
        key = IdempotencyKey(f"jira:{ref.key}:comment:rejected")
        connector.comment(ref, "The customer rejected plan-1. Their reason:", key, quote)

    [comment] = sandbox.jira.world.issue(ref.key).comments
    said, block, signature = comment.body["content"]
    assert said["content"][0]["text"] == "The customer rejected plan-1. Their reason:"
    assert block == {"type": "codeBlock", "content": [{"type": "text", "text": quote}]}
    assert signature["content"][0]["text"] == "(posted by Support Bridge)"


def test_a_replayed_adf_comment_is_written_once(sandbox: Sandbox, context: Context) -> None:
    """A retry after a crash finds the comment it wrote, in ADF as in wiki markup."""
    connector = make_jira(sandbox, context, description_format="adf")
    ref = connector.create_record(spar_spec("esc-12"), IdempotencyKey("jira:esc-12:spar:create"))
    for _ in range(2):
        connector.comment(ref, "Level 3 now", IdempotencyKey(f"jira:{ref.key}:comment:l3"))

    assert len(sandbox.jira.world.issue(ref.key).comments) == 1


def test_jira_refuses_an_unknown_link_type_in_its_own_words(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_jira(sandbox, context)
    spar = connector.create_record(spar_spec("esc-11"), IdempotencyKey("jira:esc-11:spar:create"))
    ar = connector.create_record(
        RecordSpec(kind="ar", summary="Leak"), IdempotencyKey("jira:esc-11:ar:create")
    )

    with pytest.raises(JIRAError) as refused:
        connector.client.create_issue_link("Relates to", ar.key, spar.key)
    assert refused.value.status_code == 404
    assert refused.value.response.json() == {
        "errorMessages": ["No issue link type with name 'Relates to' found."],
        "errors": {},
    }


def test_a_link_type_the_site_lacks_becomes_a_remote_link_to_the_spar_with_a_warning(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_jira(sandbox, context, link_type="Related")
    spar = connector.create_record(spar_spec("esc-12"), IdempotencyKey("jira:esc-12:spar:create"))
    ar_spec = RecordSpec(kind="ar", summary="Export worker leaks", link_to=spar.key)
    with structlog.testing.capture_logs() as logs:
        ar = connector.create_record(ar_spec, IdempotencyKey("jira:esc-12:ar:create"))
    # A replay (the key is not fresh: the AR is found and completed again) adds nothing.
    connector.create_record(ar_spec, IdempotencyKey("jira:esc-12:ar:create"))

    filed = issue_state(sandbox, ar.key)
    assert filed["fields"]["issuelinks"] == []
    [to_spar] = [r for r in filed["remotelinks"] if r["globalId"].startswith("support-bridge:spar")]
    assert to_spar["globalId"] == f"support-bridge:spar:{spar.key}"
    assert to_spar["object"]["url"].endswith(f"/browse/{spar.key}")
    [warning] = [e for e in logs if e["event"] == "jira.link_type_missing"]
    assert warning["log_level"] == "warning"
    assert warning["link_type"] == "Related"
    assert "connectors.jira.link_type" in warning["fix"]
    assert "Relates" in warning["available"]


def test_check_names_the_setting_when_the_link_type_is_missing(
    sandbox: Sandbox, context: Context
) -> None:
    fine = make_jira(sandbox, context).check()
    lacking = make_jira(sandbox, context, link_type="Related").check()

    assert fine.ok and "link type" not in fine.detail
    assert lacking.ok and "no issue link type 'Related'" in lacking.detail
    assert lacking.hint.startswith("set connectors.jira.link_type to one of: Blocks, Relates")


def waiting(*tickets: str, as_of: str = "2026-12-07T10:00:00.000000+00:00") -> WaitingList:
    shown = tuple(Waiting(t, "ACME", "1", "2026-12-08 09:00 UTC") for t in tickets)
    return WaitingList(shown, digest="-".join(tickets) or "none", as_of=as_of)


def test_the_waiting_list_is_one_comment_edited_in_place(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_jira(sandbox, context)
    ar = connector.create_record(
        RecordSpec(kind="ar", summary="Leak"), IdempotencyKey("jira:esc-13:ar:create")
    )
    with structlog.testing.capture_logs() as logs:
        connector.upsert_waiting_list(ar, waiting("zendesk:812"))
        connector.upsert_waiting_list(ar, waiting("zendesk:812"))  # a replay: nothing to write
        first = sandbox.jira.world.issue(ar.key).comments[0].id
        connector.upsert_waiting_list(
            ar, waiting("zendesk:812", "zendesk:813", as_of="2026-12-07T11:00:00.000000+00:00")
        )
        # A list planned earlier but performed late does not overwrite the newer one.
        connector.upsert_waiting_list(ar, waiting("zendesk:812"))

    assert [e["event"] for e in logs if e["event"].startswith("jira.waiting_list")] == [
        "jira.waiting_list.posted",
        "jira.waiting_list.unchanged",
        "jira.waiting_list.edited",
        "jira.waiting_list.unchanged",
    ]
    [comment] = sandbox.jira.world.issue(ar.key).comments
    assert comment.id == first
    assert comment.body.startswith("h4. Tickets waiting on this AR (2)")
    assert "|zendesk:813|ACME|1|2026-12-08 09:00 UTC|" in comment.body
    assert "Oldest SLA due: 2026-12-08 09:00 UTC." in comment.body
    assert comment.body.endswith("(posted by Support Bridge)")
    shown = sandbox.jira.world.issue(ar.key).properties["support-bridge-waiting"]
    assert shown == {
        "comment": comment.id,
        "digest": "zendesk:812-zendesk:813",
        "as_of": "2026-12-07T11:00:00.000000+00:00",
    }


@pytest.mark.parametrize("as_adf", [False, True])
def test_the_waiting_list_links_each_ticket_to_its_agent_view_beside_its_subject(
    as_adf: bool,
) -> None:
    """Wiki markup: the ticket and its subject escaped, the agent view linked beside them
    (Jira's link syntax honours no escape); ADF: the ticket's text carries a link mark. An
    address that is no plain page is never linked."""
    agent_view = "https://acme.zendesk.com/agent/tickets/812"
    tickets = (
        Waiting(
            "zendesk:812",
            "Customer Corp",
            "1 (critical)",
            subject="Orders fail [x|http://evil] {code}",
            url=agent_view,
            classification="Urgent",
        ),
        Waiting("zendesk:813", "ACME", "2 (major)", subject="Slow", url=f"{agent_view}|x]"),
    )
    body = markup.waiting_list(WaitingList(tickets, "d", "2026-12-07T10:00:00+00:00"), as_adf)

    if not as_adf:
        assert (
            "|zendesk:812 Orders fail \\[x\\|http:\u200d//evil\\] \\{code\\} "
            f"[{agent_view}]|Customer Corp|1 \\(critical\\), Urgent|-|"
        ) in body
        assert "|zendesk:813 Slow|ACME|2 \\(major\\)|-|" in body
        return
    [listing] = [node for node in body["content"] if node["type"] == "bulletList"]
    first, second = (item["content"][0]["content"] for item in listing["content"])
    assert first[0]["text"] == "zendesk:812 Orders fail [x|http://evil] {code}"
    assert first[0]["marks"] == [{"type": "link", "attrs": {"href": agent_view}}]
    assert first[1]["text"] == " | Customer Corp | 1 (critical), Urgent | -"
    assert "marks" not in second[0]


def test_the_waiting_list_comment_is_found_again_when_its_id_was_never_stored(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_jira(sandbox, context, description_format="adf")
    ar = connector.create_record(
        RecordSpec(kind="ar", summary="Leak"), IdempotencyKey("jira:esc-14:ar:create")
    )
    connector.upsert_waiting_list(ar, waiting("zendesk:812"))
    # The worker died after posting the comment, before storing its id.
    del sandbox.jira.world.issue(ar.key).properties["support-bridge-waiting"]
    connector.upsert_waiting_list(ar, waiting(as_of="2026-12-07T12:00:00.000000+00:00"))

    [comment] = sandbox.jira.world.issue(ar.key).comments
    texts = [node["content"][0]["text"] for node in comment.body["content"]]
    assert texts[:2] == [
        "Tickets waiting on this AR (0)",
        "No ticket is waiting on this AR any more.",
    ]


def test_linking_with_a_type_the_site_has_logs_no_false_warning(
    sandbox: Sandbox, context: Context, caplog: pytest.LogCaptureFixture
) -> None:
    connector = make_jira(sandbox, context)
    spar = connector.create_record(spar_spec("esc-15"), IdempotencyKey("jira:esc-15:spar:create"))
    ar_spec = RecordSpec(kind="ar", summary="Export worker leaks", link_to=spar.key)
    with caplog.at_level("WARNING", logger="jira"):
        ar = connector.create_record(ar_spec, IdempotencyKey("jira:esc-15:ar:create"))

    assert issue_state(sandbox, ar.key)["fields"]["issuelinks"]
    assert not [r for r in caplog.records if "link type" in r.getMessage()]


def test_texts_too_long_for_jira_are_cut_with_a_visible_ellipsis(
    sandbox: Sandbox, context: Context
) -> None:
    """Jira refuses a summary over 255 characters (or with a line break) and a description or
    comment over 32,767: the customer's text is cut to fit, ending in "…", and a quote still
    ends in its {noformat} and our signature."""
    connector = make_jira(sandbox, context)
    spec = spar_spec("esc-long")
    long = RecordSpec(
        **{**spec.__dict__, "summary": "x\n" + "x" * 300, "facts": {"Impact": "y" * 40_000}}
    )
    ref = connector.create_record(long, IdempotencyKey("jira:esc-long:spar:create"))
    key = IdempotencyKey(f"jira:{ref.key}:comment:rejected")
    connector.comment(ref, "The customer's reason:", key, "z" * 40_000)

    issue = sandbox.jira.world.issue(ref.key)
    assert issue.fields["summary"] == "x " + "x" * 252 + "…"
    assert len(issue.fields["description"]) == 32_767
    assert issue.fields["description"].endswith("y…")
    [comment] = issue.comments
    assert len(comment.body) == 32_767
    assert comment.body.endswith("z…\n{noformat}\n\n(posted by Support Bridge)")


@pytest.mark.parametrize("as_adf", [True, False])
def test_a_comment_quoting_the_waiting_lists_title_is_never_taken_for_the_list(
    as_adf: bool,
) -> None:
    """After a crash lost the list's comment id, the list is found again by its shape: a
    customer who typed its title and our signature into a rejection reason cannot pass for
    it (the bridge would overwrite its own comment with the list, or never find the list)."""
    forged = f"{WAITING_TITLE} (3)\n(posted by Support Bridge)"
    ours = markup.comment("The customer rejected action plan plan-1.", as_adf, quote=forged)
    listed = markup.waiting_list(waiting("zendesk:812"), as_adf)

    assert markup.is_waiting_list(listed)
    assert not markup.is_waiting_list(ours)
