"""The issue description: wiki markup (Jira Data Center, REST v2) or ADF (Jira Cloud, v3).

Outside text (a customer's subject, organisation, ticket id or words) is shown as written and
is never markup. In wiki markup every character Jira's renderer reads as markup and lets a
backslash escape (``-#*_+?^~|%{}[]()!@``) is escaped, so ``!https://…!`` embeds no image,
``[~admin]`` mentions nobody and ``{color}`` is no macro; a backslash of its own becomes
``&#92;`` (two would be a line break, and one would undo our escape); line breaks become
spaces, and a zero-width joiner follows ``h1``-``h6``/``bq`` at the start and the ``:`` of
``://`` and ``mailto:``, so no heading, quote or link is made. ADF text nodes are plain text
already: there only lengths are cut.
"""

from __future__ import annotations

import re
from typing import Any

from bridge.connectors import tracker
from bridge.services.ports import RecordSpec, WaitingList
from bridge.services.showing.shown import severity_label

COMMENT_SIGNATURE = "(posted by Support Bridge)"

TEXT_LIMIT = 32_767  # characters in a description or a comment (Jira's text fields)
SUMMARY_LIMIT = 255
JOINER = "\u200d"  # zero-width: invisible to a reader, breaks what Jira would recognise

_NOFORMAT = re.compile(r"\{noformat\}", re.IGNORECASE)
_WIKI = re.compile(r"[-#*_+?^~|%{}\[\]()!@\\]")
_RECOGNISED = re.compile(r"(?i)(^(?:h[1-6]|bq)(?=\.)|:(?=//)|(?<=mailto):)")
_ESCAPE_TAIL = r"\\+|&#?\d*"  # a cut leaves no half escape or half entity before the "…"


def inert(text: str) -> str:
    """Outside text for wiki markup: on one line, shown as written, never markup."""
    linkless = _RECOGNISED.sub(lambda m: m[0] + JOINER, tracker.one_line(text))
    return _WIKI.sub(lambda m: "&#92;" if m[0] == "\\" else "\\" + m[0], linkless)


def summary(text: str) -> str:
    """An issue summary: plain text, on one line (Jira refuses line breaks in it), within
    Jira's limit."""
    return tracker.cut(tracker.one_line(text), SUMMARY_LIMIT)


def _rows(spec: RecordSpec) -> list[tuple[str, str]]:
    rows = [("Severity", severity_label(spec.severity))] if spec.severity else []
    return rows + list(spec.facts.items())


def wiki(spec: RecordSpec) -> str:
    """Our layout; every value from outside (the ticket id, the facts) written inert, and the
    ticket id beside its link rather than inside it (Jira's link syntax honours no escape)."""
    lines = [f"h3. {'SPAR' if spec.kind == 'spar' else 'Action request'} from Support Bridge"]
    if spec.ticket_url:
        shown = f"{inert(spec.ticket_id)} " if spec.ticket_id else ""
        lines.append(f"*Customer ticket:* {shown}[{spec.ticket_url}]")
    if spec.link_to:
        lines.append(f"*Raised from:* {spec.link_to}")
    rows = _rows(spec)
    if rows:
        lines += ["", "||Fact||Value||"]
        lines += [f"|{k}|{inert(v)}|" for k, v in rows]
    return tracker.cut("\n".join(lines), TEXT_LIMIT, _ESCAPE_TAIL)


def _text(text: str, **mark: str) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if mark.get("href"):
        node["marks"] = [{"type": "link", "attrs": {"href": mark["href"]}}]
    return node


def _paragraph(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)}


def adf(spec: RecordSpec) -> dict[str, Any]:
    title = f"{'SPAR' if spec.kind == 'spar' else 'Action request'} from Support Bridge"
    content: list[dict[str, Any]] = [
        {"type": "heading", "attrs": {"level": 3}, "content": [_text(title)]}
    ]
    if spec.ticket_url:
        label = spec.ticket_id or spec.ticket_url
        content.append(_paragraph(_text("Customer ticket: "), _text(label, href=spec.ticket_url)))
    if spec.link_to:
        content.append(_paragraph(_text(f"Raised from: {spec.link_to}")))
    rows = [(k, v) for k, v in _rows(spec) if v]
    room = TEXT_LIMIT // max(len(rows), 1) - 40  # each fact's share of Jira's limit
    items = [
        {"type": "listItem", "content": [_paragraph(_text(f"{k}: {tracker.cut(v, room)}"))]}
        for k, v in rows
    ]
    if items:
        content.append({"type": "bulletList", "content": items})
    return {"type": "doc", "version": 1, "content": content}


