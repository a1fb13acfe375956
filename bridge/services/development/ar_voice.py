"""Support hears what development says on an AR: every escalation waiting on it gets a
timeline entry, a reply in its Slack thread and an internal note on its ticket (never a public
reply: the customer is told only what support chooses to tell).

A resolution that undoes the plan (Won't Fix, Duplicate, Cannot Reproduce, GitHub's "not
planned") flags the escalation for its level's owners: the plan needs renegotiating. The thread
reply's key names the vendor's event id, so a repeated delivery is heard once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import structlog

from bridge.domain.lifecycle import record_in_place
from bridge.domain.plans import expect_fix
from bridge.domain.records import FixEta
from bridge.services import effects
from bridge.services.ar_events import COMMENT, ArEvent
from bridge.services.collaborators import Collaborators, Service
from bridge.services.development.ar_duplicates import Duplicates, why_no_survivor
from bridge.services.escalation.policy import Policy
from bridge.services.mrkdwn import escaped, inert
from bridge.services.readings import TrackerEvents
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore
from bridge.store.transactions import Transaction

log = structlog.get_logger(__name__)
LONGEST_COMMENT = 2000
RENEGOTIATE_STEP = "plan_needs_renegotiation"
SHARE_ACTION = "escalation.share_with_customer"
COMMENT_STEP = f"ar_{COMMENT}"


def share_button(escalation_id: str, step: str) -> dict[str, str]:
    """*Share with customer* under a developer's comment in the thread: its value names the
    escalation and the comment as the timeline keeps it (``ar_share.py``)."""
    return {
        "action_id": SHARE_ACTION,
        "text": "Share with customer",
        "value": f"{escalation_id}|{step}",
    }


def comment_of(note: str) -> tuple[str, str]:
    """A comment's timeline note split back into its heading ("dana commented on jira:DEV-7")
    and the developer's words."""
    heading, _, said = note.partition(":\n")
    return heading, said


def plain_text(event: ArEvent) -> str:
    """What the helpdesk's internal note and the timeline say (no markup of ours)."""
    who = event.author or "a developer"
    ar = f"{event.system}:{event.key}"
    if event.kind == COMMENT:
        return f"{who} commented on {ar}:\n{event.said[:LONGEST_COMMENT]}"
    if event.needs_renegotiation:
        return (
            f"{who} resolved {ar} as {event.said}: the accepted plan needs renegotiating "
            f"with development and the customer.{_staying(event)}"
        )
    return f"{who} changed the {event.kind} of {ar} to {event.said}."


def _staying(event: ArEvent) -> str:
    """A duplicate whose surviving issue is not known: why the customers wait where they do."""
    if not event.is_duplicate:
        return ""
    return f" The waiting customers stay on it: {why_no_survivor(event)}."


def slack_text(event: ArEvent) -> str:
    """The thread reply: the developer's words and values are outside text, made inert."""
    who = inert(event.author or "a developer")
    ar = f"{event.system}:{inert(event.key)}"
    if event.kind == COMMENT:
        quoted = "\n".join(f">{line}" for line in escaped(event.said, LONGEST_COMMENT).splitlines())
        return f"{who} commented on {ar}:\n{quoted}"
    if event.needs_renegotiation:
        return (
            f":warning: {who} resolved {ar} as *{inert(event.said)}*: the accepted plan needs "
            f"renegotiating with development and the customer.{_staying(event)}"
        )
    return f"{who} changed the {event.kind} of {ar} to *{inert(event.said)}*."


class ArVoice(Service):
    """Tells every escalation waiting on an AR what development did on it."""

    def __init__(
        self, collaborators: Collaborators, readers: Mapping[str, TrackerEvents] | None = None
    ) -> None:
        super().__init__(collaborators)
        self.duplicates = Duplicates(collaborators, readers)

    def hear(self, events: list[ArEvent], now: dt.datetime) -> int:
        """Handle the events of one delivery; returns how many escalations heard something."""
        heard = 0
        for event in events:
            survivor = self.duplicates.survivor(event) if event.is_duplicate else ""
            if survivor:
                heard += self.duplicates.move(event, survivor, now)
                continue
            with self.transactions.begin() as session:
                waiting = ArLinks(session).waiting_on(event.system, (event.key,), "", now)
            for escalation_id, _key in waiting:
                with self.transactions.begin() as session:
                    heard += self._tell(session, escalation_id, event, now)
        return heard

    def _tell(
        self, session: Transaction, escalation_id: int, event: ArEvent, now: dt.datetime
    ) -> int:
        store = EscalationStore(session)
        loaded = store.load(escalation_id)
        if loaded is None or not loaded.escalation.is_open:
            return 0  # a closed escalation waits on nothing any more
        escalation, row = loaded.escalation, loaded.ticket_row
        step = f"ar:{event.system}:{event.key}:{event.event_id}"
        mention = []
        if event.needs_renegotiation:
            mention = Policy(loaded.row.policy).level(escalation.level).owners
        buttons = [share_button(escalation.id, step)] if event.kind == COMMENT else []
        reply = effects.thread_reply(
            escalation.id, step, text=slack_text(event), mention=mention, buttons=buttons
        )
        if self.outbox.add(session, reply, now) is None:
            return 0  # heard already: the same vendor event delivered again
        said = plain_text(event)
        audit_step = RENEGOTIATE_STEP if event.needs_renegotiation else f"ar_{event.kind}"
        cause = step  # names the AR and the vendor's event: *Share with customer* finds it by it
        record_in_place(
            escalation,
            audit_step,
            actor=event.author or event.system,
            cause=cause,
            now=now,
            note=said,
        )
        store.save(escalation, now)
        if self.configured(row.helpdesk):
            note = effects.helpdesk_note(
                row.helpdesk, row.external_id, step, text=said, outside=True
            )
            self.outbox.add(session, note, now)
        log.info("ar_voice.heard", escalation_id=escalation.id, kind=event.kind)
        return 1

    def expect(self, system: str, key: str, eta: FixEta, now: dt.datetime) -> int:
        """Development dated the AR's fix version: every escalation waiting on it keeps the ETA
        (board, ``/escalate status``) and its thread hears it. The customer is not told: support
        offers the date when it chooses to."""
        with self.transactions.begin() as session:
            waiting = ArLinks(session).waiting_on(system, (key,), "", now)
        return sum(self._expect(escalation_id, eta, now) for escalation_id, _key in waiting)

    def expect_version(
        self, system: str, version: str, name: str, day: dt.date, now: dt.datetime
    ) -> int:
        """A fix version dated after the ARs were put in it: each AR's escalations hear it."""
        with self.transactions.begin() as session:
            waiting = ArLinks(session).waiting_on(system, (), version, now)
        return sum(
            self._expect(escalation_id, FixEta(f"{system}:{key}", name, day), now)
            for escalation_id, key in waiting
        )

    def _expect(self, escalation_id: int, eta: FixEta, now: dt.datetime) -> int:
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = store.load(escalation_id)
            system = eta.ar.split(":", 1)[0]
            if loaded is None or not loaded.escalation.is_open:
                return 0
            if not expect_fix(loaded.escalation, eta, actor=system, cause=eta.ar, now=now):
                return 0
            store.save(loaded.escalation, now)
            day = eta.release_date.isoformat()
            text = (
                f"Development expects the fix for {inert(eta.ar)} in {inert(eta.version)}, "
                f"release date {day}. The customer is not told unless support tells them."
            )
            step = f"eta:{eta.ar}:{eta.version}:{day}"
            reply = effects.thread_reply(loaded.escalation.id, step, text=text)
            self.outbox.plan(session, [reply], now)
            return 1
