"""The closed vocabularies of the escalation procedure (docs/domain.md)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Severity(IntEnum):
    """1 is the most severe (a critical problem), 4 the least."""

    CRITICAL = 1
    MAJOR = 2
    MINOR = 3
    COSMETIC = 4


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Classification(StrEnum):
    """The outcome of triage (rule 4)."""

    URGENT = "urgent"
    HIGH_PRIORITY = "high_priority"


class ReasonCategory(StrEnum):
    """Why a customer escalates (rule 3), plus the automatic SLA-breach entry."""

    RECURRING_HIGH_PRIORITY_INCIDENTS = "recurring_high_priority_incidents"
    DATA_LOSS = "data_loss"
    REPUTATION_RISK = "reputation_risk"
    RESOLVED_PROBLEM_RECURRING = "resolved_problem_recurring"
    NOT_UNDERSTOOD = "not_understood"
    UNSATISFACTORY_REPLY = "unsatisfactory_reply"
    NOT_HANDLED_WITH_URGENCY = "not_handled_with_urgency"
    PRODUCTION_DOWN_DURING_UPGRADE = "production_down_during_upgrade"
    CRITICAL_BUSINESS_IMPACT = "critical_business_impact"
    SLA_BREACH = "sla_breach"


class NotToEscalate(StrEnum):
    """The "when not to escalate" cases of rule 3 (001)."""

    NO_EARLIER_CONTACT = "no_earlier_contact"
    NOT_URGENT = "not_urgent"
    SUPPORT_WITHIN_REASONABLE_TIME = "support_within_reasonable_time"


class EntryPoint(StrEnum):
    """How an escalation request reached the bridge (rule 2)."""

    ESCALATION_REQUEST = "escalation_request"
    TICKET_TYPE_CHANGED = "ticket_type_changed"
    SLACK = "slack"
    API = "api"
    SLA_BREACH = "sla_breach"
    CUSTOMER_COPY = "customer_copy"


class Outcome(StrEnum):
    """How every matter ends (rule 11)."""

    CUSTOMER_SATISFIED = "customer_satisfied"
    EXPLAINED_NOT_POSSIBLE = "explained_not_possible"
    FEATURE_REQUEST_ROADMAP = "feature_request_roadmap"
    FEATURE_REQUEST_ACCOUNT_MANAGER = "feature_request_account_manager"
    BUG_IN_TRACKER = "bug_in_tracker"


class Level(IntEnum):
    """Escalation levels (rule 6); the owner of each comes from config."""

    SUPPORT_MANAGER = 1
    ACCOUNT_MANAGER = 2
    EXECUTIVE = 3

    def next(self) -> Level | None:
        return Level(self + 1) if self < Level.EXECUTIVE else None


class LevelCause(StrEnum):
    OPENED = "opened"
    REQUEST = "request"
    SLA_BREACH = "sla_breach"
    CUSTOMER_COPY = "customer_copy"


class EscalationState(StrEnum):
    REQUESTED = "requested"
    TRIAGED = "triaged"
    ACTIVE = "active"
    PLAN_PROPOSED = "plan_proposed"
    PLAN_ACCEPTED = "plan_accepted"
    PLAN_REJECTED = "plan_rejected"
    RENEGOTIATING = "renegotiating"
    FIX_SHIPPED = "fix_shipped"
    AWAITING_CUSTOMER = "awaiting_customer"
    MONITORING = "monitoring"
    REOPENED = "reopened"
    DE_ESCALATED = "de_escalated"
    CLOSED = "closed"


class EscalationStep(StrEnum):
    TRIAGE = "triage"
    ACTIVATE = "activate"
    PROPOSE_PLAN = "propose_plan"
    ACCEPT_PLAN = "accept_plan"
    REJECT_PLAN = "reject_plan"
    RENEGOTIATE = "renegotiate"
    SHIP_FIX = "ship_fix"
    NOTIFY_CUSTOMER = "notify_customer"
    CUSTOMER_ACCEPTS = "customer_accepts"
    CUSTOMER_REJECTS = "customer_rejects"
    RECUR = "recur"
    DE_ESCALATE = "de_escalate"
    CLOSE = "close"


class SparState(StrEnum):
    OPEN = "open"
    AR_FILED = "ar_filed"
    PLAN = "plan"
    SOLUTION_AVAILABLE = "solution_available"
    ACCEPTED = "accepted"
    CLOSED = "closed"


class SparStep(StrEnum):
    FILE_AR = "file_ar"
    AGREE_PLAN = "agree_plan"
    REVISE_PLAN = "revise_plan"
    MAKE_SOLUTION_AVAILABLE = "make_solution_available"
    CUSTOMER_ACCEPTS = "customer_accepts"
    CUSTOMER_REJECTS = "customer_rejects"
    CLOSE = "close"


class PlanKind(StrEnum):
    """What an action plan delivers (004): a workaround or a software release."""

    WORKAROUND = "workaround"
    PATCH = "patch"
    MAINTENANCE_RELEASE = "maintenance_release"
    MAJOR_RELEASE = "major_release"

    @property
    def is_release(self) -> bool:
        return self is not PlanKind.WORKAROUND


class PlanStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class CommunicationMode(StrEnum):
    """Modes of the communication plan (003)."""

    EMAIL = "email"
    PHONE_CALL = "phone_call"
    CONFERENCE_CALL = "conference_call"
    CHAT = "chat"


class NoticeKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    STATUS_UPDATE = "status_update"
    ACTION_PLAN = "action_plan"
    RESOLUTION = "resolution"


class Channel(StrEnum):
    HELPDESK_PUBLIC_REPLY = "helpdesk_public_reply"
    EMAIL = "email"
