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

import structlog

from bridge.domain.lifecycle import record_in_place
from bridge.services import effects
from bridge.services.ar_events import ArEvent, github_duplicate_of
from bridge.services.collaborators import Service
from bridge.services.json_body import as_object, parse_json
from bridge.services.mrkdwn import inert
from bridge.services.waiting import waiting_list
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore
from bridge.store.transactions import Transaction

log = structlog.get_logger(__name__)
MOVED_STEP = "ar_duplicate"


def why_no_survivor(event: ArEvent) -> str:
    """Why the waiting customers stay on a duplicate AR, for the thread and the timeline."""
    if event.system == "github":
        return (
            'no "Duplicate of #N" comment on it names the surviving issue in its repository; '
            "one written there moves the waiting customers to it"
        )
    return (
        'it has no single "duplicates" link naming the surviving issue; linking it to one '
        "moves the waiting customers to it"
    )


def moved_text(event: ArEvent, survivor: str) -> str:
    who = event.author or "a developer"
    return (
        f"{who} resolved {event.system}:{event.key} as a duplicate of {event.system}:{survivor}: "
        f"this ticket now waits on {event.system}:{survivor} and hears of its fix."
    )


class Duplicates(Service):
    def survivor(self, event: ArEvent) -> str:
        """The surviving issue: named by the event, or, on GitHub, by an earlier comment."""
        if event.survivor or event.system != "github":
            return event.survivor if event.survivor != event.key else ""
        repo = event.key.rsplit("#", 1)[0]
        with self.transactions() as session:
            bodies = ArLinks(session).comment_bodies("github", event.key)
        for body in bodies:
            comment = as_object(as_object(parse_json(body)).get("comment"))
            text = comment.get("body")
            found = github_duplicate_of(repo, text) if isinstance(text, str) else ""
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
                    waiting_list(session, self.settings, system, survivor, step, now),
                    waiting_list(session, self.settings, system, event.key, step, now),
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
