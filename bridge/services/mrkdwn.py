"""Text for Slack's mrkdwn, shared by the escalation's message and ``/escalate status``.

Customer text is shown as typed, never read as markup: Slack takes ``<...>`` for a link, a
mention or ``<!channel>``, and ``&`` for the start of an entity, so those three are escaped.
"""

from __future__ import annotations

from typing import Any

from bridge.domain.enums import ReasonCategory
from bridge.services.block_text import cut

# One answer longer than this is cut: the message is read at a glance, and a section's text
# must stay under Slack's 3,000 characters.
LONGEST_ANSWER = 300
NOT_ANSWERED = "not answered"
CONTACT_FIELDS = ("phone", "email", "hours_of_availability")
# A helpdesk ticket's whole description can be the reason: more of it is kept than of an answer.
LONGEST_REASON = 1000
# The reasons a person picks (rule 3), as the triage form offers them and the message shows them.
REASON_LABELS: dict[ReasonCategory, str] = {
    ReasonCategory.RECURRING_HIGH_PRIORITY_INCIDENTS: "Recurring high-priority incidents",
    ReasonCategory.DATA_LOSS: "Data loss or risk of it",
    ReasonCategory.REPUTATION_RISK: "Risk to reputation",
    ReasonCategory.RESOLVED_PROBLEM_RECURRING: "A resolved problem came back",
    ReasonCategory.NOT_UNDERSTOOD: "Support did not understand the problem",
    ReasonCategory.UNSATISFACTORY_REPLY: "Reply unsatisfactory",
    ReasonCategory.NOT_HANDLED_WITH_URGENCY: "Not handled with urgency",
    ReasonCategory.PRODUCTION_DOWN_DURING_UPGRADE: "Production down during an upgrade",
    ReasonCategory.CRITICAL_BUSINESS_IMPACT: "Critical business impact",
}
REASON_SHOWN = {**REASON_LABELS, ReasonCategory.SLA_BREACH: "SLA breached"}


def inert(text: object) -> str:
    """Outside text (a customer's, a helpdesk's) as Slack shows it and never acts on: no
    ``<!channel>``, ``<@U…>`` or ``<https://…|disguised>`` link can form. Our own mrkdwn
    around it keeps working. Every piece of outside text bound for Slack goes through here."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(who: str) -> str:
    """A Slack user id as a mention, which Slack shows as the person's display name; any other
    name (typed into the API, a helpdesk's agent) as inert text."""
    return f"<@{who}>" if who[:1] in ("U", "W") and who.isalnum() and who.isupper() else inert(who)


def escaped(text: str, longest: int = LONGEST_ANSWER) -> str:
    """``inert``, cut to ``longest`` characters with "…"."""
    return inert(cut(text, longest))


def _answer(value: Any) -> str:
    if value is None or value == "":
        return NOT_ANSWERED
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escaped(str(value))


def triage_lines(shown: dict[str, Any]) -> list[str]:
    """The triage answers (as ``answers.shown_triage`` gives them): impact, go-live, contact."""
    impact = (
        f"*Production down:* {_answer(shown.get('production_down'))} · "
        f"*Users affected:* {_answer(shown.get('users_affected'))} · "
        f"*Financial loss:* {_answer(shown.get('anticipated_financial_loss'))}"
    )
    due, effect = shown.get("go_live_or_upgrade_date"), shown.get("go_live_effect")
    go_live = f"*Go-live:* {_answer(due)}" if due else "*Go-live:* none at stake"
    if due and effect:
        go_live += f", {_answer(effect)}"
    contact = shown.get("contact") or {}
    reach = [_answer(contact.get(name)) for name in CONTACT_FIELDS if contact.get(name)]
    return [impact, go_live, f"*Contact:* {' · '.join(reach) or NOT_ANSWERED}"]


def reason_line(shown: dict[str, str]) -> str:
    """Why the escalation was asked for: the reason picked and, as typed, what happened."""
    label = REASON_SHOWN.get(ReasonCategory(shown["category"]), shown["category"])
    text = shown.get("text", "").strip()
    return f"*Why escalated:* {label}" + (f": {escaped(text, LONGEST_REASON)}" if text else "")
