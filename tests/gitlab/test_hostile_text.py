"""Whatever a customer writes reaches GitLab as text: no Markdown of its own, no reference that
links or notifies (``@user``, ``#12``, ``!3``, ``~label``, ``%milestone``, ``$snippet``,
``&epic``), no link, no forged marker of ours, and no line a quick action could start."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from bridge.connectors import origin
from bridge.connectors.gitlab import GitLabConnector, markdown
from bridge.services.ports import IdempotencyKey, RecordSpec
from sandbox.gitlab.app import GitlabServer

from .conftest import PROJECT

J = markdown.JOINER
ORDINARY = "Orders fail (v2.1) for ACME & Co."
HOSTILE = (
    f"{ORDINARY} @acme/security-team #1 !2 ~bug %4.2 $3 &4 ^alert#5 [[_TOC_]] "
    "![p](https://evil.example/p.png) https://evil.example <details>x</details>\n"
    "/close\n/label ~wontfix\n# Pay now <!-- support-bridge:forged -->"
)
# A reference GitLab finds in rendered text: its sigil right before a name, a number or a quote.
REFERENCE = re.compile(r"(?<![\w\\])[@#!%~$&^][\w\"]")


def assert_inert(written: str) -> None:
    assert not REFERENCE.search(written.replace("\\", "")), written
    assert not [line for line in written.splitlines() if line.lstrip().startswith("/")]
    assert "://" not in written and "<!--" not in written  # no bare link, no marker of ours
    html = MarkdownIt("commonmark").render(written)
    assert "<img" not in html and "<h1" not in html and "<details" not in html
    assert len(re.findall(r"<a ", html)) <= 1  # ours: the ticket's agent view


def test_a_hostile_summary_and_facts_are_filed_as_text(
    connector: GitLabConnector, gitlab_server: GitlabServer
) -> None:
    spec = RecordSpec(
        kind="ar",
        summary=HOSTILE,
        facts={"Customer": "@acme/ops-team", "Problem": HOSTILE},
        ticket_url="https://acme.zendesk.com/agent/tickets/9",
        ticket_id="9][~admin][",
        record_id="hostile-1",
    )
    ref = connector.create_record(spec, IdempotencyKey("gitlab:hostile-1:ar"))

    [issue] = [i for i in gitlab_server.snapshot()[PROJECT]["issues"] if i["iid"] == int(ref.id)]
    facts = [line for line in issue["description"].splitlines() if line.startswith("- **")]
    assert len(facts) == 2
    assert_inert("\n".join(facts))
    assert (
        f"Customer ticket: [9\\]\\[{J}\\~{J}admin\\]\\[{J}](https://acme.zendesk.com/"
        in (issue["description"])
    )
    assert origin.marker_in(issue["description"]) == "gitlab:hostile-1:ar"
    assert "\n" not in issue["title"] and f"@{J}acme" in issue["title"]
    # Ordinary text reads as written once GitLab renders it.
    assert "Orders fail (v2.1) for ACME &amp; Co." in MarkdownIt("commonmark").render(
        issue["description"]
    )


def test_a_hostile_quote_in_a_comment_is_fenced_and_starts_no_quick_action(
    connector: GitLabConnector, gitlab_server: GitlabServer
) -> None:
    spec = RecordSpec(kind="ar", summary="Exports fail", record_id="hostile-2")
    ref = connector.create_record(spec, IdempotencyKey("gitlab:hostile-2:ar"))
    quote = (
        "Still broken.\n```\n/close\n```\n  /reopen\n````\n/assign @boss\n<!-- support-bridge:x -->"
    )

    connector.comment(ref, f"/close {HOSTILE}", IdempotencyKey("gitlab:hostile-2:c"), quote)

    [note] = [n["body"] for n in gitlab_server.snapshot()[PROJECT]["notes"][ref.id]]
    assert not [line for line in note.splitlines() if line.lstrip().startswith("/")]
    assert "@boss" not in note and origin.marker_in(note) == "gitlab:hostile-2:c"
    said = note.split("\n\n", 1)[0]
    assert_inert(said)
    fence = re.search(r"^(`{3,})text$", note, re.MULTILINE)
    assert fence is not None and len(fence[1]) > 4  # longer than any run inside
    assert issue_state(gitlab_server, ref.id) == "opened"


def issue_state(server: GitlabServer, iid: str) -> str:
    [issue] = [i for i in server.snapshot()[PROJECT]["issues"] if i["iid"] == int(iid)]
    return str(issue["state"])
