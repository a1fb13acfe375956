"""Each step's typed input: the Slack form's answers and the API's body both become one of
these before the step is taken (``bridge.services.workflow.step_table`` runs them)."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, Field, field_validator

from bridge.catalogue.spec import Command
from bridge.domain.enums import CommunicationMode, Outcome, PlanKind, Severity


class AssignEngineer(Command):
    engineer: str = Field(min_length=1)


class ProposePlan(Command):
    kind: PlanKind
    summary: str = Field(min_length=1)
    delivery_date: dt.date | None = None


class CustomerAnswer(Command):
    accepted: bool
    reason: str = ""
    plan_id: str | None = None  # None: the plan awaiting an answer
    back_to_development: bool = False  # a rejection starts renegotiation at once


class FileSpar(Command):
    severity: Severity | None = None  # None: the ticket's


class SplitTicket(Command):
    urgent_problem: str = Field(min_length=1)


class RcaProgress(Command):
    on_track: bool


class StatusUpdate(Command):
    text: str = Field(min_length=1)
    public: bool = True
    # A wait on the customer agreed in this update: the policy's clocks pause until then.
    waiting_until: AwareDatetime | None = None


class RequestLogs(Command):
    what: str = Field(min_length=1)  # which logs and configuration, from when


class AgreeCommunication(Command):
    mode: CommunicationMode
    every_hours: float = Field(gt=0)
    attendees: tuple[str, ...] = ()


class MarkResolved(Command):
    outcome: Outcome
    explanation: str = ""
    tracker_ref: str = ""
    resolution_indication: str = ""
    agreement_note: str = ""


class RemoteSession(Command):
    held_at: AwareDatetime
    attendees: tuple[str, ...] = Field(min_length=1)
    outcome: str = Field(min_length=1)

    @field_validator("held_at")
    @classmethod
    def _not_in_the_future(cls, held_at: dt.datetime) -> dt.datetime:
        if held_at > dt.datetime.now(dt.UTC):
            raise ValueError("the remote session is in the future; record it once it is held")
        return held_at


class DeEscalate(Command):
    note: str = Field(min_length=1)


class AgreeMonitoringPeriod(Command):
    until: AwareDatetime
    agreement: str = Field(min_length=1)


class CloseAfterMonitoring(Command):
    agreement: str = Field(min_length=1)
