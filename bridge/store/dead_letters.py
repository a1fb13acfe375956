"""Which side effects of the bridge gave up (dead letters), grouped for the board's banner
and counted per escalation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from bridge.store.tables import Escalation, OutboxRow

# A dead letter's error starts with the exception's type when the job buried it.
ERROR_TYPE = re.compile(r"^[A-Za-z]+Error: ")
# The outbox operation that posts (and refreshes) an escalation's head message in the channel
# routing chose for it: the one place the bridge records where an escalation went.
HEAD_MESSAGE = "upsert_escalation_message"


@dataclass(frozen=True)
class GaveUp:
    """Dead letters alike: one system and operation, to one channel (when there is one), with
    the error of the latest of them."""

    target: str
    operation: str
    channel: str | None
    reason: str
    count: int


@dataclass(frozen=True)
class DeadLetters:
    groups: tuple[GaveUp, ...]
    by_escalation: dict[int, int]  # escalation id -> how many of its side effects gave up

    @property
    def total(self) -> int:
        """Every dead outbox row: the groups leave none out."""
        return sum(group.count for group in self.groups)


def dead_letters(session: Session) -> DeadLetters:
    """The side effects that gave up, grouped for the board's banner and counted per
    escalation. A thread reply carries no channel: it is counted against its head's."""
    escalation = OutboxRow.payload["escalation_id"].as_string()
    channel = OutboxRow.payload["channel"].as_string()
    columns = (OutboxRow.target, OutboxRow.operation, channel, escalation, OutboxRow.last_error)
    query = (
        select(*columns, func.count(), func.max(OutboxRow.updated_at))
        .where(OutboxRow.status == "dead")
        .group_by(*columns)
    )
    found = session.execute(query).all()
    ids = {int(key) for *_, key, _error, _n, _at in found if key and str(key).isdigit()}
    heads = channels_of(session, ids)
    groups: dict[tuple[str, str, str | None], tuple[int, dt.datetime | None, str]] = {}
    by_escalation: dict[int, int] = {}
    for target, operation, to, key, error, count, at in found:
        number = int(key) if key and str(key).isdigit() else None
        if number is not None:
            by_escalation[number] = by_escalation.get(number, 0) + count
        where = to or (heads.get(number) if number is not None else None)
        total, latest, reason = groups.get((target, operation, where), (0, None, ""))
        if latest is None or (at is not None and at > latest):
            latest, reason = at, ERROR_TYPE.sub("", error or "no error recorded")
        groups[(target, operation, where)] = (total + count, latest, reason)
    gave_up = [
        GaveUp(target, operation, where, reason, count)
        for (target, operation, where), (count, _, reason) in groups.items()
    ]
    gave_up.sort(key=lambda group: (-group.count, group.target, group.operation))
    return DeadLetters(tuple(gave_up), by_escalation)


def head_channel() -> ScalarSelect[Any]:
    """The channel of the latest head message of the escalation in the enclosing query, read
    backwards through the index on (escalation_id, operation, id, channel) alone."""
    return (
        select(OutboxRow.channel)
        .where(OutboxRow.escalation_id == Escalation.id, OutboxRow.operation == HEAD_MESSAGE)
        .order_by(OutboxRow.id.desc())
        .limit(1)
        .correlate(Escalation)
        .scalar_subquery()
    )


def channels_of(session: Session, ids: Collection[int]) -> dict[int, str | None]:
    """The channel of each escalation's latest head message (none when Slack never was told)."""
    if not ids:
        return {}
    query = select(Escalation.id, head_channel()).where(Escalation.id.in_(list(ids)))
    return {escalation_id: channel for escalation_id, channel in session.execute(query)}
