"""``support-bridge demo`` plays the whole story and shows where each step can be seen."""

from __future__ import annotations

import re

from click.testing import CliRunner

from bridge.cli import main


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
