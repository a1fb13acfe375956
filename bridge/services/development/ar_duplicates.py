"""A duplicate moves the waiting customers to the surviving issue.

Development resolves an AR as a duplicate of another issue (Jira: resolution "Duplicate" with a
"duplicates" link; GitHub: closed as duplicate, with a "Duplicate of #N" comment before or
after). Every escalation waiting on the closed AR then waits on the surviving issue: it is
listed in that issue's waiting list, hears what development says there, and is told when that
issue ships. Its timeline, its Slack thread and an internal note on its ticket say so. When the
surviving issue cannot be told, nothing moves: the plan is flagged for renegotiation as before,
and the thread says why (``ar_voice.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import structlog

from bridge.domain.lifecycle import record_in_place
from bridge.services import effects
from bridge.services.ar_events import ArEvent
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.waiting import waiting_list
from bridge.services.json_body import as_object, parse_json
from bridge.services.mrkdwn import inert
from bridge.services.readings import TrackerEvents
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore
from bridge.store.transactions import Transaction

log = structlog.get_logger(__name__)
MOVED_STEP = "ar_duplicate"


def why_no_survivor(event: ArEvent) -> str:
    """Why the waiting customers stay on a duplicate AR, for the thread and the timeline."""
    return event.survivor_hint or "the tracker does not name the surviving issue"


def moved_text(event: ArEvent, survivor: str) -> str:
    who = event.author or "a developer"
    return (
        f"{who} resolved {event.system}:{event.key} as a duplicate of {event.system}:{survivor}: "
        f"this ticket now waits on {event.system}:{survivor} and hears of its fix."
    )


class Duplicates(Service):
    def __init__(
        self, collaborators: Collaborators, readers: Mapping[str, TrackerEvents] | None = None
    ) -> None:
        super().__init__(collaborators)
        self._readers = readers or {}

    def survivor(self, event: ArEvent) -> str:
        """The surviving issue: named by the event, or by an earlier comment on the AR where
        the tracker names it so (GitHub's "Duplicate of #12")."""
        reader = self._readers.get(event.system)
        if event.survivor or reader is None:
            return event.survivor if event.survivor != event.key else ""
        with self.transactions() as session:
            bodies = ArLinks(session).comment_bodies(event.system, event.key)
        for body in bodies:
            found = reader.duplicate_named(event.key, as_object(parse_json(body)))
            if found and found != event.key:
                return found
        return ""

    def move(self, event: ArEvent, survivor: str, now: dt.datetime) -> int:
        """Move every escalation waiting on ``event.key`` to ``survivor``; returns how many
        open escalations heard of it (none for a delivery seen before)."""
        system, step = event.system, f"ar:{event.system}:{event.key}:{event.event_id}"
        told = 0
        with self.transactions.begin() as session:
            moved = ArLinks(session).move_waiting(
                system, event.key, survivor, event.survivor_id, now
            )
            for escalation_id in moved:
                told += self._tell(session, escalation_id, event, survivor, step, now)
            if moved:
                planned = [
                    waiting_list(session, self.pages, system, survivor, step, now),
                    waiting_list(session, self.pages, system, event.key, step, now),
                ]
                self.outbox.plan(session, planned, now)
        log.info("ar_duplicates.moved", system=system, escalations=len(moved))
        return told

    def _tell(
        self,
        session: Transaction,
        escalation_id: int,
        event: ArEvent,
        survivor: str,
        step: str,
        now: dt.datetime,
    ) -> int:
        store = EscalationStore(session)
        loaded = store.load(escalation_id)
        if loaded is None or not loaded.escalation.is_open:
            return 0
        escalation, row = loaded.escalation, loaded.ticket_row
        said = moved_text(event, survivor)
        cause = f"{event.system}:{survivor}"
        actor = event.author or event.system
        record_in_place(escalation, MOVED_STEP, actor=actor, cause=cause, now=now, note=said)
        store.save(escalation, now)
        who = inert(event.author or "a developer")
        text = (
            f"{who} resolved {event.system}:{inert(event.key)} as a duplicate of "
            f"{event.system}:{inert(survivor)}: this ticket now waits on "
            f"{event.system}:{inert(survivor)} and hears of its fix."
        )
        self.outbox.add(session, effects.thread_reply(escalation.id, step, text=text), now)
        if self.configured(row.helpdesk):
            note = effects.helpdesk_note(
                row.helpdesk, row.external_id, step, text=said, outside=True
            )
            self.outbox.add(session, note, now)
        return 1
