"""Acting as a person in Slack: run `/escalate`, fill the triage modal the app opened, submit.

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
    deadline = time.monotonic() + MODAL_WAIT_SECONDS
    while not (opened := [v for v in list(slack.world.views) if v not in opened_before]):
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    if not opened:
        msg = f"/escalate {command_text} opened no modal (see the bridge's answer to the command)"
        raise RuntimeError(msg)
    view = dict(slack.world.views[opened[-1]]) | {"id": opened[-1]}
    payload = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX1"},
        "user": {"id": user},
        "trigger_id": f"{opened[-1]}.submit",
        "view": view
        | {"state": {"values": {block: {**answer} for block, answer in values.items()}}},
    }
    slack.app.test_client().post("/_sandbox/interaction", json={"payload": payload})
    sandbox.flush_webhooks()
    return view
