"""Nothing missed while down, the customer's side: a reply on an escalated Zendesk ticket
made while the bridge heard no webhooks is read through Zendesk's ticket event export, once;
the late event (comment_added) of the same reply is a duplicate."""

from __future__ import annotations

import pytest

from bridge.jobs.clock import utcnow
from sandbox import Sandbox

from .sandboxed import Bridge, Developer
from .test_catch_up_ars import bridge, bridge_down, late_deliveries, stored
from .test_end_to_end import escalated_with_ar, thread
from .test_helpdesk_replies import reply_as_customer

__all__ = ["bridge"]  # the fixture: every vendor configured


@pytest.fixture
def released(bridge: Bridge, sandbox: Sandbox) -> int:
    """A ticket whose fix shipped, the customer told; Zendesk's events reach the bridge, and
    the bridge has started (catch-up ran once): the ticket."""
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk")
    ticket, _, ar = escalated_with_ar(bridge, sandbox)
    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle()
    bridge.runtime.services.catch_up.run(utcnow())
    return ticket


def accepted(sandbox: Sandbox) -> int:
    return len([t for t in thread(sandbox) if "The customer accepted the fix" in t])


def test_a_customer_reply_made_while_down_is_read_once_through_the_event_export(
    bridge: Bridge, sandbox: Sandbox, released: int
) -> None:
    zendesk = sandbox.urls["zendesk"]
    bridge_down(zendesk)
    reply_as_customer(sandbox, released, "Thanks, fixed! Orders sync again.")
    bridge.settle()
    assert accepted(sandbox) == 0

    assert bridge.runtime.services.catch_up.run(utcnow()) >= 1
    bridge.settle()
    assert accepted(sandbox) == 1

    late = late_deliveries(zendesk)
    assert [status for body, status in late if "Orders sync again" in body] == ["duplicate"]
    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert accepted(sandbox) == 1


def test_a_customer_reply_whose_event_arrived_is_not_read_again_through_catch_up(
    bridge: Bridge, sandbox: Sandbox, released: int
) -> None:
    reply_as_customer(sandbox, released, "Thanks, fixed! Orders sync again.")
    bridge.settle()
    assert accepted(sandbox) == 1

    delivered = stored(bridge, "zendesk")
    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert stored(bridge, "zendesk") == delivered
    assert accepted(sandbox) == 1
