"""What people read of an escalation wherever the bridge writes it (the Slack message and
thread, the daily digest, the SPAR and AR, the AR's waiting list): the customer's organisation
by name, the requester, the ticket's subject and the helpdesk's agent view of it, the severity
and the triage's classification in words, the engineer by name.

Names come from ``known_names`` only, read in the caller's transaction: the worker looks them
up (``services/showing/names.py``) and nothing here asks a vendor, so a slow Slack or helpdesk never
holds a side effect up. An id is shown until its name is known, never an empty label. Every
value here is outside text; each writer neutralises it for its destination."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bridge.domain.clocks import describe, latest
from bridge.domain.records import Escalation, Ticket
from bridge.domain.sla import SlaClock
from bridge.services.answers import shown_triage
from bridge.services.pages import Pages
from bridge.services.showing.names import is_slack_user_id
from bridge.store.names import SLACK_PERSON, known_names, organisation_system, requester_system
from bridge.store.transactions import Transaction

CLASSIFICATIONS = {"urgent": "Urgent", "high_priority": "High Priority"}
SEVERITY_WORDS = {1: "critical", 2: "major", 3: "minor", 4: "cosmetic"}


def classification_label(value: str | None) -> str:
    """``Urgent`` or ``High Priority``; empty when triage classified nothing."""
    return CLASSIFICATIONS.get(value or "", value or "")


def severity_label(severity: int | str) -> str:
    """``3 (minor)``: the number support sets and the word for it."""
    word = SEVERITY_WORDS.get(int(severity)) if str(severity).isdigit() else None
    return f"{severity} ({word})" if word else str(severity)


@dataclass(frozen=True)
class TicketNamed:
    """A ticket's identity as stored: its helpdesk, id, subject, organisation and requester
    (either may be a bare vendor id when the helpdesk's event named it so)."""

    helpdesk: str
    ticket: str
    subject: str = ""
    organisation: str = ""
    requester: str = ""
    severity: int | None = None

    @classmethod
    def of(cls, helpdesk: str, ticket: Ticket) -> TicketNamed:
        return cls(
            helpdesk,
            ticket.external_id,
            ticket.subject or "",
            ticket.organisation or "",
            ticket.requester or "",
            int(ticket.severity),
        )


@dataclass(frozen=True)
class ShownTicket:
    helpdesk: str
    ticket: str
    subject: str
    url: str | None  # the helpdesk's agent view; None when the helpdesk is not configured
    customer: str  # the organisation's name, else its id as stored, else ""
    requester: str
    severity: int | None = None

    @property
    def label(self) -> str:
        """``100 Export fails for large files``: the ticket as people name it."""
        return f"{self.ticket} {self.subject}".strip()

    @property
    def who(self) -> str:
        """``Customer Corp (casey@customer.example)``: whose ticket it is."""
        if self.customer and self.requester:
            return f"{self.customer} ({self.requester})"
        return self.customer or self.requester


def shown_tickets(
    session: Transaction, pages: Pages, tickets: Iterable[TicketNamed]
) -> list[ShownTicket]:
    """Each ticket as people read it, in order; one read of ``known_names`` per helpdesk and
    kind, whatever the number of tickets."""
    tickets = list(tickets)
    organisations: dict[str, dict[str, str]] = {}
    requesters: dict[str, dict[str, str]] = {}
    for helpdesk in {t.helpdesk for t in tickets}:
        mine = [t for t in tickets if t.helpdesk == helpdesk]
        ids = {t.organisation for t in mine if t.organisation.isdigit()}
        organisations[helpdesk] = known_names(session, organisation_system(helpdesk), ids)
        asked = {t.requester for t in mine if t.requester.isdigit()}
        requesters[helpdesk] = known_names(session, requester_system(helpdesk), asked)
    return [
        ShownTicket(
            helpdesk=t.helpdesk,
            ticket=t.ticket,
            subject=t.subject,
            url=pages.ticket(t.helpdesk, t.ticket),
            customer=organisations[t.helpdesk].get(t.organisation, t.organisation),
            requester=requesters[t.helpdesk].get(t.requester, t.requester),
            severity=t.severity,
        )
        for t in tickets
    ]


def shown_ticket(session: Transaction, pages: Pages, ticket: TicketNamed) -> ShownTicket:
    [shown] = shown_tickets(session, pages, [ticket])
    return shown


def person_names(session: Transaction, people: Iterable[str]) -> dict[str, str]:
    """``{Slack user id: display name}`` for text that leaves Slack (a SPAR, an AR, an
    email), where a mention would not render; Slack text mentions instead (``mrkdwn.mention``)."""
    wanted = sorted({who for who in people if who and is_slack_user_id(who)})
    return known_names(session, SLACK_PERSON, wanted) if wanted else {}


def person_name(session: Transaction, who: str) -> str:
    """The remembered display name of a Slack user id, else ``who`` as it is."""
    return person_names(session, [who]).get(who, who)


def head_summary(
    escalation: Escalation,
    shown: ShownTicket,
    clocks: list[SlaClock],
    records: dict[str, dict[str, str]],
    now: dt.datetime,
) -> dict[str, Any]:
    """What the Slack head message shows (see connectors/slack/blocks.py); plain values only.
    The engineer stays a Slack id: the message mentions them and Slack shows their name."""
    due = {
        kind.value: describe(clock, now)
        for kind, clock in latest(clocks).items()
        if escalation.is_open  # a closed escalation's clocks say nothing any more
    }
    classification = escalation.classification.value if escalation.classification else None
    return {
        "ticket": shown.ticket,
        "ticket_url": shown.url,
        "engineer": escalation.engineer,
        "title": shown.subject,
        "customer": shown.customer,
        "requester": shown.requester,
        "severity": severity_label(shown.severity) if shown.severity is not None else None,
        "classification": classification_label(classification) or None,
        "level": int(escalation.level),
        "state": escalation.state.value,
        "sla_due": due,
        "triage": shown_triage(escalation.triage),
        "reason": {"category": escalation.reason.value, "text": escalation.reason_text},
        # A closed (or de-escalated) escalation offers no more steps on its message.
        **({} if escalation.is_open else {"buttons": []}),
        **records,
    }
