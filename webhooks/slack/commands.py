"""``/escalate``: parse the command text, answer at once, open the triage modal.

``/escalate <ticket> [reason]`` opens the modal; ``/escalate status <ticket>`` answers with the
escalation's state; ``/escalate list`` and ``/escalate mine`` list open escalations with their
SLA status; ``/escalate help`` shows usage. No escalation without a ticket (rule 1).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bridge.domain.clocks import describe, latest, shown
from bridge.domain.enums import EscalationState
from bridge.services.answers import shown_triage
from bridge.services.mrkdwn import inert, mention, triage_lines
from bridge.services.showing.shown import ShownTicket, classification_label, severity_label
from bridge.store.queries import EscalationView, OpenEscalation, TicketView

USAGE = (
    "*Usage*\n"
    "• `/escalate <ticket> [reason]`: escalate a helpdesk ticket (opens the triage form)\n"
    "• `/escalate status <ticket>`: state, level, triage answers, SLA and links of the ticket's "
    "escalation\n"
    "• `/escalate list`: open escalations, the most urgent first, with their next SLA due\n"
    "• `/escalate mine`: the open escalations you requested or are the engineer of\n"
    "• `/escalate help`: this message\n"
    "`<ticket>` is the helpdesk ticket number, e.g. `4521`, or `<helpdesk>:4521` to name the "
    "helpdesk."
)
ENDED = (EscalationState.CLOSED, EscalationState.DE_ESCALATED)
NO_TICKET = (
    "An escalation needs an existing ticket: name its number, e.g. `/escalate 4521 data loss`. "
    "Open a ticket in the helpdesk first if the customer has none."
)
LEVEL_NAMES = {1: "support manager", 2: "account manager", 3: "executive"}
TICKET_REF = re.compile(r"^(?:(?P<helpdesk>[a-z][a-z0-9_-]{1,31}):)?#?(?P<id>[\w.-]{1,128})$")


@dataclass(frozen=True)
class TicketRef:
    external_id: str
    helpdesk: str | None = None

    def __str__(self) -> str:
        return f"{self.helpdesk}:{self.external_id}" if self.helpdesk else self.external_id


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Refuse:
    text: str


@dataclass(frozen=True)
class Status:
    ticket: TicketRef


@dataclass(frozen=True)
class Listing:
    mine: bool


@dataclass(frozen=True)
class Escalate:
    ticket: TicketRef
    reason: str


def ticket_ref(word: str) -> TicketRef | None:
    """A ticket reference has a digit in it, so a reason's first word is never taken for one."""
    match = TICKET_REF.match(word)
    if match is None or not any(char.isdigit() for char in match["id"]):
        return None
    return TicketRef(match["id"], match["helpdesk"])


def parse_escalate(text: str) -> Help | Refuse | Status | Listing | Escalate:
    words = text.split()
    if not words or words[0].lower() == "help":
        return Help()
    if len(words) == 1 and words[0].lower() in ("list", "mine"):
        return Listing(mine=words[0].lower() == "mine")
    if words[0].lower() == "status":
        ref = ticket_ref(words[1]) if len(words) == 2 else None
        if ref is None:
            return Refuse("Say which ticket: `/escalate status <ticket>`.")
        return Status(ref)
    ref = ticket_ref(words[0])
    if ref is None:
        return Refuse(NO_TICKET)
    return Escalate(ref, " ".join(words[1:]))


def unknown_ticket(ref: TicketRef, matches: list[TicketView]) -> str | None:
    """The error to show when ``ref`` does not name exactly one ticket, else None."""
    if not matches:
        return (
            f"No ticket `{ref}` is known to the bridge. Check the number in the helpdesk; "
            "an escalation needs an existing ticket."
        )
    if len(matches) > 1:
        choices = ", ".join(f"`{ticket.ref}`" for ticket in matches)
        return f"`{ref}` names several tickets ({choices}); say which helpdesk."
    return None


