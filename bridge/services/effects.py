"""The vocabulary of side effects: what the workflow may ask a connector to do.

Services build these and add them to the outbox in the same transaction as their decision; the
connector registered for ``target`` performs them. The idempotency key is derived from the record
and the step, so planning the same step twice plans one side effect.

Targets are connector keys (``slack``, ``jira``, ``github``, ``zendesk``, ``freshdesk``, ``email``).
Payloads are plain JSON; no vendor type appears here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bridge.store.outbox import SideEffect

CHAT = "slack"
# What the customer sees: a public reply on their ticket, or a mail to them.
CUSTOMER_OPERATIONS = frozenset({"public_reply", "send"})


def reaches_customer(effect: SideEffect) -> bool:
    return effect.operation in CUSTOMER_OPERATIONS


def escalation_message(
    escalation_id: str, step: str, *, channel: str, summary: dict[str, Any]
) -> SideEffect:
    """Create or refresh the one head message of an escalation (Block Kit, with buttons)."""
    return SideEffect(
        f"chat:{escalation_id}:head:{step}",
        CHAT,
        "upsert_escalation_message",
        {"escalation_id": escalation_id, "channel": channel, "summary": summary},
    )


def thread_reply(
    escalation_id: str,
    step: str,
    *,
    text: str,
    mention: list[str] | None = None,
    buttons: list[dict[str, str]] | None = None,
) -> SideEffect:
    """A reply in the escalation's thread (after its head message exists); each of ``buttons``
    (``action_id``, ``text``, ``value``) is pressed back through the Slack listeners."""
    payload: dict[str, Any] = {
        "escalation_id": escalation_id,
        "text": text,
        "mention": mention or [],
    }
    if buttons:
        payload["buttons"] = buttons
    return SideEffect(f"chat:{escalation_id}:reply:{step}", CHAT, "thread_reply", payload)


def direct_message(key: str, *, user: str, text: str) -> SideEffect:
    return SideEffect(f"chat:dm:{key}:{user}", CHAT, "direct_message", {"user": user, "text": text})


def channel_post(
    key: str, *, channel: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> SideEffect:
    return SideEffect(
        f"chat:post:{key}",
        CHAT,
        "channel_post",
        {"channel": channel, "text": text, "blocks": blocks or []},
    )


def tracker_record(
    target: str, escalation_id: str, kind: str, *, spec: dict[str, Any], spar_id: str = ""
) -> SideEffect:
    """File the SPAR (``kind="spar"``) or the AR (``kind="ar"``) in Jira or GitHub."""
    return SideEffect(
        f"{target}:{escalation_id}:{kind}:create",
        target,
        "create_record",
        {"escalation_id": escalation_id, "kind": kind, "spec": spec, "spar_id": spar_id},
    )


def tracker_comment(target: str, ref: str, step: str, *, text: str, quote: str = "") -> SideEffect:
    """A comment on a tracker record; ``quote`` is someone else's words (the customer's), which
    the connector sets apart in its tracker's markup so that nothing in them is markup."""
    payload = {"ref": ref, "text": text, **({"quote": quote} if quote else {})}
    return SideEffect(f"{target}:{ref}:comment:{step}", target, "comment", payload)


def tracker_move(target: str, ref: str, step: str, *, status: str) -> SideEffect:
    """Move a tracker record; ``step`` names why, so a record reopened and closed again moves
    again."""
    return SideEffect(
        f"{target}:{ref}:move:{status}:{step}",
        target,
        "move_to",
        {"ref": ref, "status": status},
    )


def tracker_waiting_list(
    target: str, ref: str, step: str, *, tickets: list[dict[str, str]], as_of: str
) -> SideEffect:
    """Create or edit the one comment on an AR that lists the tickets waiting on it. The key
    names the AR, the change (``step``) and the content, so a replayed change plans nothing;
    ``as_of`` lets the connector keep a later list over an earlier one performed late."""
    digest = hashlib.sha256(json.dumps(tickets, sort_keys=True).encode()).hexdigest()[:16]
    return SideEffect(
        f"{target}:{ref}:waiting:{step}:{digest}",
        target,
        "upsert_waiting_list",
        {"ref": ref, "tickets": tickets, "digest": digest, "as_of": as_of},
    )


def helpdesk_note(
    target: str, ticket: str, step: str, *, text: str, public: bool = False, outside: bool = False
) -> SideEffect:
    """An internal note (or, with ``public``, a reply the customer sees) on the helpdesk ticket;
    ``outside`` marks the text as someone else's words (a developer's comment), which the
    connector writes inert in its helpdesk's markup."""
    operation = "public_reply" if public else "internal_note"
    payload = {"ticket": ticket, "text": text, **({"outside": True} if outside else {})}
    return SideEffect(f"{target}:{ticket}:{operation}:{step}", target, operation, payload)


def helpdesk_fields(target: str, ticket: str, step: str, *, fields: dict[str, Any]) -> SideEffect:
    return SideEffect(
        f"{target}:{ticket}:fields:{step}",
        target,
        "set_fields",
        {"ticket": ticket, "fields": fields},
    )


def helpdesk_solve(target: str, ticket: str, step: str) -> SideEffect:
    """Set the ticket solved (Zendesk "solved", Freshdesk "Resolved") once the customer accepts."""
    return SideEffect(f"{target}:{ticket}:solve:{step}", target, "solve", {"ticket": ticket})


def email(key: str, *, to: str, template: str, context: dict[str, Any]) -> SideEffect:
    return SideEffect(
        f"email:{key}:{to}", "email", "send", {"to": to, "template": template, "context": context}
    )
