"""The policy an escalation starts with, snapshotted so a later config change does not rewrite it.

The snapshot is plain JSON (stored on the escalation); everything the workflow needs later —
the SLA targets, the calendar and the level owners — is rebuilt from it, never from live config.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

from bridge.config import Settings
from bridge.config.calendar_builder import calendar_from_config
from bridge.config.policy import CalendarConfig, LevelConfig
from bridge.config.policy import SlaTarget as TargetConfig
from bridge.domain.calendar import BusinessCalendar
from bridge.domain.clocks import DEFAULT_PAUSING, ClockRules
from bridge.domain.enums import Level, Severity
from bridge.domain.levels import LevelOwners
from bridge.domain.sla import Measure, SlaTarget, TargetKind

TARGET_KINDS = ("acknowledge", "reply", "patch")
WALL_CLOCK = CalendarConfig(timezone="UTC", always_open=True, hours={})


@dataclass(frozen=True)
class ClockPlan:
    target: SlaTarget
    calendar: BusinessCalendar


@dataclass(frozen=True)
class Policy:
    snapshot: dict[str, Any]

    @property
    def calendar_name(self) -> str:
        return str(self.snapshot["calendar"]["name"])

    @cached_property
    def calendar(self) -> BusinessCalendar:
        config = CalendarConfig.model_validate(self.snapshot["calendar"]["config"])
        return calendar_from_config(self.calendar_name, config)

    def _calendar(self, *, wall: bool) -> BusinessCalendar:
        return calendar_from_config("wall clock", WALL_CLOCK) if wall else self.calendar

    @property
    def at_risk_fraction(self) -> float:
        return float(self.snapshot["at_risk_fraction"])

    def targets(self, severity: Severity) -> list[SlaTarget]:
        return [
            _domain_target(kind, TargetConfig.model_validate(raw))
            for kind, raw in self.snapshot["targets"].get(str(int(severity)), {}).items()
        ]

    def clocks_for(self, severity: Severity) -> list[ClockPlan]:
        """The clocks an escalation of ``severity`` starts with: all but the patch clock, which
        starts when the problem is raised as a bug in the tracker."""
        return [
            ClockPlan(target, self._calendar(wall=target.wall_clock))
            for target in self.targets(severity)
            if target.kind is not TargetKind.PATCH
        ]

    def target(self, severity: Severity, kind: TargetKind) -> SlaTarget | None:
        return next((t for t in self.targets(severity) if t.kind is kind), None)

    @cached_property
    def clock_rules(self) -> ClockRules:
        pausing = self.snapshot.get("pause_while_waiting_on_customer")
        return ClockRules(
            business=self.calendar,
            wall=self._calendar(wall=True),
            pausing=DEFAULT_PAUSING
            if pausing is None
            else frozenset(TargetKind(kind) for kind in pausing),
            at_risk_fraction=self.at_risk_fraction,
        )

    def level(self, level: Level) -> LevelConfig:
        return LevelConfig.model_validate(self.snapshot["levels"][str(int(level))])

    @property
    def owners(self) -> LevelOwners:
        return LevelOwners.from_mapping(
            {
                int(number): _owner_label(LevelConfig.model_validate(raw))
                for number, raw in self.snapshot["levels"].items()
            }
        )


def _owner_label(level: LevelConfig) -> str:
    return ", ".join(level.owners) if level.owners else level.role


def _domain_target(kind: str, target: TargetConfig) -> SlaTarget:
    wall = target.clock == "wall"
    if target.business_days is not None:
        return SlaTarget(
            TargetKind(kind), timedelta(days=target.business_days), Measure.BUSINESS_DAYS, wall
        )
    assert target.hours is not None
    return SlaTarget(TargetKind(kind), timedelta(hours=target.hours), wall_clock=wall)


def snapshot(settings: Settings, region: str | None) -> Policy:
    """Take the policy for a ticket of ``region`` (the default calendar if it has none)."""
    name = region if region in settings.calendars else settings.sla.default_calendar
    targets = {
        str(severity): {
            kind: target.model_dump(mode="json")
            for kind in TARGET_KINDS
            if (target := getattr(policy, kind)) is not None
        }
        for severity, policy in settings.sla.severities.items()
    }
    return Policy(
        {
            "calendar": {"name": name, "config": settings.calendars[name].model_dump(mode="json")},
            "at_risk_fraction": settings.sla.at_risk_fraction,
            "pause_while_waiting_on_customer": list(settings.sla.pause_while_waiting_on_customer),
            "targets": targets,
            "levels": {
                str(number): level.model_dump(mode="json")
                for number, level in settings.levels.items()
            },
        }
    )
