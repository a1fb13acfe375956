"""The issue description: wiki markup (Jira Data Center, REST v2) or ADF (Jira Cloud, v3)."""

from __future__ import annotations

import re
from typing import Any

from bridge.connectors import tracker
from bridge.services.ports import RecordSpec, WaitingList

COMMENT_SIGNATURE = "(posted by Support Bridge)"

_NOFORMAT = re.compile(r"\{noformat\}", re.IGNORECASE)
_WIKI_SPECIAL = str.maketrans({"|": "\\|", "{": "\\{", "}": "\\}", "[": "\\[", "]": "\\]"})


def _rows(spec: RecordSpec) -> list[tuple[str, str]]:
    rows = [("Severity", spec.severity)] if spec.severity else []
    return rows + list(spec.facts.items())


def wiki(spec: RecordSpec) -> str:
    lines = [f"h3. {'SPAR' if spec.kind == 'spar' else 'Action request'} from Support Bridge"]
    if spec.ticket_url:
        lines.append(f"*Customer ticket:* [{spec.ticket_id or spec.ticket_url}|{spec.ticket_url}]")
    if spec.link_to:
        lines.append(f"*Raised from:* {spec.link_to}")
    rows = _rows(spec)
    if rows:
        lines += ["", "||Fact||Value||"]
        lines += [f"|{k.translate(_WIKI_SPECIAL)}|{v.translate(_WIKI_SPECIAL)}|" for k, v in rows]
    return "\n".join(lines)


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
    items = [
        {"type": "listItem", "content": [_paragraph(_text(f"{k}: {v}"))]}
        for k, v in _rows(spec)
        if v
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
            content.append({"type": "codeBlock", "content": [_text(quote)]})
        content.append(_paragraph(_text(COMMENT_SIGNATURE)))
        return {"type": "doc", "version": 1, "content": content}
    if quote:
        text = f"{text}\n{{noformat}}\n{_without_noformat(quote)}\n{{noformat}}"
    return f"{text}\n\n{COMMENT_SIGNATURE}"


def waiting_list(waiting: WaitingList, as_adf: bool) -> Any:
    """The one comment on an AR that lists the tickets waiting on it."""
    title, rows, note = tracker.waiting_lines(waiting)
    if as_adf:
        items = [
            {"type": "listItem", "content": [_paragraph(_text(" | ".join(row)))]} for row in rows
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
    lines = [f"h4. {title}", note]
    if rows:
        lines += ["", "||" + "||".join(tracker.WAITING_HEADERS) + "||"]
        lines += ["|" + "|".join(c.translate(_WIKI_SPECIAL) for c in row) + "|" for row in rows]
    lines += ["", f"_{tracker.WAITING_KEPT}_", "", COMMENT_SIGNATURE]
    return "\n".join(lines)


def is_waiting_list(body: Any) -> bool:
    """Whether a comment is our waiting list (found again after a crash lost its id)."""
    text = plain_text(body)
    return tracker.WAITING_TITLE in text and COMMENT_SIGNATURE in text


def plain_text(body: Any) -> str:
    """The plain text of a wiki string or an ADF document."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        return body.get("text", "") + " ".join(plain_text(c) for c in body.get("content", []))
    return ""
