"""The records of docs/domain.md: plain dataclasses the store maps and the services change.

Entities (Ticket, Escalation, Spar, ActionRequest, ActionPlan) are mutable and change only through
the functions of this package, each of which appends an AuditEvent. Values are frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from bridge.domain.enums import (
    Channel,
    Classification,
    CommunicationMode,
    EntryPoint,
    EscalationState,
    Level,
    LevelCause,
    NoticeKind,
    NotToEscalate,
    Outcome,
    PlanKind,
    PlanStatus,
    Priority,
    ReasonCategory,
    Severity,
    SparState,
)


@dataclass(frozen=True)
class AuditEvent:
    """One change to a record: who or what caused it, and the inbound event or command behind it."""

    record_kind: str
    record_id: str
    step: str
    from_state: str
    to_state: str
    actor: str
    cause: str
    at: datetime
    note: str = ""


@dataclass
class Ticket:
    """The customer's case, mirrored from the helpdesk (the helpdesk is the source of truth)."""

    external_id: str
    requester: str
    organisation: str
    subject: str
    description: str = ""
    severity: Severity = Severity.MINOR
    priority: Priority = Priority.NORMAL
    product: str = ""
    region: str = ""
    status: str = "open"
    ticket_type: str = ""
    # The helpdesk marks the ticket for escalation: a tag, a custom field's value or (Freshdesk)
    # a ticket type, as bridge.yaml's ``escalation_entry`` names it; never Zendesk's own type.
    escalation_marked: bool = False
    opened_at: datetime | None = None
    last_support_reply_at: datetime | None = None
    # Distinct problems the ticket describes; rule 5 wants one urgent problem per ticket.
    problems: tuple[str, ...] = ()
    links: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ContactDetails:
    phone: str = ""
    email: str = ""
    hours_of_availability: str = ""


@dataclass(frozen=True)
class TriageAnswers:
    """The triage questions of 002, plus the three circumstances that make a ticket Urgent."""

    production_down: bool = False
    go_live_or_upgrade_date: date | None = None
    go_live_can_complete: bool = True
    core_business_seriously_affected_live: bool = False
    acceptable_workaround: bool | None = None
    core_functionality_severely_affected: bool | None = None
    anticipated_financial_loss: str = ""
    users_affected: int | None = None
    go_live_effect: str = ""
    contact: ContactDetails | None = None
    # The go-live question was put and answered: a date (then its effect) or none at stake.
    go_live_answered: bool = False


@dataclass(frozen=True)
class PreEscalationReview:
    """The requester's review of the ticket before escalating it: the four questions of 003."""

    problem_statement_correct: bool
    business_impact_described: bool
    workaround_impractical: bool | None  # None: there is no workaround
    critical_milestone: date | None  # None: the ticket names no critical milestone date


@dataclass(frozen=True)
class RemoteSession:
    """The remote session held on an Urgent escalation to review the issue (002, 3rd step)."""

    held_at: datetime
    attendees: tuple[str, ...]
    outcome: str
    recorded_by: str


@dataclass(frozen=True)
class CommunicationPlan:
    """Mode, frequency and attendees of status updates, agreed with the customer (003)."""

    mode: CommunicationMode
    frequency: timedelta
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class LevelAttempt:
    level: Level
    owner: str
    at: datetime
    by: str
    cause: LevelCause
    note: str = ""


@dataclass(frozen=True)
class AdviceOverride:
    """Someone escalated although the bridge advised against it (rule 3)."""

    by: str
    justification: str
    advice: frozenset[NotToEscalate] = frozenset()


@dataclass(frozen=True)
class Agreement:
    """A documented agreement with the customer (de-escalation, closing after monitoring)."""

    by: str
    note: str
    at: datetime


@dataclass(frozen=True)
class OutcomeRecord:
    outcome: Outcome
    explanation: str = ""
    tracker_ref: str = ""
    resolution_indication: str = ""


@dataclass
class ActionPlan:
    """A workaround or a software release with a delivery date (004)."""

    id: str
    escalation_id: str
    kind: PlanKind
    summary: str
    delivery_date: date | None = None
    spar_id: str | None = None
    status: PlanStatus = PlanStatus.PROPOSED
    proposed_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str = ""
    rejection_reason: str = ""


@dataclass(frozen=True)
class FixEta:
    """When development expects to release the fix: an AR's fix version and its release date.
    Support's to know and to offer; the customer is never told it unasked."""

    ar: str
    version: str
    release_date: date


@dataclass
class Escalation:
    kind: ClassVar[str] = "escalation"

    id: str
    ticket_id: str
    reason: ReasonCategory
    reason_text: str
    requested_by: str
    entry_point: EntryPoint
    opened_at: datetime
    state: EscalationState = EscalationState.REQUESTED
    level: Level = Level.SUPPORT_MANAGER
    level_attempts: list[LevelAttempt] = field(default_factory=list)
    classification: Classification | None = None
    triage: TriageAnswers | None = None
    review: PreEscalationReview | None = None
    remote_sessions: list[RemoteSession] = field(default_factory=list)
    engineer: str | None = None
    communication: CommunicationPlan | None = None
    last_status_update_at: datetime | None = None
    next_update_due: datetime | None = None
    # An agreed wait on the customer (e.g. for logs or a test): the policy's clocks pause until
    # then, or until the customer writes.
    waiting_until: datetime | None = None
    override: AdviceOverride | None = None
    plans: list[ActionPlan] = field(default_factory=list)
    spar_ids: list[str] = field(default_factory=list)
    rca_on_track: bool = False
    de_escalation: Agreement | None = None
    monitoring_until: datetime | None = None
    outcome: OutcomeRecord | None = None
    fix_eta: FixEta | None = None
    history: list[AuditEvent] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state not in (EscalationState.CLOSED, EscalationState.DE_ESCALATED)

    @property
    def accepted_plan(self) -> ActionPlan | None:
        accepted = [p for p in self.plans if p.status is PlanStatus.ACCEPTED]
        return accepted[-1] if accepted else None


@dataclass
class Spar:
    """Software Problem Action Request (004), opened when the problem is software-related."""

    kind: ClassVar[str] = "spar"

    id: str
    escalation_id: str
    ticket_id: str
    severity: Severity
    opened_at: datetime
    state: SparState = SparState.OPEN
    ar_ids: list[str] = field(default_factory=list)
    plan_ids: list[str] = field(default_factory=list)
    history: list[AuditEvent] = field(default_factory=list)


@dataclass
class ActionRequest:
    """The development record (a Jira Bug or a GitHub issue); its key is noted on the ticket."""

    id: str
    spar_id: str
    ticket_id: str
    tracker: str
    key: str
    url: str = ""


@dataclass(frozen=True)
class Notice:
    """A message sent to the customer; `key` is what makes sure nothing is sent twice."""

    escalation_id: str
    ticket_id: str
    kind: NoticeKind
    channel: Channel
    recipient: str
    sent_at: datetime
    subject_ref: str = ""

    @property
    def key(self) -> str:
        return f"notice:{self.escalation_id}:{self.kind.value}:{self.subject_ref}"
