"""What every tracker connector (Jira, GitHub) shares: its declaration and the outbox operations
it performs the same way."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bridge.connectors import origin
from bridge.connectors.registry import BuiltFromSettings, unknown_operation
from bridge.services.ports import (
    IdempotencyKey,
    Kind,
    RecordSpec,
    Tracker,
    Waiting,
    WaitingList,
)

WAITING_TITLE = "Tickets waiting on this AR"
WAITING_HEADERS = ("Ticket", "Customer", "Severity", "SLA due")
WAITING_KEPT = "Kept up to date by Support Bridge; edits here are overwritten."
ELLIPSIS = "\u2026"  # where a text was cut to the tracker's limit
# Line breaks of every kind (str.splitlines' set, and tabs): outside text is laid out on one
# line, so nothing in it can start a line of its own (a heading, a list, a table, a fence).
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_PAGE = re.compile(r"\Ahttps?://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+\Z")


def one_line(text: str) -> str:
    """Outside text as one line: line breaks and tabs become a space, other control
    characters are dropped, and the ends are trimmed."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", text)).strip()


def cut(text: str, limit: int, dangling: str = "") -> str:
    """``text`` within ``limit`` characters, ending in a visible "…" when it was longer;
    ``dangling`` (a pattern) is what a cut may not leave at the end, such as half an escape."""
    if len(text) <= limit:
        return text
    kept = text[: limit - len(ELLIPSIS)]
    if dangling:
        kept = re.sub(f"(?:{dangling})\\Z", "", kept)
    return kept + ELLIPSIS


def fitted(build: Callable[[str], str], piece: str, limit: int) -> str:
    """``build(piece)`` within ``limit`` characters, ``piece`` (the outside text in it) cut
    as far as needed; what ``build`` adds is never cut."""
    built = build(piece)
    while len(built) > limit and piece:
        piece = cut(piece, max(len(piece) - (len(built) - limit), 1))
        piece = "" if piece == ELLIPSIS and len(build(piece)) > limit else piece
        built = build(piece)
    return built


def page_link(url: str) -> str:
    """``url`` if it is a page a reader can follow and no markup can be read into (the
    helpdesk's agent view, built from our settings and the ticket's id), else ""."""
    return url if _PAGE.match(url) else ""


def ticket_label(waiting: Waiting) -> str:
    """``zendesk:100 Export fails for large files``: the ticket as developers name it."""
    return f"{waiting.ticket} {waiting.subject}".strip()


def _severity(waiting: Waiting) -> str:
    return ", ".join(part for part in (waiting.severity, waiting.classification) if part) or "-"


def waiting_lines(
    waiting: WaitingList,
    outside: Callable[[str], str],
    linked: Callable[[str, str], str] = lambda label, _url: label,
) -> tuple[str, list[list[str]], str]:
    """The waiting list's title, its rows (one per ticket, as WAITING_HEADERS) and a line
    naming the oldest SLA due, for each tracker to lay out in its own markup. ``outside``
    is the tracker's neutraliser, applied to what came from outside (the ticket, its subject,
    the customer, the severity); ``linked(label, url)`` links the neutralised ticket label to
    the helpdesk's agent view in the tracker's markup."""
    title = f"{WAITING_TITLE} ({len(waiting.tickets)})"
    rows = [
        [
            linked(outside(ticket_label(t)), page_link(t.url))
            if page_link(t.url)
            else outside(ticket_label(t)),
            outside(t.customer) or "unknown",
            outside(_severity(t)),
            t.sla_due or "-",
        ]
        for t in waiting.tickets
    ]
    if not rows:
        return title, rows, "No ticket is waiting on this AR any more."
    return title, rows, f"Oldest SLA due: {waiting.oldest_due or 'no SLA clock running'}."


class TrackerConnector(BuiltFromSettings):
    """The base of a tracker connector: it files records, comments on them, moves them and keeps
    the list of tickets waiting on an AR."""

    kind = Kind.TRACKER

    def perform(
        self, operation: str, payload: dict[str, Any], key: IdempotencyKey
    ) -> dict[str, Any]:
        return perform(self, operation, payload, key)  # type: ignore[arg-type]


# A backslash left at the end of a cut would escape the "…" in markdown.
MARKDOWN_ESCAPE_TAIL = r"\\+"


def markdown_waiting_body(
    waiting: WaitingList, marker: str, inert: Callable[[str], str], limit: int
) -> str:
    """The waiting list as a markdown table (GitHub's and GitLab's), with our hidden marker and
    the digest that says whether it changed, cut to ``limit``."""
    title_line, rows, note = waiting_lines(waiting, inert, lambda label, url: f"[{label}]({url})")
    lines = [f"**{title_line}**", "", note]
    if rows:
        lines += ["", "| " + " | ".join(WAITING_HEADERS) + " |"]
        lines += ["|" + "---|" * len(WAITING_HEADERS)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", f"_{WAITING_KEPT}_"]
    shown = f"<!-- support-bridge-waiting digest={waiting.digest} as_of={waiting.as_of} -->"
    tail = f"{origin.hidden_marker(marker)}\n{shown}"
    return cut("\n".join(lines), limit - len(tail) - 2, MARKDOWN_ESCAPE_TAIL) + "\n\n" + tail


def perform(
    tracker: Tracker, operation: str, payload: dict[str, Any], key: IdempotencyKey
) -> dict[str, Any]:
    if operation == "create_record":
        spec = RecordSpec.from_payload(payload["kind"], payload["spec"], payload["escalation_id"])
        return tracker.create_record(spec, key).as_result()
    if operation == "comment":
        quote = str(payload.get("quote") or "")
        tracker.comment(tracker.ref(payload["ref"]), payload["text"], key, quote)
        return {"ref": payload["ref"]}
    if operation == "move_to":
        tracker.move_to(tracker.ref(payload["ref"]), payload["status"])
        return {"ref": payload["ref"], "status": payload["status"]}
    if operation == "upsert_waiting_list":
        waiting = WaitingList.from_payload(payload)
        tracker.upsert_waiting_list(tracker.ref(payload["ref"]), waiting)
        return {"ref": payload["ref"], "digest": waiting.digest, "waiting": len(waiting.tickets)}
    raise unknown_operation(tracker.key, operation)
