"""Acting as a person in Slack: run `/escalate` and fill the triage modal the app opened, or
take a step from an escalation's message and fill that step's form.

Everything goes the way Slack sends it — a signed slash command, then a signed `view_submission`
built from the modal the app really opened in this sandbox — so the demo and tests exercise the
bridge's own Slack surface, not a shortcut into it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.runner import Sandbox

MODAL_WAIT_SECONDS = 5.0


def _choice(value: str, kind: str = "radio_buttons") -> dict[str, Any]:
    return {"value": {"type": kind, "selected_option": {"value": value}}}


def _typed(value: str, kind: str = "plain_text_input") -> dict[str, Any]:
    return {"value": {"type": kind, "value": value}}


def triage_values(
    *,
    reason: str,
    what_happened: str,
    production_down: bool,
    users_affected: int,
    financial_loss: str,
    contact: tuple[str, str, str, str],
) -> dict[str, Any]:
    """The state of the triage modal, as Slack reports a filled-in form."""
    name, phone, email, hours = contact
    yes_no = {True: "yes", False: "no"}
    return {
        "reason_category": _choice(reason, "static_select"),
        "reason_text": _typed(what_happened),
        "production_down": _choice(yes_no[production_down]),
        "acceptable_workaround": _choice("no"),
        "core_functionality_severely_affected": _choice(yes_no[production_down]),
        "anticipated_financial_loss": _typed(financial_loss),
        "users_affected": _typed(str(users_affected), "number_input"),
        "go_live_effect": _typed(""),
        "contact_name": _typed(name),
        "contact_phone": _typed(phone),
        "contact_email": _typed(email, "email_text_input"),
        "contact_hours": _typed(hours),
        "review": {
            "value": {
                "type": "checkboxes",
                "selected_options": [
                    {"value": "problem_statement_correct"},
                    {"value": "business_impact_described"},
                ],
            }
        },
        "workaround_impractical": _choice("none"),
    }


def escalate(
    sandbox: Sandbox, user: str, command_text: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Type `/escalate <command_text>`, then submit the modal the app opened; returns the view."""
    slack = sandbox.slack
    opened_before = set(slack.world.views)
    slack.app.test_client().post(
        "/_sandbox/slash_command", json={"user_id": user, "text": command_text}
    )
    sandbox.flush_webhooks()
    # Bolt answers the command as soon as it is acknowledged and opens the modal after, as
    # Slack itself allows: the person waits for the modal to appear, as they would.
    what = f"/escalate {command_text} (see the bridge's answer to the command)"
    view_id = _wait_for_new_view(slack, opened_before, what)
    view = dict(slack.world.views[view_id]) | {"id": view_id}
    payload = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX1"},
        "user": {"id": user},
        "trigger_id": f"{view_id}.submit",
        "view": view
        | {"state": {"values": {block: {**answer} for block, answer in values.items()}}},
    }
    slack.app.test_client().post("/_sandbox/interaction", json={"payload": payload})
    sandbox.flush_webhooks()
    return view


