"""Transition tables of the escalation and the SPAR, and the one way to apply a step.

The tables are data: `(state, step) -> next state`. Anything not in a table is refused with
IllegalTransition, and every applied step appends an AuditEvent to the record's history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol, TypeVar, overload

from bridge.domain.enums import EscalationState as E
from bridge.domain.enums import EscalationStep as ES
from bridge.domain.enums import SparState as S
from bridge.domain.enums import SparStep as SS
from bridge.domain.errors import EscalationClosed, IllegalTransition
from bridge.domain.records import AuditEvent, Escalation, Spar

ESCALATION_TRANSITIONS: Mapping[tuple[E, ES], E] = {
    (E.REQUESTED, ES.TRIAGE): E.TRIAGED,
    (E.TRIAGED, ES.ACTIVATE): E.ACTIVE,
    (E.ACTIVE, ES.PROPOSE_PLAN): E.PLAN_PROPOSED,
    (E.PLAN_PROPOSED, ES.ACCEPT_PLAN): E.PLAN_ACCEPTED,
    (E.PLAN_PROPOSED, ES.REJECT_PLAN): E.PLAN_REJECTED,
    (E.PLAN_REJECTED, ES.RENEGOTIATE): E.RENEGOTIATING,
    (E.RENEGOTIATING, ES.PROPOSE_PLAN): E.PLAN_PROPOSED,
    (E.PLAN_ACCEPTED, ES.SHIP_FIX): E.FIX_SHIPPED,
    (E.FIX_SHIPPED, ES.NOTIFY_CUSTOMER): E.AWAITING_CUSTOMER,
    (E.AWAITING_CUSTOMER, ES.CUSTOMER_ACCEPTS): E.MONITORING,
    (E.AWAITING_CUSTOMER, ES.CUSTOMER_REJECTS): E.REOPENED,
    (E.MONITORING, ES.RECUR): E.REOPENED,
    (E.REOPENED, ES.ACTIVATE): E.ACTIVE,
    # De-escalation (003) once the plan is accepted; its preconditions live in resolution.py.
    (E.PLAN_ACCEPTED, ES.DE_ESCALATE): E.DE_ESCALATED,
    (E.FIX_SHIPPED, ES.DE_ESCALATE): E.DE_ESCALATED,
    (E.AWAITING_CUSTOMER, ES.DE_ESCALATE): E.DE_ESCALATED,
    # Closing records an outcome (rule 11). Not every matter ends in a fix: "explained as not
    # possible" or "feature request" close an active escalation directly.
    (E.ACTIVE, ES.CLOSE): E.CLOSED,
    (E.PLAN_ACCEPTED, ES.CLOSE): E.CLOSED,
    (E.MONITORING, ES.CLOSE): E.CLOSED,
    (E.DE_ESCALATED, ES.CLOSE): E.CLOSED,
}

# Resolved: the customer accepted the fix (monitored), or the matter is over. An Urgent
# escalation stays Urgent until then (rule 4); nothing is owed on it any more (rule 7).
RESOLVED_STATES = frozenset({E.MONITORING, E.CLOSED, E.DE_ESCALATED})

SPAR_TRANSITIONS: Mapping[tuple[S, SS], S] = {
    (S.OPEN, SS.FILE_AR): S.AR_FILED,
    (S.AR_FILED, SS.AGREE_PLAN): S.PLAN,
    (S.PLAN, SS.REVISE_PLAN): S.PLAN,
    (S.PLAN, SS.MAKE_SOLUTION_AVAILABLE): S.SOLUTION_AVAILABLE,
    (S.SOLUTION_AVAILABLE, SS.CUSTOMER_ACCEPTS): S.ACCEPTED,
    (S.SOLUTION_AVAILABLE, SS.CUSTOMER_REJECTS): S.PLAN,
    (S.ACCEPTED, SS.CLOSE): S.CLOSED,
}

StateT = TypeVar("StateT", E, S)
StepT = TypeVar("StepT", ES, SS)


class _Audited(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def history(self) -> list[AuditEvent]: ...


def next_state(
    table: Mapping[tuple[StateT, StepT], StateT],
    kind: str,
    record_id: str,
    state: StateT,
    step: StepT,
) -> StateT:
    try:
        return table[(state, step)]
    except KeyError:
        raise IllegalTransition(kind, record_id, state.value, step.value) from None


def allowed_steps(table: Mapping[tuple[StateT, StepT], StateT], state: StateT) -> list[StepT]:
    """The steps a record in `state` may take, for buttons and help texts."""
    return [step for (from_state, step) in table if from_state == state]


def record_audit(
    record: _Audited,
    step: str,
    from_state: str,
    to_state: str,
    *,
    actor: str,
    cause: str,
    now: datetime,
    note: str = "",
) -> AuditEvent:
    event = AuditEvent(
        record_kind=record.kind,
        record_id=record.id,
        step=step,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        cause=cause,
        at=now,
        note=note,
    )
    record.history.append(event)
    return event


def refuse_if_closed(escalation: Escalation, step: str) -> None:
    """A closed escalation takes no further step (its record is final)."""
    if escalation.state is E.CLOSED:
        raise EscalationClosed(f"escalation {escalation.id} is closed: no {step} any more")


def record_in_place(
    record: Escalation | Spar,
    step: str,
    *,
    actor: str,
    cause: str,
    now: datetime,
    note: str = "",
) -> AuditEvent:
    """Audit a step that leaves the record in its state (a note, a plan, a reclassification)."""
    state = record.state.value
    return record_audit(record, step, state, state, actor=actor, cause=cause, now=now, note=note)


@overload
def apply_step(
    record: Escalation, step: ES, *, actor: str, cause: str, now: datetime, note: str = ""
) -> AuditEvent: ...
@overload
def apply_step(
    record: Spar, step: SS, *, actor: str, cause: str, now: datetime, note: str = ""
) -> AuditEvent: ...
def apply_step(
    record: Escalation | Spar,
    step: ES | SS,
    *,
    actor: str,
    cause: str,
    now: datetime,
    note: str = "",
) -> AuditEvent:
    """Move ``record`` by ``step`` through its own table and audit the move; a step its table
    does not allow raises IllegalTransition and leaves the record as it was."""
    before = record.state
    after: E | S
    if isinstance(record, Escalation):
        after = next_state(ESCALATION_TRANSITIONS, record.kind, record.id, record.state, ES(step))
        record.state = after
    else:
        after = next_state(SPAR_TRANSITIONS, record.kind, record.id, record.state, SS(step))
        record.state = after
    return record_audit(
        record, step.value, before.value, after.value, actor=actor, cause=cause, now=now, note=note
    )
