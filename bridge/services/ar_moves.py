"""An AR keeps its link when it moves: events are matched by the tracker's immutable id first.

A Jira issue moved to another project gets a new key (``DEV-7`` becomes ``OPS-1``) but keeps its
id; a GitHub issue keeps its id when its repository is renamed (a transfer to another
repository is not followed: the connector writes in its own repository only). Every event
about an issue carries the id beside the key (``ar_identity``): the first one teaches the
bridge the id of an AR it knew by key only, and one naming a known id under a new key renames
the AR everywhere, so later events, the ship signal and the waiting list name it as it now is.
Each escalation waiting on it hears of the move.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import structlog

from bridge.domain.lifecycle import record_in_place
from bridge.services import effects
from bridge.services.collaborators import Service
from bridge.services.escalations import EscalationService
from bridge.services.json_body import as_object, objects_in
from bridge.services.mrkdwn import inert
from bridge.services.waiting import waiting_list
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore
from bridge.store.transactions import Transaction

log = structlog.get_logger(__name__)
MOVED_STEP = "ar_moved"


@dataclass(frozen=True)
class ArIdentity:
    """The issue an event is about: its key now, its immutable id, and, when the event itself
    says so, the key it had before (Jira's changelog ``Key`` item)."""

    key: str
    vendor_id: str
    previous_key: str = ""
    url: str = ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _id(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    return str(value) if isinstance(value, int | str) and str(value).strip() else ""


def jira_identity(payload: dict[str, Any]) -> ArIdentity | None:
    issue = as_object(payload.get("issue"))
    key, vendor_id = _text(issue.get("key")), _id(issue.get("id"))
    if not key or not vendor_id:
        return None
    previous = ""
    for item in objects_in(as_object(payload.get("changelog")).get("items")):
        if _text(item.get("field")).lower() == "key":
            previous = _text(item.get("fromString"))
    return ArIdentity(key, vendor_id, previous if previous != key else "")


def github_identity(event_type: str, payload: dict[str, Any]) -> ArIdentity | None:
    repo = _text(as_object(payload.get("repository")).get("full_name"))
    issue = as_object(payload.get("issue"))
    if not repo or not issue.get("number") or issue.get("pull_request"):
        return None
    key = f"{repo}#{issue['number']}"
    if event_type == "issues.transferred":
        # Another repository and number: the GitHub connector writes in its own repository
        # only, so a transferred AR is not followed (its waiting list would land elsewhere).
        return None
    vendor_id = _id(issue.get("id"))
    if not vendor_id:
        return None
    return ArIdentity(key, vendor_id, url=_text(issue.get("html_url")))


def ar_identity(source: str, event_type: str, payload: dict[str, Any]) -> ArIdentity | None:
    if source == "jira":
        return jira_identity(payload)
    if source == "github" and event_type.startswith(("issues.", "issue_comment.")):
        return github_identity(event_type, payload)
    return None


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
        self.outbox.add(session, waiting_list(session, self.settings, system, new, step, now), now)
