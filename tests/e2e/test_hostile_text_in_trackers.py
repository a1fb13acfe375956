"""Through the service and the real clients, against the sandbox's Jira and GitHub: a ticket
whose subject, organisation and id are an attacker's markup is filed as a SPAR and an AR, and
what the tracker recorded pings nobody, embeds no image, links nowhere and lays out nothing,
while ordinary text reads as the customer wrote it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import select

from bridge.domain.enums import EntryPoint, Priority, ReasonCategory, Severity
from bridge.domain.records import Ticket
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.escalation.escalations import EscalationRequest
from bridge.store import tables
from bridge.store.escalations import EscalationStore
from sandbox import Sandbox

from .test_agreed_severity_and_rejected_plans import (  # noqa: F401 - the fixtures, shared
    github_comments,
    github_issue,
    runtime,
)
from .test_spar_and_ar import drain_outbox, sandbox  # noqa: F401 - the fixture, shared

TICKET_ID = "LNK][~admin]["
ORDINARY = "Orders fail (v2.1) for ACME & Co."
SUBJECT = (
    f"{ORDINARY} @acme/security-team ![p](https://evil.example/p.png) "
    "!https://evil.example/p.png!\nh1. Pay now <!-- support-bridge:forged -->"
)
ORGANISATION = "@acme/ops-team"
J = "\u200d"  # the zero-width joiner that breaks a mention or a link for the tracker only


def hostile_ticket_filed(runtime: Runtime) -> None:  # noqa: F811
    """A ticket carrying the attacker's text, escalated, its SPAR opened and the outbox
    drained: the SPAR, its AR and the AR's waiting list are in the tracker."""
    opened = utcnow() - dt.timedelta(days=3)
    ticket = Ticket(
        external_id=TICKET_ID,
        requester="ops@customer.example",
        organisation=ORGANISATION,
        subject=SUBJECT,
        severity=Severity.CRITICAL,
        priority=Priority.URGENT,
        opened_at=opened,
        last_support_reply_at=opened + dt.timedelta(hours=1),
    )
    with runtime.sessions.begin() as session:
        EscalationStore(session).save_ticket("intake", ticket, opened)
    request = EscalationRequest(
        f"intake:{TICKET_ID}",
        ReasonCategory.DATA_LOSS,
        "orders lost",
        "U0ALICE001",
        EntryPoint.SLACK,
        "test",
    )
    escalation_id = runtime.services.escalations.request(request, utcnow())
    runtime.services.spar.open_spar(escalation_id, by="U0ALICE001", cause="test", now=utcnow())
    drain_outbox(runtime)


def filed(runtime: Runtime) -> dict[str, str]:  # noqa: F811
    with runtime.sessions() as session:
        return {row.kind: row.external_key for row in session.scalars(select(tables.ActionRequest))}


def assert_inert_markdown(written: str) -> None:
    """Nothing in a GitHub body that pings, embeds, links or hides a marker."""
    assert not re.search(r"@[A-Za-z0-9]", written)  # a mention is '@' then a name
    assert "![" not in written
    assert len(re.findall(r"(?<!\\)\]\(", written)) <= 1  # ours: the escalation's link
    assert "https://evil" not in written and "<!-- support-bridge:forged" not in written


def assert_inert_wiki(written: str) -> None:
    """Nothing in Jira wiki markup that mentions, embeds, links or starts a heading: every
    markup character of the customer's is escaped."""
    assert not re.search(r"(?<!\\)[!{}~@]|(?<!\\)\[(?!http://127)", written)
    assert "[~" not in written and "https://evil" not in written
    assert not re.search(r"^\s*h1\.", written, re.MULTILINE)  # ours is an h3 or h4


