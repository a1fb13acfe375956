"""The GitHub connector files ARs through PyGithub, finds them again by their hidden marker."""

from __future__ import annotations

import requests
from markdown_it import MarkdownIt

from bridge.connectors.github import GitHubConnector
from bridge.connectors.github.settings import GitHubSettings
from bridge.connectors.registry import Context
from bridge.services.ports import IdempotencyKey, RecordSpec, Waiting, WaitingList
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.receiver import WebhookReceiver
from tests.connectors.conftest import delivered

REPO = "acme/widgets"


def make_github(sandbox: Sandbox, context: Context) -> GitHubConnector:
    settings = GitHubSettings(
        base_url=sandbox.urls["github"],
        repository=REPO,
        token=sandbox.credentials["github"]["token"],
    )
    return GitHubConnector(settings, context)


def ar_spec(escalation: str) -> RecordSpec:
    return RecordSpec(
        kind="ar",
        summary=f"Export worker leaks memory ({escalation})",
        facts={"Customer": "ACME"},
        severity="S2",
        ticket_url="https://acme.zendesk.com/agent/tickets/812",
        ticket_id="812",
        record_id=escalation,
        link_to="SUP-1",
    )


def issues(sandbox: Sandbox) -> list[dict]:
    return sandbox.github.snapshot()[REPO]["issues"]


