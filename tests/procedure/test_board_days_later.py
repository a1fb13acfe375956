"""Red on the board means something is owed and late: four escalations, one fixed and
accepted, one answered, one only acknowledged and one left alone, and three business days
pass over them with the bridge ticking every hour."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bridge.domain.enums import PlanKind
from tests.procedure.world import CONFIG, World, local, world
from webhooks.app import create_app

UK = "Europe/London"
TUESDAY_10AM = local(2026, 11, 10, 10, tz=UK)
TOKEN = "board-token-for-the-days-later"


def board_page(bridge: World, path: str, accept: str = "application/json") -> Any:
    client = create_app(runtime=bridge.runtime).test_client()
    answer = client.get(path, headers={"Authorization": f"Bearer {TOKEN}", "Accept": accept})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json() if accept == "application/json" else answer.get_data(as_text=True)


def the_board(bridge: World) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in board_page(bridge, "/board")["escalations"]}


def clocks_on_the_page(bridge: World, escalation_id: int) -> dict[str, str]:
    page = board_page(bridge, f"/board/escalations/{escalation_id}")
    return {clock["kind"]: clock["state"] for clock in page["clocks"]}


def test_three_business_days_on_only_the_escalations_nobody_answered_are_red(
    tmp_path: Path,
) -> None:
    config = {**CONFIG, "api_token": TOKEN, "secret_key": "board-secret-for-the-days-later"}
    with world(tmp_path, TUESDAY_10AM, config) as bridge:
        accepted, answered, acknowledged, forgotten = (
            bridge.ticket(number, region="uk", severity=2) or bridge.escalate(number)
            for number in ("6001", "6002", "6003", "6004")
        )
        bridge.advance(dt.timedelta(minutes=20))
        for escalation_id in (accepted, answered, acknowledged):
            bridge.acknowledge(escalation_id)
        for escalation_id in (accepted, answered):
            bridge.status_update(escalation_id)
        bridge.assign(accepted)
        bridge.propose(accepted, PlanKind.PATCH)
        bridge.answer_plan(accepted, accepted=True)
        bridge.file_ar(accepted)
        bridge.advance(dt.timedelta(hours=3))
        bridge.ship(accepted)
        bridge.customer_answers_notice(accepted, accept=True)

        bridge.advance_to(local(2026, 11, 13, 16, tz=UK))  # Friday afternoon
        board = the_board(bridge)

        red = {
            escalation_id
            for escalation_id, row in board.items()
            if row["next_due"] is not None and row["next_due"]["overdue"]
        }
        assert red == {acknowledged, forgotten}
        assert {board[e]["next_due"]["kind"] for e in red} == {"reply"}
        assert board[accepted]["state"] == "monitoring"
        assert board[answered]["next_due"] is None  # nothing owed until the customer writes
        levels = {escalation_id: bridge.level(escalation_id) for escalation_id in board}
        # Each clock owed and not given breached once: the acknowledged one's reply, and both
        # of the forgotten one's.
        assert levels == {accepted: 1, answered: 1, acknowledged: 2, forgotten: 3}
        assert len(bridge.breaches(forgotten)) == 2
        assert len(bridge.breaches(acknowledged)) == 1
        # The escalation's page shows each clock as it stands.
        assert clocks_on_the_page(bridge, accepted) == {  # severity 2: no patch clock (000)
            "acknowledge": "met on time",
            "reply": "met on time",
        }
        assert clocks_on_the_page(bridge, answered) == {
            "acknowledge": "met on time",
            "reply": "met on time",
        }
        assert clocks_on_the_page(bridge, forgotten) == {
            "acknowledge": "breached",
            "reply": "breached",
        }
        html = board_page(bridge, f"/board/escalations/{forgotten}", accept="text/html")
        assert "<h2>SLA clocks</h2>" in html and "breached, due" in html