def _wait_for_new_view(slack: Any, opened_before: set[str], what: str) -> str:
    deadline = time.monotonic() + MODAL_WAIT_SECONDS
    while not (opened := [v for v in list(slack.world.views) if v not in opened_before]):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} opened no modal (see the bridge's log)")
        time.sleep(0.01)
    return opened[-1]


def press_step(
    sandbox: Sandbox,
    user: str,
    escalation_id: int | str,
    step: str,
    channel: str = "C0SUPPORT01",
) -> None:
    """Press the step's button on the escalation's message (or choose it in its "More steps"
    menu), and leave it there: the app opens the step's form, or tells the person why not."""
    slack = sandbox.slack
    trigger = f"{int(time.time())}.{step}.{len(slack.world.views)}.sandbox"
    action: dict[str, Any] = {"block_id": "escalation", "action_ts": f"{time.time():.6f}"}
    if _offered(slack, escalation_id, step) == "button":
        action |= {"type": "button", "action_id": f"escalation.{step}"}
        action["value"] = str(escalation_id)
    else:
        selected = {"value": f"{step}:{escalation_id}"}
        action |= {"type": "static_select", "action_id": "escalation.more"}
        action["selected_option"] = selected
    press = {
        "type": "block_actions",
        "team": {"id": "T0SANDBOX1"},
        "user": {"id": user},
        "channel": {"id": channel},
        "trigger_id": trigger,
        "message": {"ts": "0"},
        "actions": [action],
    }
    slack.app.test_client().post("/_sandbox/interaction", json={"payload": press})
    sandbox.flush_webhooks()


def press_button(sandbox: Sandbox, user: str, message: Any, action_id: str) -> None:
    """Press the button ``action_id`` on a message the app posted, as Slack sends the press:
    with the button's own value and the message it is on."""
    buttons = [
        element
        for block in message.blocks or []
        if block.get("type") == "actions"
        for element in block.get("elements") or []
        if element.get("action_id") == action_id
    ]
    if not buttons:
        raise LookupError(f"no button {action_id} on message {message.ts}")
    button = buttons[0]
    action = {
        "type": "button",
        "block_id": "reply",
        "action_id": action_id,
        "value": button["value"],
        "action_ts": f"{time.time():.6f}",
    }
    press = {
        "type": "block_actions",
        "team": {"id": "T0SANDBOX1"},
        "user": {"id": user},
        "channel": {"id": message.channel},
        "trigger_id": f"{time.time():.6f}.{action_id}.{user}.sandbox",
        "message": {"ts": message.ts, "thread_ts": message.thread_ts},
        "actions": [action],
    }
    sandbox.slack.app.test_client().post("/_sandbox/interaction", json={"payload": press})
    sandbox.flush_webhooks()


def take_step(
    sandbox: Sandbox,
    user: str,
    escalation_id: int | str,
    step: str,
    values: dict[str, Any],
    channel: str = "C0SUPPORT01",
) -> dict[str, Any]:
    """Press the step's button on the escalation's message (or choose it in its "More steps"
    menu), then submit the form the app opened with ``values`` (block id → element state)."""
    slack = sandbox.slack
    opened_before = set(slack.world.views)
    press_step(sandbox, user, escalation_id, step, channel)
    view_id = _wait_for_new_view(slack, opened_before, f"{step} on escalation {escalation_id}")
    view = dict(slack.world.views[view_id]) | {"id": view_id}
    submitted = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX1"},
        "user": {"id": user},
        "trigger_id": f"{view_id}.submit",
        "view": view | {"state": {"values": values}},
    }
    slack.app.test_client().post("/_sandbox/interaction", json={"payload": submitted})
    sandbox.flush_webhooks()
    return view


def _offered(slack: Any, escalation_id: int | str, step: str) -> str:
    """How the escalation's message offers ``step``: "button" or "menu", as a person sees it.
    Another escalation's message shows the same steps when this one's shows none (it is
    closed, or the bridge does not have it); with none in sight, the person replays the menu of
    a copy of the message they still have open."""
    shown = [m for m in reversed(slack.world.messages) if _step_elements(m)]
    own = [m for m in shown if str(escalation_id) in _values(m)]
    for message in own[:1] or shown[:1]:
        for element in _step_elements(message):
            if element.get("action_id") == f"escalation.{step}":
                return "button"
            options = element.get("options") or []
            if any(o.get("value", "").startswith(f"{step}:") for o in options):
                return "menu"
        raise LookupError(f"the escalation's message offers no step {step}")
    return "menu"


def _step_elements(message: Any) -> list[dict[str, Any]]:
    return [
        element
        for block in message.blocks or []
        if block.get("block_id") == "escalation"
        for element in block.get("elements") or []
    ]


def _values(message: Any) -> set[str]:
    found = {str(element.get("value")) for element in _step_elements(message)}
    for element in _step_elements(message):
        found |= {o.get("value", "").partition(":")[2] for o in element.get("options") or []}
    return found


def typed(value: str) -> dict[str, Any]:
    return _typed(value)


def chosen(value: str) -> dict[str, Any]:
    return _choice(value, "static_select")


def picked_date(day: str) -> dict[str, Any]:
    return {"value": {"type": "datepicker", "selected_date": day}}


def picked_user(user: str) -> dict[str, Any]:
    return {"value": {"type": "users_select", "selected_user": user}}


def number(value: float) -> dict[str, Any]:
    return _typed(str(value), "number_input")
