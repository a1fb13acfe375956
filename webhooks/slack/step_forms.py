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
from typing import Any

from bridge import catalogue
from bridge.catalogue.spec import Form, FormField
from bridge.domain.enums import Outcome
from bridge.domain.errors import DomainError
from bridge.domain.records import OutcomeRecord
from bridge.domain.resolution import check_outcome
from webhooks.slack.form_presets import Preset

CALLBACK_ID = "escalation_step"


# A field as the catalogue declares it; ``Field`` is its name in this module's callers.
Field = FormField

FORMS: dict[str, Form] = {
    declared.name: declared.form
    for declared in catalogue.offered_on(catalogue.Surface.FORM)
    if declared.form is not None
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
