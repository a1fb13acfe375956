"""The procedure's steps, each declared once: its name, who may take it, its label, its typed input,
the surfaces that offer it (Slack's buttons, menu and forms, the API).

Slack's message and forms, the API's routes, the ``roles:`` of bridge.yaml, the refusals and the
docs' table of steps are all read from ``STEPS``; ``bridge.services.workflow.step_table`` runs each
step's command. To add a step: declare it here, give the domain its rule and the table its handler,
and a test."""

from __future__ import annotations

from bridge.catalogue.opening import OPENING
from bridge.catalogue.resolving import RESOLVING
from bridge.catalogue.spec import ApiRoute, Command, Form, FormField, Step, Surface

__all__ = [
    "ROLES",
    "STEPS",
    "ApiRoute",
    "Command",
    "Form",
    "FormField",
    "Step",
    "Surface",
    "offered_on",
    "step",
]

_ORDER = (
    # The buttons on the escalation's message, left to right:
    "acknowledge",
    "raise_level",
    "propose_plan",
    "mark_resolved",
    "split_ticket",
    "same_problem",
    # Its "More steps" menu, top to bottom:
    "customer_answer",
    "status_update",
    "request_logs",
    "communication_plan",
    "assign_engineer",
    "file_spar",
    "rca_progress",
    "remote_session",
    "de_escalate",
    "monitoring_period",
    "close",
    # Under a developer's comment in the thread:
    "share_with_customer",
)
_BY_NAME = {declared.name: declared for declared in (*OPENING, *RESOLVING)}
# A step not in the order above comes last: declaring it is enough to offer it.
STEPS: tuple[Step, ...] = tuple(
    sorted(_BY_NAME.values(), key=lambda s: _ORDER.index(s.name) if s.name in _ORDER else 99)
)
# Roles are the people who may take a step; a step taken as another's has none of its own.
ROLES: tuple[str, ...] = tuple(s.name for s in STEPS if s.taken_as is None)


def step(name: str) -> Step:
    """The step called ``name``; ``KeyError`` for a name the catalogue does not know."""
    return _BY_NAME[name]


def offered_on(surface: Surface) -> tuple[Step, ...]:
    return tuple(s for s in STEPS if surface in s.surfaces)
