"""Sync health: how catch-up stands with each vendor source, as support reads it in
``support-bridge sync status``, ``doctor``, ``/metrics`` and on the escalation's timeline page;
a failing source is named with its error, and ``sync now`` mends it once the vendor answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result

from bridge.jobs.clock import utcnow
from bridge.store.watermarks import Watermarks
from bridge_cli import main
from sandbox import Sandbox
from sandbox.core.faults import Fault

from .sandboxed import Bridge, served_bridge
from .test_end_to_end import escalated_with_ar

TOKEN = "sync-health-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
VERSIONS = "GET /rest/api/*/project/*/versions"


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bridge]:
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    with served_bridge(sandbox, isolated_settings, monkeypatch) as served:
        yield served


def _sync(*args: str) -> Result:
    return CliRunner().invoke(main, ["sync", *args], catch_exceptions=False)


def _timeline(bridge: Bridge, escalation_id: int) -> str:
    page = requests.get(f"{bridge.url}/board/escalations/{escalation_id}", headers=AUTH, timeout=10)
    assert page.status_code == 200
    return page.text


def _metric(bridge: Bridge, name: str, scope: str, connector: str = "jira") -> float:
    text = requests.get(f"{bridge.url}/metrics", timeout=10).text
    [line] = [
        line
        for line in text.splitlines()
        if line.startswith(f'{name}{{connector="{connector}",scope="{scope}"}}')
    ]
    return float(line.rsplit(" ", 1)[1])


def test_a_caught_up_source_reads_ok_everywhere_support_looks(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    _, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    bridge.runtime.services.catch_up.run(utcnow())  # the start's run: the first watermark

    shown = _sync("status")
    assert shown.exit_code == 0, shown.output
    assert "jira" in shown.output and "DEV" in shown.output and "OK" in shown.output

    page = _timeline(bridge, escalation_id)
    assert "Sync with development" in page
    assert "jira DEV: last synced just now; next catch-up in 15 min" in page
    assert _metric(bridge, "bridge_catch_up_failing", "DEV") == 0
    synced = _metric(bridge, "bridge_catch_up_last_synced_timestamp_seconds", "DEV")
    assert abs(synced - utcnow().timestamp()) < 60


def test_a_failing_source_is_named_with_its_error_until_sync_now_mends_it(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    _, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    bridge.runtime.services.catch_up.run(utcnow())
    sandbox.jira.faults.add(Fault(route=VERSIONS, status=403, message="Forbidden: no access"))

    failed = _sync("now")
    assert failed.exit_code == 1
    assert "FAILING" in failed.output
    assert _metric(bridge, "bridge_catch_up_failing", "DEV") == 1
    page = _timeline(bridge, escalation_id)
    assert "sync-failing" in page and "failed:" in page

    doctor = CliRunner().invoke(main, ["doctor"], catch_exceptions=False)
    assert doctor.exit_code == 1
    assert "catch-up jira DEV" in doctor.output
    assert "sync now" in doctor.output

    sandbox.jira.faults.clear()
    mended = _sync("now")
    assert mended.exit_code == 0, mended.output
    assert "caught up" in mended.output and "FAILING" not in mended.output
    assert _metric(bridge, "bridge_catch_up_failing", "DEV") == 0


def test_a_source_nobody_caught_up_for_hours_is_lagging(bridge: Bridge, sandbox: Sandbox) -> None:
    hours_ago = utcnow() - dt.timedelta(hours=3)
    bridge.runtime.services.catch_up.run(hours_ago)  # the last run anyone made

    shown = _sync("status")
    assert shown.exit_code == 1
    assert "LAGGING" in shown.output


def test_a_source_a_cut_off_run_left_behind_reads_behind_not_failing(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    now = utcnow()
    bridge.runtime.services.catch_up.run(now)  # the start's run: the first watermarks
    Watermarks(bridge.runtime.sessions).record(  # a run stopped at its page cap, 10 min back
        "zendesk",
        "ticket_events",
        checked_at=now,
        seen_until=now - dt.timedelta(minutes=10),
        cut_off=True,
    )

    shown = _sync("status")
    assert shown.exit_code == 0, shown.output
    assert "BEHIND" in shown.output
    assert _metric(bridge, "bridge_catch_up_behind", "ticket_events", "zendesk") == 1
    assert _metric(bridge, "bridge_catch_up_failing", "ticket_events", "zendesk") == 0
    assert _metric(bridge, "bridge_catch_up_behind", "DEV") == 0
    doctor = CliRunner().invoke(main, ["doctor"], catch_exceptions=False)
    [row] = [line for line in doctor.output.splitlines() if "catch-up zendesk" in line]
    assert "behind" in row
