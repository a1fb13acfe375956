"""The procedure's steps as Slack modals: one form per step, opened from the escalation's
buttons or its "More steps" menu, checked before it is acknowledged (an error shows on its
field), then stored as a delivery whose job takes the step (``SlackProcessor``).

Only what a form can know is checked here: missing fields, a number that is not one, a date in
the past (in the future, for what has happened), an outcome without the why rule 11 asks for.
What the escalation's state allows is the domain's to say; a refusal reaches the person who
submitted the form as a direct message.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from bridge.domain.enums import CommunicationMode, Outcome, PlanKind
from bridge.domain.errors import DomainError
from bridge.domain.records import OutcomeRecord
from bridge.domain.resolution import check_outcome
from webhooks.slack.form_presets import Preset

CALLBACK_ID = "escalation_step"


def _choices(values: Any) -> tuple[tuple[str, str], ...]:
    return tuple((value.value, value.value.replace("_", " ").capitalize()) for value in values)


@dataclass(frozen=True)
class Field:
    block: str
    label: str
    kind: str  # text, long_text, select, date, user, number
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    hint: str = ""
    happened: bool = False  # a date of something done: refused in the future, not in the past


@dataclass(frozen=True)
class Form:
    title: str
    submit: str
    fields: tuple[Field, ...]


SEVERITIES = (("1", "1 critical"), ("2", "2 major"), ("3", "3 minor"), ("4", "4 cosmetic"))


FORMS = {
    "propose_plan": Form(
        "Propose action plan",
        "Propose",
        (
            Field("kind", "Workaround or software release", "select", _choices(PlanKind)),
            Field("delivery_date", "Delivery date", "date", optional=True),
            Field("summary", "Steps of the plan", "long_text"),
        ),
    ),
    "customer_answer": Form(
        "Customer's answer",
        "Record",
        (
            Field(
                "answer",
                "The customer",
                "select",
                (("accepted", "Accepted the plan"), ("rejected", "Rejected the plan")),
            ),
            Field("reason", "Why they rejected it", "long_text", optional=True),
        ),
    ),
    "split_ticket": Form(
        "Split ticket",
        "Split",
        (
            Field(
                "urgent_problem",
                "The urgent problem, for a ticket (and an escalation) of its own",
                "long_text",
            ),
        ),
    ),
    "file_spar": Form(
        "File SPAR and AR",
        "File",
        (
            Field(
                "severity",
                "Severity agreed with the customer",
                "select",
                SEVERITIES,
                optional=True,
            ),
        ),
    ),
    "rca_progress": Form(
        "Root-cause analysis",
        "Record",
        (
            Field(
                "on_track",
                "The root-cause analysis is",
                "select",
                (("on_track", "On track"), ("off_track", "Not on track")),
            ),
        ),
    ),
    "status_update": Form(
        "Post status update",
        "Post",
        (
            Field("text", "Status and plan of action", "long_text"),
            Field(
                "visibility",
                "On the helpdesk ticket",
                "select",
                (("public", "A public reply to the customer"), ("internal", "An internal note")),
            ),
            Field(
                "waiting_until",
                "Waiting on the customer until",
                "date",
                optional=True,
                hint="a wait agreed with them: their SLA clocks pause until the end of that day "
                "(UTC) or their answer",
            ),
        ),
    ),
    "communication_plan": Form(
        "Communication plan",
        "Agree",
        (
            Field("mode", "How", "select", _choices(CommunicationMode)),
            Field("every_hours", "An update every (hours)", "number"),
            Field("attendees", "Attendees", "text", optional=True, hint="names, comma-separated"),
        ),
    ),
    "assign_engineer": Form(
        "Assign engineer",
        "Assign",
        (Field("engineer", "Customer support engineer (the primary contact)", "user"),),
    ),
    "mark_resolved": Form(
        "Mark resolved",
        "Close",
        (
            Field("outcome", "Outcome", "select", _choices(Outcome)),
            Field("explanation", "Why, or what was explained", "long_text", optional=True),
            Field("tracker_ref", "Bug or feature request (tracker key)", "text", optional=True),
            Field("resolution_indication", "Expected resolution", "text", optional=True),
        ),
    ),
    "remote_session": Form(
        "Remote session",
        "Record",
        (
            Field("held_on", "When it was held", "date", happened=True),
            Field("attendees", "Who took part", "text", hint="names, comma-separated"),
            Field("outcome", "What came of it", "long_text"),
        ),
    ),
    "de_escalate": Form(
        "De-escalate",
        "De-escalate",
        (Field("agreement", "What was agreed with the customer", "long_text"),),
    ),
    "monitoring_period": Form(
        "Monitoring period",
        "Agree",
        (
            Field(
                "until",
                "Monitor the fix until",
                "date",
                hint="the end of that day (UTC), as agreed with the customer",
            ),
            Field("agreement", "What was agreed with the customer", "long_text"),
        ),
    ),
    "close": Form(
        "Close after monitoring",
        "Close",
        (Field("agreement", "The customer's agreement to close", "long_text"),),
    ),
}


def _element(field: Field, preset: Preset | None) -> dict[str, Any]:
    text = {"type": "plain_text", "text": field.hint} if field.hint else None
    if field.kind in ("text", "long_text"):
        element = {"type": "plain_text_input", "multiline": field.kind == "long_text"}
    elif field.kind == "select":
        options = [
            {"text": {"type": "plain_text", "text": label}, "value": value}
            for value, label in field.choices
        ]
        element = {"type": "static_select", "options": options}
        initial = [option for option in options if preset and option["value"] == preset.value]
        if initial:
            element["initial_option"] = initial[0]
    elif field.kind == "date":
        element = {"type": "datepicker"}
    elif field.kind == "user":
        element = {"type": "users_select"}
    else:
        element = {"type": "number_input", "is_decimal_allowed": True, "min_value": "0.25"}
    return {"action_id": "value", **element, **({"placeholder": text} if text else {})}


def _block(field: Field, preset: Preset | None) -> dict[str, Any]:
    block = {
        "type": "input",
        "block_id": field.block,
        "optional": field.optional,
        "label": {"type": "plain_text", "text": field.label},
        "element": _element(field, preset),
    }
    if preset is not None:
        block["hint"] = {"type": "plain_text", "text": preset.note}
    return block


def modal(
    step: str,
    escalation_id: str,
    channel: str | None,
    presets: dict[str, Preset] | None = None,
) -> dict[str, Any]:
    form = FORMS[step]
    metadata = {"step": step, "escalation_id": escalation_id, "channel": channel}
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": form.title[:24]},
        "submit": {"type": "plain_text", "text": form.submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(metadata),
        "blocks": [_block(field, (presets or {}).get(field.block)) for field in form.fields],
    }


def step_modal(step: str, presets: dict[str, Preset] | None = None) -> Any:
    """The form of ``step`` for an escalation and the channel it was pressed in."""
    return lambda escalation_id, channel: modal(step, escalation_id, channel, presets)


def on_first_field(view: dict[str, Any], error: str) -> dict[str, str]:
    """An error about the whole form, shown on its first field."""
    blocks = [block.get("block_id") for block in view.get("blocks") or [] if block.get("block_id")]
    return {blocks[0] if blocks else "form": error}


def expired(view: dict[str, Any]) -> dict[str, str]:
    """The error for a form that no longer names a step and an escalation, on its first field."""
    return on_first_field(view, "This form has expired; open it again from the escalation.")


def _raw(values: Any, block: str) -> Any:
    element = ((values or {}).get(block) or {}).get("value") or {}
    for key in ("selected_date", "selected_user", "value"):
        if element.get(key) not in (None, ""):
            return element[key]
    selected = element.get("selected_option") or {}
    return selected.get("value")


def read(step: str, values: Any, today: dt.date) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's answers, and an error per field that needs one (empty when it may go)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in FORMS[step].fields:
        raw = _raw(values, field.block)
        text = raw.strip() if isinstance(raw, str) else raw
        if text in (None, ""):
            if not field.optional:
                errors[field.block] = "Required."
            continue
        if not isinstance(text, str):
            errors[field.block] = "This is not a value the form offers."
        elif field.kind == "select" and text not in {value for value, _ in field.choices}:
            errors[field.block] = "Choose one of the options."
        elif field.kind == "number":
            try:
                answers[field.block] = float(text)
            except ValueError:
                errors[field.block] = "Give a number of hours, e.g. 24."
            continue
        elif field.kind == "date":
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                errors[field.block] = "Pick a date."
                continue
            if field.happened and day > today:
                errors[field.block] = f"{day.isoformat()} is in the future."
            elif not field.happened and day < today:
                errors[field.block] = f"{day.isoformat()} is in the past."
        answers[field.block] = text
    if not errors:
        errors = _cross_checks(step, answers)
    return answers, errors


def _cross_checks(step: str, answers: dict[str, Any]) -> dict[str, str]:
    rejected = step == "customer_answer" and answers.get("answer") == "rejected"
    if rejected and not answers.get("reason"):
        return {"reason": "Say why the customer rejected the plan."}
    if step == "communication_plan" and answers.get("every_hours", 1) <= 0:
        return {"every_hours": "Give a number of hours above 0."}
    if step == "mark_resolved":
        outcome = OutcomeRecord(
            Outcome(answers["outcome"]),
            answers.get("explanation", ""),
            answers.get("tracker_ref", ""),
            answers.get("resolution_indication", ""),
        )
        try:
            check_outcome(outcome)
        except DomainError as exc:
            return {"outcome": str(exc).capitalize() + "."}
    return {}