def test_an_ar_is_filed_with_labels_a_ticket_link_and_a_hidden_marker(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_github(sandbox, context)
    ref = connector.create_record(ar_spec("gh-1"), IdempotencyKey("github:gh-1:ar:create"))

    [filed] = [i for i in issues(sandbox) if i["number"] == int(ref.id)]
    assert {label["name"] for label in filed["labels"]} >= {"bug", "spar", "severity:S2"}
    assert "https://acme.zendesk.com/agent/tickets/812" in filed["body"]
    assert "<!-- support-bridge:github:gh-1:ar:create -->" in filed["body"]
    assert ref.key == f"{REPO}#{ref.id}"


def test_filing_after_a_lost_answer_finds_the_issue_instead_of_creating_another(
    sandbox: Sandbox, context: Context
) -> None:
    key = IdempotencyKey("github:gh-2:ar:create")
    first = make_github(sandbox, context).create_record(ar_spec("gh-2"), key)
    again = make_github(sandbox, context).create_record(ar_spec("gh-2"), key)

    assert again.id == first.id
    assert sum("(gh-2)" in i["title"] for i in issues(sandbox)) == 1


def test_a_marker_in_the_customers_text_is_not_taken_for_ours(
    sandbox: Sandbox, context: Context
) -> None:
    """A subject carrying a marker of the bridge's own shape must not hide the real one from
    the look-before-act check: a retried create finds the issue it filed."""
    key = IdempotencyKey("github:gh-9:ar:create")
    spec = ar_spec("gh-9")
    forged = RecordSpec(
        **{**spec.__dict__, "facts": {"Subject": "<!-- support-bridge:github:gh-0:ar:create -->"}}
    )
    first = make_github(sandbox, context).create_record(forged, key)
    again = make_github(sandbox, context).create_record(forged, key)

    assert again.id == first.id
    assert sum("(gh-9)" in i["title"] for i in issues(sandbox)) == 1
    assert (
        make_github(sandbox, context).find_by_key(IdempotencyKey("github:gh-0:ar:create")) is None
    )


def test_a_secondary_rate_limit_is_waited_out_and_files_one_issue(
    sandbox: Sandbox, context: Context
) -> None:
    sandbox.github.faults.add(
        Fault(route=f"POST /repos/{REPO}/issues", status=429, retry_after=1, times=2)
    )
    ref = make_github(sandbox, context).create_record(
        ar_spec("gh-3"), IdempotencyKey("github:gh-3:ar:create")
    )

    assert sum("(gh-3)" in i["title"] for i in issues(sandbox)) == 1
    assert int(ref.id) in {i["number"] for i in issues(sandbox)}


def test_a_comment_is_written_once_and_closing_closes(sandbox: Sandbox, context: Context) -> None:
    connector = make_github(sandbox, context)
    ref = connector.create_record(ar_spec("gh-4"), IdempotencyKey("github:gh-4:ar:create"))
    key = IdempotencyKey(f"github:{ref.key}:comment:fix-shipped")
    connector.comment(ref, "Fix shipped in 4.2", key)
    connector.comment(ref, "Fix shipped in 4.2", key)
    connector.move_to(ref, "closed")

    comments = [
        c
        for c in sandbox.github.snapshot()[REPO]["comments"]
        if c["issue_url"].endswith(f"/issues/{ref.id}")
    ]
    assert [c["body"].splitlines()[0] for c in comments] == ["Fix shipped in 4.2"]
    [filed] = [i for i in issues(sandbox) if i["number"] == int(ref.id)]
    assert filed["state"] == "closed"


def test_webhooks_of_our_own_writes_are_recognised_and_a_developers_are_not(
    sandbox: Sandbox, context: Context, receiver: WebhookReceiver
) -> None:
    connector = make_github(sandbox, context)
    ref = connector.create_record(ar_spec("gh-5"), IdempotencyKey("github:gh-5:ar:create"))
    connector.comment(ref, "Escalated to level 2", IdempotencyKey(f"github:{ref.key}:c:1"))
    requests.post(
        f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/issues/{ref.id}/comments",
        json={"body": "Looking into it", "user": "dev-dana"},
        timeout=5,
    ).raise_for_status()
    sandbox.flush_webhooks()

    about = [
        p
        for p in delivered(receiver, "github")
        if (p.get("issue") or {}).get("number") == int(ref.id)
    ]
    ours = {(p["action"], bool(p.get("comment"))): connector.is_own_write(p) for p in about}
    assert ours[("opened", False)] is True
    mine = [p for p in about if p.get("comment")]
    assert [connector.is_own_write(p) for p in mine] == [True, False]


def test_the_waiting_list_is_one_comment_edited_in_place(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_github(sandbox, context)
    ref = connector.create_record(ar_spec("gh-6"), IdempotencyKey("github:gh-6:ar:create"))
    one = (Waiting("zendesk:812", "ACME", "1", "2026-12-08 09:00 UTC"),)
    two = (*one, Waiting("freshdesk:77", "", "2", ""))
    early, late = "2026-12-07T10:00:00.000000+00:00", "2026-12-07T11:00:00.000000+00:00"
    connector.upsert_waiting_list(ref, WaitingList(one, "d1", early))
    connector.upsert_waiting_list(ref, WaitingList(one, "d1", early))
    connector.upsert_waiting_list(ref, WaitingList(two, "d2", late))
    connector.upsert_waiting_list(ref, WaitingList(one, "d1", early))  # performed late: ignored

    [comment] = [
        c
        for c in sandbox.github.snapshot()[REPO]["comments"]
        if c["issue_url"].endswith(f"/issues/{ref.id}")
    ]
    body = comment["body"]
    assert body.startswith("**Tickets waiting on this AR (2)**")
    assert "| zendesk:812 | ACME | 1 | 2026-12-08 09:00 UTC |" in body
    assert "| freshdesk:77 | unknown | 2 | - |" in body
    assert f"<!-- support-bridge:waiting-list:{ref.id} -->" in body
    assert connector.is_own_write({"comment": {"body": body}})


def test_the_waiting_list_links_each_ticket_to_its_agent_view_beside_its_subject(
    sandbox: Sandbox, context: Context
) -> None:
    """Developers open the ticket where support works on it; a subject written as Markdown
    links nowhere, and a page address that could break out of its link is not linked."""
    connector = make_github(sandbox, context)
    ref = connector.create_record(ar_spec("gh-7"), IdempotencyKey("github:gh-7:ar:create"))
    agent_view = "https://acme.zendesk.com/agent/tickets/812"
    tickets = (
        Waiting(
            "zendesk:812",
            "Customer Corp (casey@customer.example)",
            "1 (critical)",
            "2026-12-08 09:00 UTC",
            subject="Orders fail [x](http://evil) {code}",
            url=agent_view,
            classification="Urgent",
        ),
        Waiting("zendesk:813", "ACME", "2 (major)", subject="Slow", url=f"{agent_view})](x"),
    )
    connector.upsert_waiting_list(ref, WaitingList(tickets, "d7", "2026-12-07T10:00:00+00:00"))

    [body] = [
        c["body"]
        for c in sandbox.github.snapshot()[REPO]["comments"]
        if c["issue_url"].endswith(f"/issues/{ref.id}")
    ]
    joiner = "\u200d"
    assert (
        f"| [zendesk:812 Orders fail \\[x\\](http:{joiner}//evil) {{code}}]({agent_view}) "
        f"| Customer Corp (casey@{joiner}customer.example) | 1 (critical), Urgent "
        "| 2026-12-08 09:00 UTC |"
    ) in body
    assert "| zendesk:813 Slow | ACME | 2 (major) | - |" in body
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    links = [
        child.attrs["href"]
        for token in tokens
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert links == [agent_view]


def test_texts_too_long_for_github_are_cut_with_a_visible_ellipsis(
    sandbox: Sandbox, context: Context
) -> None:
    """GitHub refuses a title over 256 characters and a body or comment over 65,536: what the
    customer wrote is cut to fit, ending in "…", and our marker still ends the body."""
    connector = make_github(sandbox, context)
    spec = ar_spec("gh-long")
    long = RecordSpec(**{**spec.__dict__, "summary": "x" * 300, "facts": {"Ticket": "y" * 70_000}})
    key = IdempotencyKey("github:gh-long:ar:create")
    ref = connector.create_record(long, key)
    comment_key = IdempotencyKey(f"github:{ref.key}:comment:rejected")
    connector.comment(ref, "The customer's reason:", comment_key, "z" * 70_000)

    [filed] = [i for i in issues(sandbox) if i["number"] == int(ref.id)]
    assert filed["title"] == "x" * 255 + "…"
    assert len(filed["body"]) == 65_536
    assert filed["body"].endswith("y…\n\n<!-- support-bridge:github:gh-long:ar:create -->")
    [comment] = [
        c["body"]
        for c in sandbox.github.snapshot()[REPO]["comments"]
        if c["issue_url"].endswith(f"/issues/{ref.id}")
    ]
    assert len(comment) == 65_536
    assert comment.endswith(f"z…\n```\n\n<!-- support-bridge:{comment_key} -->")
