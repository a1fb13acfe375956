"""Asking the customer for logs from Slack: the "More steps" entry opens its form, and the
customer gets a public reply on their ticket naming what to send (seed 004: an escalation comes
with "any supporting configuration and log files")."""

from __future__ import annotations

from sandbox import Sandbox
from sandbox.slack import person

from . import test_slack_steps
from .sandboxed import Bridge
from .test_slack_steps import ERIN, escalated_in_slack, thread
from .test_slack_steps_all import step

slack_signing = test_slack_steps.slack_signing  # the fixture, shared


def test_the_engineer_asks_the_customer_for_logs_on_their_ticket(
    slack_signing: None, bridge: Bridge, sandbox: Sandbox
) -> None:
    escalation_id = escalated_in_slack(bridge, sandbox)
    what = "the export service's log from Monday 08:00 UTC and its <config> file"

    step(bridge, sandbox, ERIN, escalation_id, "request_logs", what=person.typed(what))

    assert (
        "Asked the customer for logs: the export service's log from Monday 08:00 UTC and its "
        "&lt;config&gt; file" in thread(sandbox)
    )
    [ticket] = sandbox.zendesk.tickets.values()
    asked = f"To investigate further, please send us: {what}"
    assert (asked, True) in [(comment.body, comment.public) for comment in ticket.comments]
    assert sandbox.violations == []
