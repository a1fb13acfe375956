"""The bridge's tables. The domain never sees these classes; repositories translate."""

from bridge.store.tables.closing import ActionRequestLink, Notice, ResolutionAnswer
from bridge.store.tables.columns import NAMING, Base, UtcDateTime
from bridge.store.tables.delivery import CatchUpWatermark, InboxRow, JobGuard, OutboxRow
from bridge.store.tables.operations import BoardSession, CredentialState, InsightWeek, KnownName
from bridge.store.tables.procedure import (
    ActionPlan,
    ActionRequest,
    AuditEvent,
    Escalation,
    PendingEscalationRequest,
    SlaClock,
    Spar,
    Ticket,
)

__all__ = [
    "NAMING",
    "ActionPlan",
    "ActionRequest",
    "ActionRequestLink",
    "AuditEvent",
    "Base",
    "BoardSession",
    "CatchUpWatermark",
    "CredentialState",
    "Escalation",
    "InboxRow",
    "InsightWeek",
    "JobGuard",
    "KnownName",
    "Notice",
    "OutboxRow",
    "PendingEscalationRequest",
    "ResolutionAnswer",
    "SlaClock",
    "Spar",
    "Ticket",
    "UtcDateTime",
]
