"""What the catalogue says of a step: plain data about where it is offered and what it takes.

Nothing here knows Slack, Flask or the database; the surfaces read these records and draw
their buttons, menus, forms and routes from them (``bridge.catalogue.steps`` lists the steps).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class Surface(StrEnum):
    BUTTON = "button"  # a button on the escalation's message in Slack
    MENU = "menu"  # an entry of that message's "More steps" menu
    FORM = "form"  # a Slack form the button or the entry opens
    API = "api"  # a route under /api/escalations/<id>/
    REPLY = "reply"  # a button under a developer's comment in the escalation's thread


class Command(BaseModel):
    """A step's typed input: what every surface builds before the step is taken."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class FormField:
    block: str  # the answer's name in a stored form (kept: forms in flight carry it)
    label: str
    kind: str  # text, long_text, select, date, user, number
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    hint: str = ""
    happened: bool = False  # a date of something done: refused in the future, not in the past


@dataclass(frozen=True)
class Form:
    title: str  # at most 24 characters in Slack
    submit: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class ApiRoute:
    path: str  # after /escalations/<id>/
    cause: str  # names the request in its idempotency key: never change it
    created: bool = False  # answers 201 rather than 200
    # False: its view is written out in webhooks/api_steps.py (its path names more than the
    # escalation); a test still finds it among the routes.
    generated: bool = True


@dataclass(frozen=True)
class Step:
    name: str  # the Slack action id and the role's key under ``roles:`` in bridge.yaml
    label: str  # the one name people see: button, menu, refusal, docs
    doing: str  # a refusal says "Could not <doing>: <why>"
    does: str  # what taking it does, for the docs
    surfaces: frozenset[Surface]
    command: type[Command] | None = None
    form: Form | None = None
    # The command a stored form's answers (by field block) make.
    from_form: Callable[[Mapping[str, Any]], Command] | None = None
    api: tuple[ApiRoute, ...] = ()
    style: str | None = None  # a button's Slack style
    taken_as: str | None = None  # the role whose people may take it, when not its own

    @property
    def role(self) -> str:
        return self.taken_as or self.name

    def offered_on(self, surface: Surface) -> bool:
        return surface in self.surfaces


def choices(values: Any) -> tuple[tuple[str, str], ...]:
    """An enum's values as a select's options, each with a readable label."""
    return tuple((value.value, value.value.replace("_", " ").capitalize()) for value in values)
