"""Every legal transition is taken; every other (state, step) pair is refused."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bridge.domain.enums import EscalationState, EscalationStep, Severity, SparState, SparStep
from bridge.domain.errors import IllegalTransition
from bridge.domain.lifecycle import (
    ESCALATION_TRANSITIONS,
    SPAR_TRANSITIONS,
    allowed_steps,
    apply_step,
)
from bridge.domain.records import Escalation, Spar

AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)

ILLEGAL_ESCALATION = [
    pair
    for pair in itertools.product(EscalationState, EscalationStep)
    if pair not in ESCALATION_TRANSITIONS
]
ILLEGAL_SPAR = [
    pair for pair in itertools.product(SparState, SparStep) if pair not in SPAR_TRANSITIONS
]


def _spar(state: SparState) -> Spar:
    return Spar(
        id="spar-7",
        escalation_id="esc-1",
        ticket_id="ZD-1001",
        severity=Severity.MAJOR,
        opened_at=AT,
        state=state,
    )


@pytest.mark.parametrize(("pair", "target"), ESCALATION_TRANSITIONS.items(), ids=str)
def test_every_legal_escalation_transition_moves_and_is_audited(
    opened: Escalation, pair: tuple[EscalationState, EscalationStep], target: EscalationState
) -> None:
    state, step = pair
    escalation = replace(opened, state=state, history=[])

    event = apply_step(escalation, step, actor="cse:ana", cause="inbox:9", now=AT)

    assert escalation.state is target
    assert escalation.history == [event]
    assert (event.record_kind, event.record_id) == ("escalation", "esc-1")
    assert (event.from_state, event.to_state, event.step) == (state, target, step)
    assert (event.actor, event.cause, event.at) == ("cse:ana", "inbox:9", AT)


@pytest.mark.parametrize(("state", "step"), ILLEGAL_ESCALATION, ids=str)
def test_every_illegal_escalation_step_is_refused_and_changes_nothing(
    opened: Escalation, state: EscalationState, step: EscalationStep
) -> None:
    escalation = replace(opened, state=state, history=[])

    with pytest.raises(IllegalTransition) as refused:
        apply_step(escalation, step, actor="cse:ana", cause="cmd", now=AT)

    message = str(refused.value)
    assert "escalation esc-1" in message
    assert repr(state.value) in message
    assert repr(step.value) in message
    assert escalation.state is state
    assert escalation.history == []


@pytest.mark.parametrize(("pair", "target"), SPAR_TRANSITIONS.items(), ids=str)
def test_every_legal_spar_transition_moves_and_is_audited(
    pair: tuple[SparState, SparStep], target: SparState
) -> None:
    state, step = pair
    spar = _spar(state)

    event = apply_step(spar, step, actor="cse:ana", cause="jira:evt-3", now=AT)

    assert spar.state is target
    assert spar.history == [event]
    assert (event.record_kind, event.from_state, event.to_state) == ("spar", state, target)


@pytest.mark.parametrize(("state", "step"), ILLEGAL_SPAR, ids=str)
def test_every_illegal_spar_step_is_refused_and_changes_nothing(
    state: SparState, step: SparStep
) -> None:
    spar = _spar(state)

    with pytest.raises(IllegalTransition, match=f"spar spar-7 is '{state.value}'"):
        apply_step(spar, step, actor="cse:ana", cause="cmd", now=AT)

    assert spar.state is state
    assert spar.history == []


def test_closed_escalation_and_closed_spar_allow_no_step() -> None:
    assert allowed_steps(ESCALATION_TRANSITIONS, EscalationState.CLOSED) == []
    assert allowed_steps(SPAR_TRANSITIONS, SparState.CLOSED) == []


def test_every_state_can_be_reached_from_requested_and_every_open_state_can_move() -> None:
    reached = {EscalationState.REQUESTED}
    frontier = [EscalationState.REQUESTED]
    while frontier:
        state = frontier.pop()
        for step in allowed_steps(ESCALATION_TRANSITIONS, state):
            target = ESCALATION_TRANSITIONS[(state, step)]
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(EscalationState)
    stuck = [s for s in EscalationState if not allowed_steps(ESCALATION_TRANSITIONS, s)]
    assert stuck == [EscalationState.CLOSED]
