"""The bridge stopped while the vendors go on: the process that starts again finds what it missed
through catch-up, as real processes on the embedded engine, each effect once, within the
vendors' own rate limits, and once still when the lost webhooks are delivered late after all.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy import select

from bridge.runtime import Runtime
from bridge.store.tables import CatchUpWatermark, InboxRow
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from sandbox.runner import DEFAULT_CHANNEL, DEFAULT_REPO
from tests.closure.test_catch_up_ars import late_deliveries
from tests.faults.downtime_story import (
    CATCH_UP_MINUTES,
    CUSTOMERS,
    SIGNED,
    Downtime,
    drop_webhooks,
    lost_so_far,
    set_up,
    vendors_limits_on,
    what_it_told,
    while_down,
)
from tests.faults.processes import (
    BridgeProcess,
    bridge_env,
    free_port,
    wait_until,
)
from tests.webhooks.signing import secret_variable


@pytest.fixture
def env(sandbox: Sandbox, isolated_settings: Path) -> dict[str, str]:
    """A bridge.yaml naming the sandbox (every connector but e-mail, Jira the tracker, catch-up
    every minute), the data in the work directory, the webhooks' secrets and a port to serve."""
    connectors = connector_settings(sandbox)
    del connectors["email"]
    config = {
        "routing": {
            "default_channel": DEFAULT_CHANNEL,
            "default_tracker": "jira",
            "rules": [
                {"match": {"customer": [customer]}, "channel": channel}
                for customer, channel in CUSTOMERS.items()
                if channel != DEFAULT_CHANNEL
            ],
        },
        "catch_up": {"every_minutes": CATCH_UP_MINUTES},
        "connectors": connectors,
    }
    config_path = isolated_settings / "bridge.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    settings = {
        "CONFIG": str(config_path),
        "DATA_DIR": str(isolated_settings / "var"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CONSUMER_THREADS": "4",
    }
    settings |= {
        secret_variable(vendor).removeprefix("BRIDGE_"): sandbox.webhook_secrets[vendor]
        for vendor in SIGNED
    }
    return bridge_env(settings)


def _watermarked(runtime: Runtime) -> bool:
    with runtime.sessions() as session:
        return session.get(CatchUpWatermark, ("github", DEFAULT_REPO)) is not None


def _release_rows(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        rows = session.scalars(select(InboxRow).where(InboxRow.event_type == "release.published"))
        return [row.status for row in rows]


def test_a_worker_started_after_downtime_catches_up_on_the_release_it_missed(
    sandbox: Sandbox, runtime: Runtime, env: dict[str, str], isolated_settings: Path
) -> None:
    first = BridgeProcess("worker-1", ["worker", "--threads", "1"], env, isolated_settings)
    try:
        wait_until(lambda: _watermarked(runtime), "the first start records a watermark", [first])
    finally:
        first.stop()

    # The bridge is down: no webhook reaches it while the release ships.
    control = f"{sandbox.urls['github']}/_sandbox/repos/{DEFAULT_REPO}/releases"
    made = requests.post(control, json={"tag_name": "v9.9.9", "body": "Fixed: #7"}, timeout=10)
    assert made.status_code == 201
    assert _release_rows(runtime) == []

    second = BridgeProcess("worker-2", ["worker", "--threads", "1"], env, isolated_settings)
    try:
        wait_until(
            lambda: _release_rows(runtime) in (["done"], ["ignored"]),
            "the missed release is stored and processed",
            [second],
        )
        assert "caught up on 1 event(s) sent while the bridge was down" in second.output()
    finally:
        second.stop()


# -- the whole downtime: a release, a marked ticket, a customer's reply, a developer's comment --


@pytest.fixture
def downtime(
    sandbox: Sandbox, runtime: Runtime, env: dict[str, str], isolated_settings: Path
) -> Any:
    running = Downtime(sandbox, runtime, env, isolated_settings)
    try:
        yield running
    finally:
        for process in running.processes:
            process.stop()


@pytest.mark.parametrize("late", [False, True], ids=["lost", "late"])
def test_everything_sent_while_the_bridge_was_stopped_acts_once_when_it_starts_again(
    sandbox: Sandbox, downtime: Downtime, late: bool
) -> None:
    limits = vendors_limits_on(sandbox)
    assert limits["slack"] == {"post_per_channel": "1/second"}
    first = downtime.start()
    tickets, ar, zendesk, issue = set_up(downtime, sandbox)
    replied = tickets[1]
    first.stop()

    drop_webhooks(sandbox)
    marked = while_down(sandbox, zendesk, ar, issue, replied)

    lost_while_down = lost_so_far(sandbox)
    started = time.monotonic()
    second = downtime.start()
    expected = {
        "notices": [1, 1, 1],
        "asked to triage": 1,
        "reply heard": 1,
        "comment in thread": 1,
        "comment as internal note": 1,
    }
    wait_until(
        lambda: downtime.effects(tickets, tickets[0], replied) == expected,
        "every effect of the downtime is seen",
        [second],
        timeout=CATCH_UP_MINUTES * 60,
    )
    caught_up = time.monotonic() - started
    downtime.wait_idle("nothing is left to do")
    assert "event(s) sent while the bridge was down" in second.output()
    assert downtime.effects(tickets, tickets[0], replied) == expected
    assert downtime.escalations_of(marked) == []
    assert downtime.pending_requests() == ["pending"]

    if late:
        late_answers = {
            body: status
            for vendor in SIGNED
            for body, status in late_deliveries(sandbox.urls[vendor])
        }
        told = Counter(what_it_told(body) for body in lost_while_down)
        answered = Counter((what_it_told(body), late_answers[body]) for body in lost_while_down)
        # What catch-up found is a duplicate; the trigger alone is news, with the triage
        # answers catch-up could not have.
        assert told == Counter(
            ["github release", "zendesk trigger", "zendesk comment_added", "jira comment_created"]
        )
        assert answered == Counter(
            {(what, "accepted" if what == "zendesk trigger" else "duplicate"): 1 for what in told}
        )
        wait_until(
            lambda: len(downtime.escalations_of(marked)) == 1,
            "the late trigger opens the escalation",
            [second],
        )
        downtime.wait_idle("the late deliveries are acted on")
        assert downtime.pending_requests() == ["escalated"]
        assert downtime.effects(tickets, tickets[0], replied) == expected

    assert downtime.too_many_requests() == []
    assert downtime.dead_letters() == []
    print(f"caught up in {caught_up:.1f} s (late webhooks: {late})")