def already_escalated(ticket: TicketView, escalation: EscalationView | None) -> str | None:
    """The refusal to show instead of a second escalation form while one is open, else None."""
    if escalation is None or escalation.state in ENDED:
        return None
    return f"Ticket {ticket.ref} is already escalated: escalation {escalation.id} is open."


def status_text(ticket: TicketView, escalation: EscalationView | None, now: dt.datetime) -> str:
    head = (
        f"*Ticket {inert(ticket.ref)}*: {inert(ticket.subject)} "
        f"(severity {severity_label(ticket.severity)}, {inert(ticket.status)})"
    )
    if escalation is None:
        return f"{head}\nNot escalated. Escalate it with `/escalate {ticket.ref} <reason>`."
    # A mention: Slack shows the display name; a name typed into the API stays text.
    engineer = mention(escalation.engineer) if escalation.engineer else "not assigned"
    lines = [
        head,
        f"Escalation #{escalation.id}: *{escalation.state}*, level {escalation.level} "
        f"({LEVEL_NAMES.get(escalation.level, 'unknown')}), "
        f"classified {classification_label(escalation.classification) or 'not yet triaged'}",
        f"Escalation engineer: {engineer}",
        f"Opened {escalation.opened_at:%Y-%m-%d %H:%M} UTC, "
        f"last change {escalation.updated_at:%Y-%m-%d %H:%M} UTC",
    ]
    answers = shown_triage(escalation.triage)
    if answers is not None:
        lines.extend(triage_lines(answers))
    for kind, clock in latest(escalation.clocks).items():
        lines.append(f"SLA {kind.value}: {describe(clock, now)}")
    if escalation.fix_eta is not None:
        eta = escalation.fix_eta
        lines.append(
            f"Fix expected: {inert(eta.version)} on {eta.release_date:%Y-%m-%d} "
            f"({inert(eta.ar)}); the customer is not told unless you tell them"
        )
    for link in escalation.links:
        target = f"<{link.url}|{link.external_key}>" if link.url else link.external_key
        lines.append(f"{link.kind.upper()} in {link.system}: {target} ({link.state})")
    return "\n".join(lines)


def listing_text(
    found: list[OpenEscalation],
    tickets: list[ShownTicket],
    *,
    mine: bool,
    now: dt.datetime,
    dead_letters: int = 0,
) -> str:
    """One line per escalation; ``tickets`` are their tickets as people name them, in order."""
    warning = (
        f"\n:warning: {dead_letters} side effect(s) of the bridge gave up (Slack posts, tracker "
        "or helpdesk writes): `support-bridge doctor` names the cause, then "
        "`support-bridge replay --dead`."
        if dead_letters
        else ""
    )
    if not found:
        return ("No open escalation is yours." if mine else "No escalation is open.") + warning
    title = "*Your open escalations*" if mine else "*Open escalations*, the most urgent first"
    lines = [title]
    for line, ticket in zip(found, tickets, strict=True):
        engineer = mention(line.engineer) if line.engineer else "no engineer yet"
        if line.next_due is None:
            sla = "no SLA clock running"
        elif line.next_due <= now:
            sla = f"*SLA overdue* since {line.next_due:%a %d %b %H:%M} UTC"
        else:
            sla = f"next SLA due {line.next_due:%a %d %b %H:%M} UTC"
        state = line.state.replace("_", " ")
        clocks = "; ".join(
            f"{kind.value} {shown(clock, now).value}" for kind, clock in latest(line.clocks).items()
        )
        about = " — ".join(inert(part) for part in (ticket.subject, ticket.customer) if part)
        lines.append(
            f"• #{line.id} `{inert(line.ticket)}`{' ' + about if about else ''}: {state}, "
            f"level {line.level}, {engineer}; {sla}" + (f" ({clocks})" if clocks else "")
        )
    return "\n".join(lines) + warning
