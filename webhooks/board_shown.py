"""What the board shows for a row beyond what is stored: names instead of vendor ids (the
engineer's Slack display name, the team's Slack channel name, the customer organisation's
name), the pages people use for
the ticket and its SPAR/AR, the triage classification in words and what is expected next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bridge.domain.enums import EscalationState, Level
from bridge.domain.next_step import NextStep, next_step
from bridge.domain.sla import TargetKind
from bridge.services.pages import Pages
from bridge.services.showing.names import Names
from bridge.services.showing.shown import CLASSIFICATIONS, severity_label
from bridge.store import board as queries


@dataclass(frozen=True)
class ShownRecord:
    kind: str
    system: str
    key: str
    url: str | None


@dataclass(frozen=True)
class Shown:
    customer: str | None
    requester: str | None
    engineer: str | None
    team: str | None
    ticket_url: str | None
    severity: str | None  # "1 (critical)", as Slack, the digest and the SPAR write it
    classification: str | None
    next: NextStep | None
    records: tuple[ShownRecord, ...]


def _next(row: queries.BoardRow, engineer: str | None, now: dt.datetime) -> NextStep | None:
    try:
        state, level = EscalationState(row.state), Level(row.level)
    except ValueError:
        return None
    running = {TargetKind(kind) for kind in row.running if kind in TargetKind._value2member_map_}
    return next_step(
        state,
        level=level,
        engineer=engineer,
        running=running,
        waiting_until=row.waiting_until,
        now=now,
    )


def shown_rows(
    rows: Iterable[queries.BoardRow], pages: Pages, names: Names, now: dt.datetime
) -> dict[int, Shown]:
    """``{escalation id: Shown}``; a name Slack or the helpdesk cannot give leaves the id."""
    rows = list(rows)
    people = names.known_people({row.engineer for row in rows if row.engineer})
    channels = names.known_channels({row.channel for row in rows if row.channel})
    organisations: dict[str, dict[str, str]] = {}
    requesters: dict[str, dict[str, str]] = {}
    for helpdesk in {row.helpdesk for row in rows}:
        mine = [row for row in rows if row.helpdesk == helpdesk]
        ids = {row.customer for row in mine if row.customer}
        organisations[helpdesk] = names.known_organisations(helpdesk, ids)
        asked = {row.requester for row in mine if row.requester}
        requesters[helpdesk] = names.known_requesters(helpdesk, asked)
    found: dict[int, Shown] = {}
    for row in rows:
        engineer = people.get(row.engineer, row.engineer) if row.engineer else None
        customer = organisations[row.helpdesk].get(row.customer or "", row.customer)
        requester = requesters[row.helpdesk].get(row.requester or "", row.requester)
        records = tuple(
            ShownRecord(r.kind, r.system, r.key, pages.record(r.system, r.key, r.url))
            for r in row.records
        )
        found[row.id] = Shown(
            customer=customer,
            requester=requester,
            engineer=engineer,
            team=channels.get(row.channel, row.channel) if row.channel else None,
            ticket_url=pages.ticket(row.helpdesk, row.ticket),
            severity=severity_label(row.severity) if row.severity else None,
            classification=CLASSIFICATIONS.get(row.classification or ""),
            next=_next(row, engineer, now),
            records=records,
        )
    return found


# -- what the templates use ---------------------------------------------------------------------
def stamp(at: dt.datetime | None) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "—"


def countdown(at: dt.datetime, now: dt.datetime) -> str:
    """``in 2h 05m`` or ``overdue by 1d 3h``: what the inline script keeps up to date."""
    seconds = int((at - now).total_seconds())
    left = abs(seconds)
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        span = f"{days}d {hours}h"
    elif hours:
        span = f"{hours}h {minutes:02d}m"
    else:
        span = f"{minutes}m {secs:02d}s"
    return f"in {span}" if seconds > 0 else f"overdue by {span}"


def link(url: str | None) -> str | None:
    """A tracker's URL, only if it is one a browser should follow from here."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None
