"""Nothing missed while down, Freshdesk, when more tickets were updated than one run lists: the
run stops at its page cap, the watermark moves to the last ticket it listed, and the next
minute's tick lists on from there. A reply on an escalated ticket updated again later, past
the cap, is read in the cut-off run all the same; a ticket created with the escalation type
is asked about like one whose type changed. The caps are made small (two tickets a page, one
page a run) so a few tickets are a backlog."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import requests

from bridge.connectors.freshdesk import catchup as freshdesk_catch_up
from bridge.jobs.clock import utcnow
from bridge.services.inbound.sync_health import SyncHealth
from sandbox import Sandbox

from .sandboxed import Bridge
from .test_catch_up_ars import bridge_down
from .test_catch_up_freshdesk import (
    THANKS,
    accepted,
    bridge,
    fresh_ticket,
    mark,
    marks_found,
    released,
    reply_as_customer,
)
from .test_catch_up_marked import asked

__all__ = ["bridge"]  # the fixture: Jira, Slack and Freshdesk configured


def freshdesk_health(bridge: Bridge) -> SyncHealth:
    [found] = [s for s in bridge.runtime.services.catch_up.health() if s.connector == "freshdesk"]
    return found


def created_as_escalation(sandbox: Sandbox, subject: str) -> int:
    """A ticket whose portal form set its type to Escalation when it was created."""
    url = f"{sandbox.urls['freshdesk']}/_sandbox/tickets"
    answer = requests.post(url, json={"subject": subject, "type": "Escalation"}, timeout=10)
    answer.raise_for_status()
    return int(answer.json()["id"])


def one_second_each() -> None:
    """Freshdesk stamps updates to the second: one each keeps the listing's order plain."""
    time.sleep(1.05)


def test_a_backlog_of_updated_tickets_is_listed_on_each_minute_and_acted_on_once(
    bridge: Bridge, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    escalated, _ = released(bridge, sandbox)
    later = [fresh_ticket(sandbox, f"Slow exports {n}") for n in range(3)]
    freshdesk = sandbox.urls["freshdesk"]
    bridge_down(freshdesk)
    one_second_each()
    reply_as_customer(sandbox, escalated, THANKS)
    for ticket in later:
        one_second_each()
        mark(sandbox, ticket)
    one_second_each()
    created = created_as_escalation(sandbox, "Checkout times out")
    one_second_each()
    auth = (sandbox.credentials["freshdesk"]["api_key"], "X")
    requests.put(
        f"{freshdesk}/api/v2/tickets/{escalated}", json={"priority": 3}, auth=auth, timeout=10
    ).raise_for_status()  # the replied ticket is updated again: listed last, past the cap
    bridge.settle()
    assert accepted(sandbox) == 0
    assert asked(sandbox) == []

    monkeypatch.setattr(freshdesk_catch_up, "PER_PAGE", 2)
    monkeypatch.setattr(freshdesk_catch_up, "MAX_TICKET_PAGES", 1)
    catch_up = bridge.runtime.services.catch_up
    moment = utcnow()
    catch_up.run(moment)
    bridge.settle()
    assert freshdesk_health(bridge).behind
    assert accepted(sandbox) == 1  # read in the cut-off run, though its ticket is listed later
    runs = 1
    while (health := freshdesk_health(bridge)).behind and runs < 40:
        assert health.ok(moment, catch_up.interval)
        moment += dt.timedelta(minutes=1)
        catch_up.tick(moment)
        bridge.settle()
        assert freshdesk_health(bridge).checked_at == moment
        runs += 1

    assert runs >= 2  # the first run was cut off (behind), a later one went on
    assert accepted(sandbox) == 1
    marked = [*later, created]
    questions = asked(sandbox)
    assert sorted(q.split(" ")[1] for q in questions) == sorted(f"freshdesk:{t}" for t in marked)
    assert marks_found(bridge) == len(marked)

    catch_up.run(moment + dt.timedelta(minutes=1))
    bridge.settle()
    assert accepted(sandbox) == 1
    assert len(asked(sandbox)) == len(marked)
