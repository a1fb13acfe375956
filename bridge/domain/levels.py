"""Escalation levels 1-3 (rule 6): owners come from config, earlier attempts travel along."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bridge.domain.enums import Level, LevelCause
from bridge.domain.errors import (
    AlreadyAtLevel,
    IllegalTransition,
    LevelCeilingReached,
    RuleViolation,
)
from bridge.domain.lifecycle import RESOLVED_STATES, record_in_place
from bridge.domain.records import Escalation, LevelAttempt


@dataclass(frozen=True)
class LevelOwners:
    """Who owns each level, e.g. Slack handles or channel ids taken from bridge.yaml."""

    support_manager: str
    account_manager: str
    executive: str

    def owner(self, level: Level) -> str:
        return {
            Level.SUPPORT_MANAGER: self.support_manager,
            Level.ACCOUNT_MANAGER: self.account_manager,
            Level.EXECUTIVE: self.executive,
        }[level]

    @classmethod
    def from_mapping(cls, owners: Mapping[int, str]) -> LevelOwners:
        """Build from config of the shape {1: "...", 2: "...", 3: "..."}."""
        missing = [level for level in Level if level.value not in owners]
        if missing:
            msg = f"no owner configured for escalation level(s) {[int(m) for m in missing]}"
            raise ValueError(msg)
        return cls(owners[1], owners[2], owners[3])


@dataclass(frozen=True)
class LevelRaised:
    """Tell the new owner; `earlier_attempts` is what 000 asks level 3 to be given."""

    escalation_id: str
    level: Level
    owner: str
    cause: LevelCause
    earlier_attempts: tuple[LevelAttempt, ...]


def assign_first_level(
    escalation: Escalation, owners: LevelOwners, *, by: str, now: datetime
) -> LevelAttempt:
    attempt = LevelAttempt(
        level=Level.SUPPORT_MANAGER,
        owner=owners.owner(Level.SUPPORT_MANAGER),
        at=now,
        by=by,
        cause=LevelCause.OPENED,
    )
    escalation.level = Level.SUPPORT_MANAGER
    escalation.level_attempts.append(attempt)
    return attempt


def copied_level(addresses: Mapping[Level, str | None], copied: Iterable[str]) -> Level | None:
    """The highest level whose address the customer copied on a reply (000), if any."""
    wanted = {address.strip().casefold() for address in copied}
    found = [
        level
        for level, address in addresses.items()
        if address and address.strip().casefold() in wanted
    ]
    return max(found, default=None)


def raise_level(
    escalation: Escalation,
    owners: LevelOwners,
    *,
    cause: LevelCause,
    by: str,
    trigger: str,
    now: datetime,
    note: str = "",
    to: Level | None = None,
) -> LevelRaised:
    """Move the escalation one level up (or straight `to` a higher level, when the customer
    copied its owner), by request or on an SLA breach.

    `trigger` is the inbound event id or command name written to the audit trail.
    """
    if escalation.state in RESOLVED_STATES:
        # Resolved: nothing is owed, so nothing breaches (rule 7); the problem coming back
        # reopens the escalation first (rule 10), and that is where a level means something.
        msg = (
            f"escalation {escalation.id} is {escalation.state.value.replace('_', ' ')}: "
            "report the problem again to reopen it before raising its level"
        )
        raise RuleViolation(msg)
    if not escalation.is_open:
        raise IllegalTransition(
            escalation.kind, escalation.id, escalation.state.value, "raise_level"
        )
    new_level = escalation.level.next() if to is None else to
    if new_level is not None and new_level <= escalation.level:
        msg = f"escalation {escalation.id} is already at level {int(escalation.level)}"
        raise AlreadyAtLevel(msg)
    if new_level is None:
        msg = (
            f"escalation {escalation.id} is already at level {int(escalation.level)} "
            f"({escalation.level.name.lower()}); there is no higher level"
        )
        raise LevelCeilingReached(msg)
    earlier = tuple(escalation.level_attempts)
    attempt = LevelAttempt(
        level=new_level, owner=owners.owner(new_level), at=now, by=by, cause=cause, note=note
    )
    before = escalation.level
    escalation.level = new_level
    escalation.level_attempts.append(attempt)
    record_in_place(
        escalation,
        "raise_level",
        actor=by,
        cause=trigger,
        now=now,
        note=f"level {int(before)} -> {int(new_level)} ({cause.value})",
    )
    return LevelRaised(escalation.id, new_level, attempt.owner, cause, earlier)
