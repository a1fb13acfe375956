"""An AR keeps its link when it moves: events are matched by the tracker's immutable id first.

A Jira issue moved to another project gets a new key (``DEV-7`` becomes ``OPS-1``) but keeps its
id; a GitHub issue keeps its id when its repository is renamed (a transfer to another
repository is not followed: the connector writes in its own repository only). Every event
about an issue carries the id beside the key (``TrackerEvents.identity``): the first one teaches the
bridge the id of an AR it knew by key only, and one naming a known id under a new key renames
the AR everywhere, so later events, the ship signal and the waiting list name it as it now is.
Each escalation waiting on it hears of the move.
"""

from __future__ import annotations

import datetime as dt

import structlog

from bridge.domain.lifecycle import record_in_place
from bridge.services import effects
from bridge.services.ar_events import ArIdentity
from bridge.services.collaborators import Service
from bridge.services.escalation.escalations import EscalationService
from bridge.services.escalation.waiting import waiting_list
from bridge.services.mrkdwn import inert
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore
from bridge.store.transactions import Transaction

log = structlog.get_logger(__name__)
MOVED_STEP = "ar_moved"


class ArMoves(Service):
    """Keeps the AR's key current from the events that name it by id."""

    def follow(self, system: str, identity: ArIdentity, now: dt.datetime) -> bool:
        """Learn the id or follow a move; returns whether the bridge knows the issue (under
        its key now). Asked of every issue event: most are about issues nobody waits on,
        settled by one read."""
        previous = identity.previous_key
        with self.transactions() as session:
            rows = ArLinks(session).known_as(
                system, identity.vendor_id, [identity.key, *([previous] if previous else [])]
            )
        known = next((key for key, found in rows if found == identity.vendor_id), None)
        if known is None and previous in {key for key, _ in rows}:
            known = previous  # known by key only (linked before ids were kept): the old key
        learn = known is None and any(key == identity.key for key, _ in rows)
        if known == identity.key or (known is None and not learn):
            return known is not None
        with self.transactions.begin() as session:
            links = ArLinks(session)
            if known is None:
                links.remember_vendor_id(system, identity.key, identity.vendor_id)
                return True
            links.rename(system, known, identity.key, identity.vendor_id, identity.url or None)
            self._tell(session, system, known, identity.key, now)
        log.info("ar_moves.renamed", system=system)
        return True

    def _tell(
        self, session: Transaction, system: str, old: str, new: str, now: dt.datetime
    ) -> None:
        store = EscalationStore(session)
        step = f"moved:{system}:{old}:{new}"
        waiting = ArLinks(session).waiting_on(system, (new,), "", now)
        for escalation_id, _key in waiting:
            loaded = store.load(escalation_id)
            if loaded is None or not loaded.escalation.is_open:
                continue
            note = f"AR {system}:{old} moved: it is now {system}:{new}."
            record_in_place(
                loaded.escalation,
                MOVED_STEP,
                actor=system,
                cause=f"{system}:{new}",
                now=now,
                note=note,
            )
            store.save(loaded.escalation, now)
            text = f"AR {system}:{inert(old)} moved: it is now {system}:{inert(new)}."
            # The head message links the AR under its new key.
            head = EscalationService(self.collaborators).head_message(store, loaded, step, now)
            reply = effects.thread_reply(loaded.escalation.id, step, text=text)
            self.outbox.plan(session, [head, reply], now)
        self.outbox.add(session, waiting_list(session, self.pages, system, new, step, now), now)
