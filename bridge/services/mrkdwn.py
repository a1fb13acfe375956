"""Text for Slack's mrkdwn, shared by the escalation's message and ``/escalate status``.

Customer text is shown as typed, never read as markup: Slack takes ``<...>`` for a link, a
mention or ``<!channel>``, and ``&`` for the start of an entity, so those three are escaped.
"""

from __future__ import annotations

from typing import Any

# One answer longer than this is cut: the message is read at a glance, and a section's text
# must stay under Slack's 3,000 characters.
LONGEST_ANSWER = 300
NOT_ANSWERED = "not answered"
CONTACT_FIELDS = ("phone", "email", "hours_of_availability")


def inert(text: object) -> str:
    """Outside text (a customer's, a helpdesk's) as Slack shows it and never acts on: no
    ``<!channel>``, ``<@U…>`` or ``<https://…|disguised>`` link can form. Our own mrkdwn
    around it keeps working. Every piece of outside text bound for Slack goes through here."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped(text: str, longest: int = LONGEST_ANSWER) -> str:
    """``inert``, cut to ``longest`` characters with "…"."""
    return inert(text if len(text) <= longest else text[: longest - 1] + "…")


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