def _without_noformat(quote: str) -> str:
    """The quote with every ``{noformat}`` taken out, including one that taking another out
    would join together (``{no{noformat}format}``): nothing can close the block early."""
    while True:
        cleaned = _NOFORMAT.sub("", quote)
        if cleaned == quote:
            return cleaned
        quote = cleaned


def comment(text: str, as_adf: bool, quote: str = "") -> Any:
    """A comment body ending in the signature that marks it as ours. ``quote`` (someone else's
    words) is shown as it was written: a code block in ADF, a ``{noformat}`` block in wiki
    markup, where nothing is markup."""
    if as_adf:
        content = [_paragraph(_text(text))]
        if quote:
            room = TEXT_LIMIT - len(text) - len(COMMENT_SIGNATURE)
            content.append({"type": "codeBlock", "content": [_text(tracker.cut(quote, room))]})
        content.append(_paragraph(_text(COMMENT_SIGNATURE)))
        return {"type": "doc", "version": 1, "content": content}
    said = inert(text)  # plain text of ours naming outside things (ticket ids, releases)
    if not quote:
        room = TEXT_LIMIT - len(COMMENT_SIGNATURE) - 2
        return f"{tracker.cut(said, room, _ESCAPE_TAIL)}\n\n{COMMENT_SIGNATURE}"

    def laid_out(words: str) -> str:
        return f"{said}\n{{noformat}}\n{words}\n{{noformat}}\n\n{COMMENT_SIGNATURE}"

    return tracker.fitted(laid_out, _without_noformat(quote), TEXT_LIMIT)


def waiting_list(waiting: WaitingList, as_adf: bool) -> Any:
    """The one comment on an AR that lists the tickets waiting on it."""
    if as_adf:
        title, rows, note = tracker.waiting_lines(waiting, lambda text: text)
        # The ticket, linked to the helpdesk's agent view by a mark (plain text otherwise).
        items = [
            {
                "type": "listItem",
                "content": [
                    _paragraph(
                        _text(row[0], href=tracker.page_link(ticket.url)),
                        _text(" | " + " | ".join(row[1:])),
                    )
                ],
            }
            for row, ticket in zip(rows, waiting.tickets, strict=True)
        ]
        content: list[dict[str, Any]] = [
            {"type": "heading", "attrs": {"level": 4}, "content": [_text(title)]},
            _paragraph(_text(note)),
        ]
        if items:
            content.append(_paragraph(_text(" | ".join(tracker.WAITING_HEADERS))))
            content.append({"type": "bulletList", "content": items})
        content += [_paragraph(_text(tracker.WAITING_KEPT)), _paragraph(_text(COMMENT_SIGNATURE))]
        return {"type": "doc", "version": 1, "content": content}
    # The ticket beside its link, never inside it (Jira's link syntax honours no escape).
    title, rows, note = tracker.waiting_lines(waiting, inert, lambda label, url: f"{label} [{url}]")
    lines = [f"h4. {title}", note]
    if rows:
        lines += ["", "||" + "||".join(tracker.WAITING_HEADERS) + "||"]
        lines += ["|" + "|".join(row) + "|" for row in rows]
    lines += ["", f"_{tracker.WAITING_KEPT}_", "", COMMENT_SIGNATURE]
    return "\n".join(lines)


def is_waiting_list(body: Any) -> bool:
    """Whether a comment is our waiting list (found again after a crash lost its id): it opens
    with the list's heading and ends with our signature. A comment of ours quoting a customer
    who typed the title starts with our own sentence, so it is never taken for the list."""
    text = plain_text(body).strip()
    opening = text.removeprefix("h4. ")
    return opening.startswith(tracker.WAITING_TITLE) and text.endswith(COMMENT_SIGNATURE)


def plain_text(body: Any) -> str:
    """The plain text of a wiki string or an ADF document."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        return body.get("text", "") + " ".join(plain_text(c) for c in body.get("content", []))
    return ""
