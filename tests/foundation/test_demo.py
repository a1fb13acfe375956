"""``support-bridge demo`` plays the whole story and shows where each step can be seen."""

from __future__ import annotations

import re

from click.testing import CliRunner

from bridge_cli import main


def test_the_demo_plays_a_sev1_ticket_from_arrival_to_closure() -> None:
    result = CliRunner().invoke(main, ["demo"])

    assert result.exit_code == 0, result.output
    steps = re.findall(r"^\s*(\d+)\. ", result.output, re.MULTILINE)
    assert steps == [str(n) for n in range(1, 12)]
    assert "mirrored by the bridge through Zendesk's webhook: True" in result.output
    assert "state: awaiting_customer" in result.output
    assert re.search(
        r"Accept: http://127\.0\.0\.1:\d+/resolution/\S+\?answer=accept", result.output
    )
    assert "page says: Thank you" in result.output
    assert "state: closed" in result.output
    assert re.search(
        r"The board: http://127\.0\.0\.1:\d+/board \(while the demo runs", result.output
    )
    assert re.search(r"/board lists it: active, level 1", result.output)
    # Links open the pages people use, never the tracker's JSON API.
    assert re.search(r"SPAR [A-Z]+-\d+: http://127\.0\.0\.1:\d+/browse/[A-Z]+-\d+", result.output)
    assert "/rest/api/" not in result.output
    # The helpdesk entry point: a tag Zendesk can hold, sent by the documented trigger.
    assert re.search(r"escalation \d+ of ticket \d+: triaged, level 1, urgent", result.output)


def test_demo_keep_leaves_the_story_running_with_its_links_live_until_ctrl_c() -> None:
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import requests

    exe = Path(sys.executable).with_name("support-bridge")
    demo = subprocess.Popen(
        [exe, "demo", "--keep"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert demo.stdout is not None
        told = ""
        for line in demo.stdout:
            told += line
            if "Press Ctrl-C to stop." in line:
                break
        running = re.search(r"the board at (\S+)/board \(token (\S+)\)", told)
        assert running, told
        bridge_url, token = running.groups()
        board = requests.get(
            f"{bridge_url}/board",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=10,
        )
        jira = re.search(r"sandbox: Jira (\S+),", told)
        assert jira, told
        sandbox_jira = requests.get(f"{jira.group(1)}/rest/api/2/serverInfo", timeout=10)
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    assert board.status_code == 200
    assert sandbox_jira.status_code < 500
    assert demo.returncode == 0, rest
    assert "Stopped: the demo's bridge, sandbox and database are gone." in rest
