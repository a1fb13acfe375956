"""The escalation's head message in Block Kit: the facts, the triage answers, the SLA clocks,
the links, the buttons."""

from __future__ import annotations

from typing import Any

from bridge import catalogue
from bridge.services.block_text import header, mrkdwn, section, section_fields
from bridge.services.mrkdwn import inert, mention, reason_line, triage_lines

BUTTONS = tuple(
    (declared.name, declared.label, declared.style)
    for declared in catalogue.offered_on(catalogue.Surface.BUTTON)
)
# The "More steps" menu: the procedure's other steps, each opening its form.
MORE_STEPS = tuple(
    (declared.name, declared.label) for declared in catalogue.offered_on(catalogue.Surface.MENU)
)
_FACTS = (
    ("engineer", "Engineer"),
    ("customer", "Customer"),
    ("requester", "Requester"),
    ("severity", "Severity"),
    ("classification", "Classification"),
    ("level", "Level"),
    ("state", "State"),
)


def _link(item: Any) -> str:
    if isinstance(item, dict):
        return f"<{item['url']}|{item['key']}>" if item.get("url") else str(item.get("key", ""))
    return str(item)


def fallback_text(escalation_id: str, summary: dict[str, Any]) -> str:
    """The notification's text: the ticket, its subject and customer, severity and
    classification."""
    ticket = " ".join(str(summary.get(name) or "") for name in ("ticket", "title")).strip()
    customer = f" for {summary['customer']}" if summary.get("customer") else ""
    rated = [f"severity {summary.get('severity', '?')}"]
    rated += [str(summary["classification"])] if summary.get("classification") else []
    said = f"Escalation {escalation_id}: ticket {ticket or '?'}{customer} ({', '.join(rated)})"
    return inert(said)


def _fact(name: str, value: object) -> str:
    return mention(str(value)) if name == "engineer" else inert(value)


def escalation_blocks(escalation_id: str, summary: dict[str, Any]) -> list[dict[str, Any]]:
    # The helpdesk's ticket id, subject and organisation are outside text (docs/security.md).
    ticket = inert(summary.get("ticket", ""))
    url = summary.get("ticket_url")
    title = f"Ticket <{inert(url)}|{ticket}>" if url else ticket
    blocks: list[dict[str, Any]] = [
        header(f"Escalation {escalation_id}"),
        section(f"*{title}*  {inert(summary.get('title', ''))}".strip()),
    ]
    facts = [
        f"*{label}:* {_fact(name, summary[name])}" for name, label in _FACTS if summary.get(name)
    ]
    if facts:
        blocks.append(section_fields(facts))
    if summary.get("reason"):
        blocks.append({**section(reason_line(summary["reason"])), "block_id": "reason"})
    if summary.get("triage"):
        triage = "\n".join(["*Triage*", *triage_lines(summary["triage"])])
        blocks.append({**section(triage), "block_id": "triage"})
    due = summary.get("sla_due") or {}
    if due:
        clocks = " · ".join(f"{name}: {when}" for name, when in due.items())
        blocks.append({"type": "context", "elements": [mrkdwn(f":alarm_clock: {clocks}")]})
    links = [f"SPAR {_link(summary['spar'])}" if summary.get("spar") else ""]
    links.append(f"AR {_link(summary['ar'])}" if summary.get("ar") else "")
    if any(links):
        blocks.append(section("  ".join(x for x in links if x)))
    shown = summary.get("buttons")
    buttons = [
        {
            "type": "button",
            "action_id": f"escalation.{role}",
            "text": {"type": "plain_text", "text": label},
            "value": escalation_id,
            **({"style": style} if style else {}),
        }
        for role, label, style in BUTTONS
        if shown is None or role in shown
    ]
    if shown is None:
        options = [
            {"text": {"type": "plain_text", "text": label}, "value": f"{step}:{escalation_id}"}
            for step, label in MORE_STEPS
        ]
        more = {
            "type": "static_select",
            "action_id": "escalation.more",
            "placeholder": {"type": "plain_text", "text": "More steps…"},
            "options": options,
        }
        buttons.append(more)
    if buttons:
        blocks.append({"type": "actions", "block_id": "escalation", "elements": buttons})
    return blocks


def reply_blocks(text: str, buttons: list[dict[str, str]]) -> list[dict[str, Any]]:
    """A thread reply with buttons (a developer's comment and its *Share with customer*): the
    text as a section, cut to Slack's limit, then the buttons. No buttons: plain text only."""
    if not buttons:
        return []
    elements = [
        {
            "type": "button",
            "action_id": button["action_id"],
            "text": {"type": "plain_text", "text": button["text"]},
            "value": button["value"],
        }
        for button in buttons
    ]
    return [section(text), {"type": "actions", "block_id": "reply", "elements": elements}]
