"""Catch-up: what a vendor sent while the bridge was down is found by asking its API.

GitHub never redelivers a failed webhook on its own, and Jira and Zendesk retry only briefly.
At start and every ``catch_up.every_minutes``, each connector with the ``catch_up`` feature is
asked what happened since its stored watermark; each event it names goes into the inbox like a
webhook, keyed by its content (the package's ``EventKeys``), so a webhook that did arrive and
its catch-up copy act once. The query reaches back ``OVERLAP`` before the watermark, so an event
the vendor stamped a little late (clocks differ) is not skipped; the inbox drops the repeats.

A run cut off at its page cap (``CutOff``) moves the watermark only to the vendor's time it
read up to; the source is then *behind*, and its next run, due at the next minute's tick,
goes on from exactly there (a vendor's own stamp needs no overlap, and reaching back could
fill every page of a busy account with what was read already). A listing the vendor gives only
newest first cannot be read on that way: a run whose such listing stopped at its cap before the
watermark names what it left unread (``CutOff.unread``), and is recorded as failing with it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence

import structlog

from bridge.services.inbound.sync_health import SyncHealth, sync_health
from bridge.services.ports import (
    CatchUpInParts,
    CatchUpSource,
    Connector,
    ConnectorError,
    CutOff,
    MissedEvent,
    Watching,
    has_feature,
)
from bridge.services.readings import EventKeys
from bridge.store.inbox import Delivery, Stored
from bridge.store.watermarks import Watermarks

log = structlog.get_logger(__name__)
FEATURE = "catch_up"
OVERLAP = dt.timedelta(minutes=5)


class CatchUp:
    def __init__(
        self,
        connectors: Mapping[str, Connector],
        watermarks: Watermarks,
        accept: Callable[[Sequence[Delivery]], list[Stored]],  # stored in one commit
        every: Callable[[], dt.timedelta | None],  # None: catch-up is switched off
        watching: Callable[[str], Watching] = lambda _source: Watching(),
    ) -> None:
        self._watching = watching
        self._connectors = connectors
        self._watermarks = watermarks
        self._accept = accept
        self._every = every

    def tick(self, now: dt.datetime) -> None:
        """The minute hook: catch up each source whose last run is ``every`` old."""
        self.run(now, only_due=True)

    def health(self) -> list[SyncHealth]:
        """Each source's last sync, last error and next run (``sync status``, doctor, metrics)."""
        return sync_health(self._watermarks, self._every())

    @property
    def interval(self) -> dt.timedelta | None:
        return self._every()

    def run(self, now: dt.datetime, *, only_due: bool = False) -> int:
        """Catch up every source (at start), or those due; the number of new deliveries."""
        every = self._every()
        if every is None:  # switched off
            return 0
        stored = 0
        for name, connector in self._connectors.items():
            if not has_feature(connector, FEATURE):
                continue
            source: CatchUpSource = connector  # type: ignore[assignment]
            mark = self._watermarks.get(name, source.catch_up_scope)
            if mark is None:
                # A new install starts from now: the past was never the bridge's to act on.
                self._watermarks.record(name, source.catch_up_scope, checked_at=now, seen_until=now)
                continue
            if only_due and not self._watermarks.claim_due(name, source.catch_up_scope, now, every):
                continue
            since = mark.seen_until if mark.behind else mark.seen_until - OVERLAP
            stored += self._catch_up(name, source, since, now)
        return stored

    def _catch_up(
        self, name: str, source: CatchUpSource, since: dt.datetime, now: dt.datetime
    ) -> int:
        scope = source.catch_up_scope
        watching = self._watching(name)
        keys: EventKeys | None = getattr(source, "events", None)  # its package's inbox keys
        found = fresh = 0
        seen_until, cut_off = now, False
        unread: list[str] = []
        awaiting = ""
        parts: Iterator[list[MissedEvent] | CutOff]
        try:
            if isinstance(source, CatchUpInParts):
                parts = source.missed_in_parts(since, watching)
            else:
                parts = iter([source.missed_since(since, watching)])
            for answer in parts:
                if isinstance(answer, CutOff):
                    missed, seen_until, cut_off = answer.events, min(answer.read_until, now), True
                    unread += answer.unread
                    awaiting = awaiting or answer.awaiting
                else:
                    missed = answer
                if missed:
                    stored = self._accept([self._delivery(event, keys) for event in missed])
                    found += len(missed)
                    fresh += sum(0 if delivery.duplicate else 1 for delivery in stored)
        except ConnectorError as exc:
            # The watermark stays: the next run asks again from the same point, and the inbox
            # drops the parts this one stored already.
            log.warning("catch_up.failed", source=name, scope=scope, error=exc.detail)
            self._watermarks.record(name, scope, checked_at=now, error=exc.detail)
            return fresh
        if awaiting:
            log.info("catch_up.awaiting", source=name, scope=scope, awaiting=awaiting)
        elif seen_until <= since:
            # Every page the run may read holds events of one moment: going on from there would
            # read the same pages again each minute. Said as a failure, so someone looks.
            error = f"more events than one run reads share {since:%Y-%m-%d %H:%M:%S}Z"
            log.warning("catch_up.stuck", source=name, scope=scope, at=since)
            self._watermarks.record(name, scope, checked_at=now, error=error)
            return fresh
        if unread:  # moved on past events no run can read: failing, with what was left unread
            log.warning("catch_up.unread", source=name, scope=scope, unread="; ".join(unread))
        self._watermarks.record(
            name,
            scope,
            checked_at=now,
            seen_until=seen_until,
            cut_off=cut_off,
            error="; ".join(unread),
        )
        if seen_until < now:
            log.info("catch_up.behind", source=name, scope=scope, read_until=seen_until)
        log.info("catch_up.done", source=name, scope=scope, found=found, new=fresh)
        return fresh

    @staticmethod
    def _delivery(event: MissedEvent, keys: EventKeys | None) -> Delivery:
        delivery_id = keys.content_key(event.event_type, event.payload) if keys else None
        if delivery_id is None:  # a connector naming an event nobody keyed: a bug, said loudly
            raise ValueError(f"catch-up cannot key {event.source} {event.event_type}")
        return Delivery(
            source=event.source,
            delivery_id=delivery_id,
            event_type=event.event_type,
            body=json.dumps(event.payload).encode(),
            record_key=event.record_key,
            provider_ts=event.occurred_at,
        )