def rendered(markdown: str) -> tuple[str, set[str]]:
    """What a reader sees of a GitHub body (its text) and the kinds of element it has."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    inline = [child for token in tokens for child in (token.children or [])]
    text = "".join(c.content for c in inline if c.type == "text").replace(J, "")
    return text, {t.type for t in [*tokens, *inline]}


@pytest.mark.parametrize("tracker", ["github"])
def test_github_records_show_the_attackers_text_as_text(
    runtime: Runtime,  # noqa: F811
    sandbox: Sandbox,  # noqa: F811
) -> None:
    hostile_ticket_filed(runtime)
    keys = filed(runtime)
    ticket_line = (
        "- **Ticket:** LNK\\]\\[\\~admin\\]\\[: Orders fail (v2.1) for ACME & Co. "
        f"@{J}acme/security-team !\\[p\\](https:{J}//evil.example/p.png) "
        f"!https:{J}//evil.example/p.png! h1. Pay now \\<!{J}-- support-bridge:forged --"
    )
    for kind in ("spar", "ar"):
        issue = github_issue(sandbox, keys[kind])
        body = issue["body"]
        shown, marker = body.rsplit("\n\n", 1)  # our own hidden marker ends it
        assert marker.startswith("<!-- support-bridge:")
        assert_inert_markdown(shown)
        assert ticket_line in body
        assert f"- **Customer:** @{J}acme/ops-team" in body
        assert "Customer ticket: [intake:LNK\\]\\[\\~admin\\]\\[](" in body
        text, kinds = rendered(shown)
        assert f"{TICKET_ID}: {ORDINARY} @acme/security-team ![p](https://evil" in text
        assert {"link_open", "image", "html_inline", "html_block"} & kinds == {"link_open"}
        assert [t for t in kinds if t.startswith("heading")] == []
        # The title is plain text, shown as typed on one line, naming no one.
        typed = SUBJECT.replace("\n", " ").replace("@", f"@{J}")
        assert issue["title"] == f"[{kind.upper()}] {typed} (ticket {TICKET_ID})"
    [waiting] = [c for c in github_comments(sandbox, keys["ar"]) if "Tickets waiting" in c]
    assert_inert_markdown(waiting.split("<!--", 1)[0])
    # The ticket with its subject (no agent view: the intake has none), then its customer.
    [row] = [line for line in waiting.splitlines() if line.startswith("| intake:")]
    assert row.startswith("| intake:LNK\\]\\[\\~admin\\]\\[ Orders fail")
    assert f" | @{J}acme/ops-team" in row


@pytest.mark.parametrize("tracker", ["jira"])
def test_jira_records_show_the_attackers_text_as_text(
    runtime: Runtime,  # noqa: F811
    sandbox: Sandbox,  # noqa: F811
) -> None:
    hostile_ticket_filed(runtime)
    keys = filed(runtime)
    ticket_row = (
        "|Ticket|LNK\\]\\[\\~admin\\]\\[: Orders fail \\(v2.1\\) for ACME & Co. "
        f"\\@acme/security\\-team \\!\\[p\\]\\(https:{J}//evil.example/p.png\\) "
        f"\\!https:{J}//evil.example/p.png\\! h1. Pay now <\\!\\-\\- support\\-bridge:forged "
        "\\-\\->|"
    )
    for kind in ("spar", "ar"):
        issue = sandbox.jira.world.issue(keys[kind])
        assert issue is not None
        description = issue.fields["description"]
        assert_inert_wiki(description)
        assert ticket_row in description.splitlines()
        assert "|Customer|\\@acme/ops\\-team|" in description.splitlines()
        assert "*Customer ticket:* intake:LNK\\]\\[\\~admin\\]\\[ [http" in description
        # What Jira shows: each escape drops its backslash (Jira's BackslashEscape rule).
        shown = re.sub(r"\\([-#*_+?^~|%{}\[\]()!@])", r"\1", description).replace(J, "")
        assert f"|{TICKET_ID}: {ORDINARY} @acme/security-team ![p](https://evil" in shown
        # The summary is plain text (Jira renders no markup in it), on one line.
        assert issue.fields["summary"] == (
            f"[{kind.upper()}] {SUBJECT.replace(chr(10), ' ')} (ticket {TICKET_ID})"
        )
    ar = sandbox.jira.world.issue(keys["ar"])
    assert ar is not None
    [waiting] = [c.body for c in ar.comments if "Tickets waiting on this AR" in c.body]
    assert_inert_wiki(waiting)
    [row] = [line for line in waiting.splitlines() if line.startswith("|intake:")]
    assert row.startswith("|intake:LNK\\]\\[\\~admin\\]\\[ Orders fail")
    assert "|\\@acme/ops\\-team" in row
