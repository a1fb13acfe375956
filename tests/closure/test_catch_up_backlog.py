"""Nothing missed while down, when more happened than one catch-up run may read: the run stops
at its page cap, the watermark moves only as far as it read, sync health says the source is
behind, and the next minute's tick reads on from there, until every event is acted on once.
The caps are made small (two events a page, one page a run) so a few events are a backlog."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import requests

from bridge.connectors.zendesk import catchup as zendesk_catch_up
from bridge.jobs.clock import utcnow
from bridge.services.inbound.sync_health import SyncHealth
from bridge.store import tables
from sandbox import Sandbox
from sandbox.helpdesk import zendesk_export

from .sandboxed import Bridge
from .test_catch_up_ars import bridge, bridge_down
from .test_catch_up_freshdesk import accepted
from .test_catch_up_helpdesk import released
from .test_catch_up_marked import asked, marks_found
from .test_helpdesk_replies import reply_as_customer
from .test_helpdesk_trigger import Zendesk

__all__ = ["bridge", "released"]  # the fixtures: every vendor configured, a fix released


def zendesk_health(bridge: Bridge) -> SyncHealth:
    [found] = [s for s in bridge.runtime.services.catch_up.health() if s.connector == "zendesk"]
    return found


def new_ticket(zendesk: Zendesk, subject: str, tags: tuple[str, ...] = ()) -> int:
    answer = requests.post(
        f"{zendesk.url}/_sandbox/tickets", json={"subject": subject, "tags": tags}, timeout=10
    )
    answer.raise_for_status()
    return int(answer.json()["id"])


def all_ten_minutes_earlier(bridge: Bridge, sandbox: Sandbox) -> None:
    """Zendesk's export leaves out the last minute: what happened here, and the watermark,
    are moved ten minutes back, as if the bridge had been down that long."""

    def earlier(stamp: str) -> str:
        at = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) - dt.timedelta(minutes=10)
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")

    with sandbox.zendesk.lock:
        for ticket in sandbox.zendesk.tickets.values():
            ticket.created_at, ticket.updated_at = (
                earlier(ticket.created_at),
                earlier(ticket.updated_at),
            )
            for comment in ticket.comments:
                comment.created_at = earlier(comment.created_at)
            for audit in ticket.audits:
                audit["created_at"] = earlier(audit["created_at"])
    with bridge.runtime.sessions.begin() as session:
        row = session.get(tables.CatchUpWatermark, ("zendesk", "ticket_events"))
        assert row is not None
        row.seen_until -= dt.timedelta(minutes=10)
        row.checked_at -= dt.timedelta(minutes=10)


def one_second_each() -> None:
    """The export pages by the second: each event in its own keeps the pages small."""
    time.sleep(1.05)


def test_a_backlog_beyond_one_run_is_read_on_each_minute_until_every_event_acted_on_once(
    bridge: Bridge, sandbox: Sandbox, released: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    zendesk = Zendesk(sandbox)
    marked = [new_ticket(zendesk, f"Slow exports {n}") for n in range(3)]
    bridge_down(zendesk.url)
    one_second_each()
    reply_as_customer(sandbox, released, "Thanks, fixed! Orders sync again.")
    for ticket in marked:
        one_second_each()
        zendesk.put(ticket, {"tags": ["escalation"]})
    one_second_each()
    marked.append(new_ticket(zendesk, "Checkout times out", tags=("escalation",)))
    bridge.settle()
    all_ten_minutes_earlier(bridge, sandbox)
    assert accepted(sandbox) == 0
    assert asked(sandbox) == []

    monkeypatch.setattr(zendesk_export, "PAGE", 2)
    monkeypatch.setattr(zendesk_catch_up, "MAX_PAGES", 1)
    catch_up = bridge.runtime.services.catch_up
    moment = utcnow()
    catch_up.run(moment)  # the start's run: cut off
    bridge.settle()
    runs, seen_behind = 1, []
    while (health := zendesk_health(bridge)).behind and runs < 40:
        seen_behind.append(health.last_synced)
        assert health.ok(moment, catch_up.interval)  # behind is not failing
        assert "behind" in health.describe(moment)
        assert health.next_due is not None and health.next_due <= moment + dt.timedelta(minutes=1)
        moment += dt.timedelta(minutes=1)
        catch_up.tick(moment)  # the next minute's tick takes the run, not one an interval on
        bridge.settle()
        assert zendesk_health(bridge).checked_at == moment
        runs += 1

    assert runs >= 3  # more than one run was needed, and each went on where the last stopped
    assert seen_behind == sorted(seen_behind) and len(set(seen_behind)) == len(seen_behind)
    assert not zendesk_health(bridge).behind
    assert accepted(sandbox) == 1
    questions = asked(sandbox)
    assert sorted(q.split(" ")[1] for q in questions) == sorted(f"zendesk:{t}" for t in marked)
    assert marks_found(bridge) == len(marked)

    catch_up.run(moment + dt.timedelta(minutes=1))  # the caught-up source, read again
    bridge.settle()
    assert accepted(sandbox) == 1
    assert len(asked(sandbox)) == len(marked)


def test_a_caught_up_source_waits_its_interval(bridge: Bridge, released: int) -> None:
    catch_up = bridge.runtime.services.catch_up
    last = zendesk_health(bridge).checked_at
    assert not zendesk_health(bridge).behind
    catch_up.tick(last + dt.timedelta(minutes=1))
    assert zendesk_health(bridge).checked_at == last
