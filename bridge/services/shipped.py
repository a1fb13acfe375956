"""The fix shipped: every escalation waiting on the AR hears of it, each exactly once.

A GitHub or Jira delivery becomes a ShipSignal (``signals.py``); the configured mapping says
whether it means "fix available" (the customer is notified, with Accept / Still broken links) or
only "fixed in code" (support is told). One AR may serve many tickets: each escalation linked to
it is handled in its own transaction, and the notice row's unique key makes a duplicated or
re-ordered delivery send nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import structlog
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from bridge import effects
from bridge.config.policy import ResolutionConfig, ShippedSignals
from bridge.json_body import parse_json
from bridge.processing import Outcome
from bridge.runtime import Runtime, utcnow
from bridge.services import signals
from bridge.services.notify import notify_waiting
from bridge.store import tables
from bridge.store.known_ars import KnownArs
from bridge.store.tables import InboxRow
from bridge.store.upsert import insert_if_absent

log = structlog.get_logger(__name__)


def resolution(runtime: Runtime) -> ResolutionConfig:
    return runtime.settings.resolution


def mapping(runtime: Runtime) -> ShippedSignals:
    return resolution(runtime).signals


def link_to_ar(
    session: Session, escalation_id: int, system: str, key: str, now: dt.datetime
) -> bool:
    """Mark an escalation as waiting on an AR (the same problem as another ticket's)."""
    values = {
        "system": system,
        "external_key": key,
        "escalation_id": escalation_id,
        "created_at": now,
    }
    return insert_if_absent(
        session, tables.ActionRequestLink, values, ["system", "external_key", "escalation_id"]
    )


def join_ar(
    runtime: Runtime, escalation_id: int, *, system: str, key: str, by: str, now: dt.datetime
) -> bool:
    """Another ticket has the same problem: its escalation waits on the AR too, and hears of
    the fix with the others. False if it was waiting already."""
    with runtime.sessions.begin() as session:
        if not link_to_ar(session, escalation_id, system, key, now):
            return False
        text = f"Same problem as {system}:{key}: this ticket hears of its fix ({by})."
        runtime.outbox.add(
            session,
            effects.thread_reply(str(escalation_id), f"joins:{system}:{key}", text=text),
            now,
        )
    return True


def _seed_links(session: Session, system: str, keys: tuple[str, ...], now: dt.datetime) -> None:
    """The escalation that filed an AR waits on it too."""
    filed = session.execute(
        select(tables.ActionRequest.escalation_id, tables.ActionRequest.external_key).where(
            tables.ActionRequest.kind == "ar",
            tables.ActionRequest.system == system,
            tables.ActionRequest.external_key.in_(keys),
        )
    )
    for escalation_id, key in filed:
        link_to_ar(session, escalation_id, system, key, now)


def waiting_on(
    session: Session, signal: signals.ShipSignal, now: dt.datetime
) -> list[tuple[int, str]]:
    """(escalation id, AR key) of every escalation the signal concerns, oldest first."""
    links = tables.ActionRequestLink
    if signal.keys:
        _seed_links(session, signal.system, signal.keys, now)
        match: ColumnElement[bool] = links.external_key.in_(signal.keys)
    else:
        match = links.fix_version == signal.version
    rows = session.execute(
        select(links.escalation_id, links.external_key)
        .where(links.system == signal.system, match)
        .order_by(links.escalation_id)
    )
    return [(escalation_id, key) for escalation_id, key in rows]


def remember_fix_versions(
    session: Session, key: str, versions: list[str], now: dt.datetime, system: str = "jira"
) -> None:
    """An AR's fix version (a GitHub milestone counts as one), so that releasing the version,
    or closing the milestone, finds the AR."""
    if not key or not versions:
        return
    _seed_links(session, system, (key,), now)
    links = tables.ActionRequestLink
    # One version per AR is what the bridge acts on: the latest one the tracker reported.
    session.execute(
        update(links)
        .where(links.system == system, links.external_key == key)
        .where(or_(links.fix_version.is_(None), links.fix_version != versions[-1]))
        .values(fix_version=versions[-1])
    )


def _project(signal: signals.ShipSignal, key: str) -> str:
    """The project a mapping is keyed by. Jira's version events name their project by numeric
    id only; the AR's key ("DEV-7") names it as bridge.yaml does."""
    return key.rsplit("-", 1)[0] if signal.system == "jira" else signal.project


def apply(runtime: Runtime, signal: signals.ShipSignal, now: dt.datetime) -> int:
    """Handle one signal; returns how many escalations it concerned."""
    with runtime.sessions.begin() as session:
        waiting = waiting_on(session, signal, now)
    concerned = 0
    for escalation_id, key in waiting:
        meaning = mapping(runtime).meaning(signal.signal, _project(signal, key))
        if meaning is None:
            log.info("shipped.signal_not_mapped", signal=signal.signal, project=signal.project)
            continue
        concerned += 1
        notify_waiting(
            runtime,
            escalation_id,
            ar=f"{signal.system}:{key}",
            ref=signal.ref,
            available=meaning == "fix_available",
            now=now,
        )
    log.info("shipped.signal_applied", signal=signal.signal, escalations=concerned)
    return concerned


class ShippedProcessor:
    """Inbox processor for ``github`` and ``jira`` deliveries."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._known_ars = KnownArs(runtime.engine)

    def __call__(self, row: InboxRow) -> Outcome:
        payload = parse_json(row.body)
        now = utcnow()
        connector = self.runtime.connectors.get(row.source)
        if connector is not None and connector.is_own_write(payload):
            log.info("shipped.own_write_ignored", row_id=row.id, source=row.source)
            return "ignored"  # our own change coming back: never re-applied
        if row.source != "jira":
            return self._github(row.event_type, payload, now)
        return self._jira(row.event_type, payload, now)

    def _github(self, event_type: str, payload: dict[str, Any], now: dt.datetime) -> Outcome:
        key, milestone = "", []
        if event_type.startswith("issues."):
            key, milestone = signals.github_milestone(payload)
        signal = signals.from_github(event_type, payload)
        if not self._concerns_an_ar("github", key if milestone else "", [signal]):
            return "ignored"
        if milestone:
            with self.runtime.sessions.begin() as session:
                remember_fix_versions(session, key, milestone, now, system="github")
        return "done" if signal is not None and apply(self.runtime, signal, now) else "ignored"

    def _jira(self, event_type: str, payload: dict[str, Any], now: dt.datetime) -> Outcome:
        found = [signals.from_jira(event_type, payload)]
        key, versions = "", []
        if event_type.startswith("jira:issue_"):
            key, versions = signals.fix_versions(payload)
        if not self._concerns_an_ar("jira", key if versions else "", found):
            return "ignored"
        if versions:
            with self.runtime.sessions.begin() as session:
                remember_fix_versions(session, key, versions, now)
                found += [released_earlier(session, key, version) for version in versions]
        concerned = [apply(self.runtime, signal, now) for signal in found if signal is not None]
        return "done" if any(concerned) else "ignored"

    def _concerns_an_ar(
        self, system: str, key: str, found: list[signals.ShipSignal | None]
    ) -> bool:
        """Whether the delivery can touch an AR the bridge knows of: most of a repository's
        issue traffic is about issues nobody escalated, and one read settles those."""
        keyed = [signal for signal in found if signal is not None]
        if any(not signal.keys for signal in keyed):
            return True  # a released version or closed milestone: found by its links
        keys = {key, *(k for signal in keyed for k in signal.keys)} - {""}
        return self._known_ars.any_of(system, sorted(keys))


def released_earlier(session: Session, key: str, version: str) -> signals.ShipSignal | None:
    """Jira's deliveries come in any order: the version holding this AR may have been released
    before the AR's fix version reached us. The inbox remembers that release."""
    release = session.scalars(
        select(InboxRow.body)
        .where(
            InboxRow.source == "jira",
            InboxRow.event_type == "jira:version_released",
            InboxRow.record_key == f"version:{version}",
        )
        .limit(1)
    ).first()
    if release is None:
        return None
    signal = signals.from_jira("jira:version_released", parse_json(release))
    return replace(signal, keys=(key,)) if signal is not None else None


def register(runtime: Runtime) -> None:
    """The github and jira processors, and the ticks that follow a notice to closure."""
    from bridge.services import monitoring

    monitoring.register(runtime)
    processor = ShippedProcessor(runtime)
    for source in ("github", "jira"):
        runtime.processors.register(source, processor)
