"""/board/insights, its CSV and the insights on /metrics, checked against one week worked out
by hand: three escalations on a 24x7 contract through ISO week 46 of 2026 (Monday 9 November
to Monday 16 November, UTC), with the bridge ticking every hour.

    E1  Acme Ltd, sev 1. Opened Mon 09:00, acknowledged 10:00 (1 h, within 4 h), first reply
        (a public status update) 11:00 (2 h, within a business day: 24 h on 24x7), plan
        accepted and AR filed 11:00 (patch clock: 24 h wall), fix shipped Tue 09:00 (on
        time), customer accepts Tue 12:00 (27 h after opening).
    E2  Acme Ltd, sev 1. Opened Mon 09:00; its acknowledge clock falls due at 13:00 unmet
        (level 2), acknowledged and first reply at 15:00 (6 h: reply on time); plan rejected,
        renegotiated, accepted; AR filed 15:00 (patch due Tue 15:00), fix shipped Wed 09:00
        (late), customer says *Still broken* Wed 10:00.
    E3  a customer whose name is a spreadsheet formula, sev 2. Opened Mon 09:00, nobody
        answers: acknowledge and reply both fall due Tue 09:00 unmet (24 h each on 24x7).

So in week 46: acknowledge 1 met of 3 decided (sev 1: 1 of 2, sev 2: 0 of 1), reply 2 of 3,
patch 1 of 2 (E2's patch clock started at level 2). Time to acknowledge 1 h and 6 h: median
(nearest rank, rank 1 of 2) 1 h, p90 (rank 2) 6 h; first reply 2 h / 6 h; accepted fix 27 h.
Three opened, none closed; first answers 1 accept of 2; answers 1 still broken of 2; one
renegotiation.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.showing.insights import Insights
from bridge.store import tables
from tests.procedure.world import CONFIG, World, world
from webhooks.app import create_app
from webhooks.insights import inert

from .conftest import AUTH, add_ticket, close_it, escalate

TOKEN = "insights-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
MONDAY_9AM = dt.datetime(2026, 11, 9, 9, tzinfo=dt.UTC)
HOSTILE = '=HYPERLINK("http://evil.example","Click")'
HOUR = 3600
SIX_HOURS = dt.timedelta(hours=6)

# (figure, clock, dimension, group) -> (value, numerator, denominator), week 2026-W46
WEEK_46 = {
    ("sla_attainment", "acknowledge", "all", "all"): ("0.3333", "1", "3"),
    ("sla_attainment", "reply", "all", "all"): ("0.6667", "2", "3"),
    ("sla_attainment", "patch", "all", "all"): ("0.5000", "1", "2"),
    ("sla_attainment", "acknowledge", "severity", "sev 1"): ("0.5000", "1", "2"),
    ("sla_attainment", "acknowledge", "severity", "sev 2"): ("0", "0", "1"),
    ("sla_attainment", "reply", "severity", "sev 1"): ("1", "2", "2"),
    ("sla_attainment", "reply", "severity", "sev 2"): ("0", "0", "1"),
    ("sla_attainment", "patch", "severity", "sev 1"): ("0.5000", "1", "2"),
    ("sla_attainment", "acknowledge", "region", "24x7"): ("0.3333", "1", "3"),
    ("sla_attainment", "reply", "region", "24x7"): ("0.6667", "2", "3"),
    ("sla_attainment", "patch", "region", "24x7"): ("0.5000", "1", "2"),
    ("sla_attainment", "acknowledge", "level", "level 1"): ("0.3333", "1", "3"),
    ("sla_attainment", "reply", "level", "level 1"): ("0.6667", "2", "3"),
    ("sla_attainment", "patch", "level", "level 1"): ("1", "1", "1"),
    ("sla_attainment", "patch", "level", "level 2"): ("0", "0", "1"),
    ("sla_attainment", "acknowledge", "customer", "Acme Ltd"): ("0.5000", "1", "2"),
    ("sla_attainment", "reply", "customer", "Acme Ltd"): ("1", "2", "2"),
    ("sla_attainment", "patch", "customer", "Acme Ltd"): ("0.5000", "1", "2"),
    ("sla_attainment", "acknowledge", "customer", "'" + HOSTILE): ("0", "0", "1"),
    ("sla_attainment", "reply", "customer", "'" + HOSTILE): ("0", "0", "1"),
    ("time_to_acknowledge_seconds", "", "", "median"): (str(1 * HOUR), "", "2"),
    ("time_to_acknowledge_seconds", "", "", "p90"): (str(6 * HOUR), "", "2"),
    ("time_to_first_reply_seconds", "", "", "median"): (str(2 * HOUR), "", "2"),
    ("time_to_first_reply_seconds", "", "", "p90"): (str(6 * HOUR), "", "2"),
    ("time_to_accepted_fix_seconds", "", "", "median"): (str(27 * HOUR), "", "1"),
    ("time_to_accepted_fix_seconds", "", "", "p90"): (str(27 * HOUR), "", "1"),
    ("escalations_opened", "", "", ""): ("3", "", ""),
    ("escalations_closed", "", "", ""): ("0", "", ""),
    ("first_time_acceptance", "", "", ""): ("0.5000", "1", "2"),
    ("still_broken", "", "", ""): ("0.5000", "1", "2"),
    ("renegotiations", "", "", ""): ("1", "", ""),
    ("plans_flagged_by_development", "", "", ""): ("0", "", ""),
}


@pytest.fixture
def week_46(tmp_path: Path) -> Iterator[tuple[World, dict[str, int]]]:
    config = {**CONFIG, "api_token": TOKEN, "secret_key": "insights-secret-for-tests"}
    with world(tmp_path, MONDAY_9AM, config) as bridge:
        bridge.ticket("1", region="24x7", severity=1, organization="Acme Ltd")
        bridge.ticket("2", region="24x7", severity=1, organization="Acme Ltd")
        bridge.ticket("3", region="24x7", severity=2, organization=HOSTILE)
        e1, e2, e3 = bridge.escalate("1"), bridge.escalate("2"), bridge.escalate("3")
        bridge.advance(dt.timedelta(hours=1))  # 10:00
        bridge.acknowledge(e1)
        bridge.advance(dt.timedelta(hours=1))  # 11:00
        bridge.status_update(e1)
        bridge.assign(e1)
        bridge.propose(e1)
        bridge.answer_plan(e1, accepted=True)
        bridge.file_ar(e1)
        bridge.advance(dt.timedelta(hours=4))  # 15:00
        bridge.acknowledge(e2)
        bridge.status_update(e2)
        bridge.assign(e2)
        bridge.propose(e2)
        bridge.answer_plan(e2, accepted=False)
        bridge.renegotiate(e2)
        bridge.propose(e2)
        bridge.answer_plan(e2, accepted=True)
        bridge.file_ar(e2)
        bridge.advance_to(dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC), every=SIX_HOURS)
        bridge.ship(e1)
        bridge.advance_to(dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC))
        bridge.customer_answers_notice(e1, accept=True)
        bridge.advance_to(dt.datetime(2026, 11, 11, 9, tzinfo=dt.UTC), every=SIX_HOURS)
        bridge.ship(e2)
        bridge.advance_to(dt.datetime(2026, 11, 11, 10, tzinfo=dt.UTC))
        bridge.customer_answers_notice(e2, accept=False)
        # The rest of the week, ticking every six hours (the figures count due times, not ticks).
        bridge.advance_to(dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC), every=SIX_HOURS)
        yield bridge, {"e1": e1, "e2": e2, "e3": e3}


def client_of(bridge: World) -> FlaskClient:
    return create_app(runtime=bridge.runtime).test_client()


def csv_of(
    client: FlaskClient, query: str = "?weeks=2", headers: dict[str, str] = BEARER
) -> list[dict[str, str]]:
    answer = client.get(f"/board/insights.csv{query}", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def figures(rows: list[dict[str, str]], week: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    return {
        (row["figure"], row["clock"], row["dimension"], row["group"]): (
            row["value"],
            row["numerator"],
            row["denominator"],
        )
        for row in rows
        if row["week"] == week
    }


def test_the_csv_gives_the_hand_computed_week(week_46: tuple[World, dict[str, int]]) -> None:
    bridge, _ = week_46
    rows = csv_of(client_of(bridge))
    assert list(rows[0]) == [
        "week",
        "week_starts",
        "figure",
        "clock",
        "dimension",
        "group",
        "value",
        "numerator",
        "denominator",
    ]
    assert figures(rows, "2026-W46") == WEEK_46
    assert {row["week_starts"] for row in rows if row["week"] == "2026-W46"} == {"2026-11-09"}
    # E2 still waits on its AR (the customer said Still broken); E1 was accepted.
    assert waiting_on(rows) == [("DEV-2", "1", "1")]


def test_the_page_shows_the_hand_computed_week(week_46: tuple[World, dict[str, int]]) -> None:
    bridge, _ = week_46
    answer = client_of(bridge).get("/board/insights?weeks=2", headers=BEARER)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "ISO weeks in UTC" in page
    assert "2026-W47 (so far)" in page
    assert page.count("<svg") == 4
    # The acknowledge clock's overall row: 33 % of week 46, nothing decided in week 47 yet.
    assert (
        '<tr data-group="all"><th scope="row">All</th><td class="n">33%'
        '<span class="of">1 of 3</span></td><td class="n">—</td></tr>'
    ) in page
    assert '<td class="n">1h 00m · p90 6h 00m<span class="of">2 escalations</span>' in page
    assert '<td class="n">1d 3h · p90 1d 3h<span class="of">1 escalation</span>' in page
    assert '<th scope="row">Opened</th><td class="n">3</td><td class="n">0</td>' in page
    assert '<td class="n">50%<span class="of">1 of 2</span></td>' in page  # first time, broken
    # The customer named as a formula is text on the page, never markup.
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;Click&#34;)" in page
    assert HOSTILE not in page
    assert "DEV-2" in page


def test_metrics_give_the_last_completed_week(week_46: tuple[World, dict[str, int]]) -> None:
    bridge, _ = week_46
    text = client_of(bridge).get("/metrics").get_data(as_text=True)
    for line in (
        'bridge_sla_attainment_ratio{clock="acknowledge",severity="1"} 0.5',
        'bridge_sla_attainment_ratio{clock="acknowledge",severity="2"} 0.0',
        'bridge_sla_attainment_ratio{clock="reply",severity="1"} 1.0',
        'bridge_sla_attainment_ratio{clock="patch",severity="1"} 0.5',
        'bridge_time_to_acknowledge_seconds{quantile="0.5"} 3600.0',
        'bridge_time_to_acknowledge_seconds{quantile="0.9"} 21600.0',
        'bridge_time_to_first_reply_seconds{quantile="0.5"} 7200.0',
        'bridge_time_to_accepted_fix_seconds{quantile="0.9"} 97200.0',
        "bridge_escalations_opened_last_week 3.0",
        "bridge_escalations_closed_last_week 0.0",
        "bridge_renegotiations_last_week 1.0",
        "bridge_first_time_acceptance_ratio 0.5",
        "bridge_still_broken_ratio 0.5",
        'bridge_ar_customers_waiting{ar="DEV-2",system="jira"} 1.0',
    ):
        assert line in text.splitlines(), line


def test_a_past_week_keeps_its_figures_after_new_activity(
    week_46: tuple[World, dict[str, int]],
) -> None:
    bridge, ids = week_46
    before = figures(csv_of(client_of(bridge)), "2026-W46")
    # Week 47: E3 is acknowledged and answered at last (its clocks fell due, unmet, in week
    # 46) and closed; a new escalation opens and is acknowledged within the half hour.
    bridge.acknowledge(ids["e3"])
    bridge.status_update(ids["e3"])
    bridge.assign(ids["e3"])
    close_it(bridge.runtime, ids["e3"], bridge.now)
    bridge.ticket("4", region="24x7", severity=1, organization="Acme Ltd")
    e4 = bridge.escalate("4")
    bridge.advance(dt.timedelta(minutes=30))
    bridge.acknowledge(e4)
    bridge.advance(dt.timedelta(hours=2))

    rows = csv_of(client_of(bridge))
    assert figures(rows, "2026-W46") == before == WEEK_46
    # Not only because week 46 was kept when it ended (in the table, and in this process's
    # memory): counted again now by a process that never read it, from the audit trail and
    # the clocks, it is the same.
    with bridge.runtime.sessions.begin() as session:
        session.execute(delete(tables.InsightWeek))
    services = bridge.runtime.services
    fresh = Insights(services.insights.collaborators, services.names)
    bridge.runtime.services = dataclasses.replace(services, insights=fresh)
    assert figures(csv_of(client_of(bridge)), "2026-W46") == WEEK_46
    week_47 = figures(rows, "2026-W47")
    assert week_47[("escalations_opened", "", "", "")] == ("1", "", "")
    assert week_47[("escalations_closed", "", "", "")] == ("1", "", "")
    assert week_47[("sla_attainment", "acknowledge", "all", "all")] == ("1", "1", "1")
    # Counted in the week each happened: E4's half hour, and E3's seven days.
    assert week_47[("time_to_acknowledge_seconds", "", "", "median")] == ("1800", "", "2")
    assert week_47[("time_to_acknowledge_seconds", "", "", "p90")] == (str(7 * 24 * HOUR), "", "2")


def test_the_minute_hook_keeps_the_week_that_just_ended(
    week_46: tuple[World, dict[str, int]],
) -> None:
    bridge, _ = week_46
    with bridge.runtime.sessions() as session:
        rows = session.execute(select(tables.InsightWeek.week_start, tables.InsightWeek.figures))
        kept = {start: figures for start, figures in rows}
    week = kept[MONDAY_9AM.replace(hour=0)]
    assert week["opened"] == 3
    assert week["attainment"]["all"]["acknowledge"] == {"all": [1, 3]}
    assert week["attainment"]["customer"]["reply"] == {
        "zendesk:Acme Ltd": [2, 2],
        f"zendesk:{HOSTILE}": [0, 1],
    }


def waiting_on(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return [
        (row["group"], row["value"], row["numerator"])
        for row in rows
        if row["figure"] == "customers_waiting_on_ar"
    ]


def test_the_ars_customers_wait_on_are_at_most_a_minute_old(
    week_46: tuple[World, dict[str, int]],
) -> None:
    bridge, ids = week_46
    client = client_of(bridge)
    assert waiting_on(csv_of(client)) == [("DEV-2", "1", "1")]
    close_it(bridge.runtime, ids["e2"], bridge.now)  # E2 waits on nothing any more
    assert waiting_on(csv_of(client)) == [("DEV-2", "1", "1")]  # as read this minute
    bridge.advance(dt.timedelta(minutes=1))
    assert waiting_on(csv_of(client)) == []


def test_forgetting_the_running_week_counts_it_and_the_waiting_ars_again(
    week_46: tuple[World, dict[str, int]],
) -> None:
    bridge, ids = week_46
    client = client_of(bridge)
    before = figures(csv_of(client), "2026-W47")
    assert before[("escalations_closed", "", "", "")] == ("0", "", "")
    # A second ago, in this minute: counted by a count made now.
    close_it(bridge.runtime, ids["e2"], bridge.now - dt.timedelta(seconds=1))
    assert figures(csv_of(client), "2026-W47") == before
    bridge.runtime.services.insights.forget_running_week()
    rows = csv_of(client)
    assert figures(rows, "2026-W47")[("escalations_closed", "", "", "")] == ("1", "", "")
    assert waiting_on(rows) == []
    assert figures(rows, "2026-W46") == WEEK_46


def test_two_years_of_weeks_show_a_column_per_week_in_every_table(
    week_46: tuple[World, dict[str, int]],
) -> None:
    bridge, _ = week_46
    answer = client_of(bridge).get("/board/insights?weeks=104", headers=BEARER)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    tables = page.split("<table")[1:]
    week_tables = [table for table in tables if 'class="waiting"' not in table]
    assert len(week_tables) == 6  # flow, three clocks, durations, answers
    for table in week_tables:
        head, body = table.split("</thead>")
        assert head.count('scope="col">') == 105  # the row headings' column, and 104 weeks
        assert "2024-W48</th>" in head  # 103 weeks before the running one
        assert head.strip().endswith(
            '<th class="n current" scope="col">2026-W47 (so far)</th></tr>'
        )
        for row in body.split("</tr>")[:-1]:
            assert row.count("<td") == 104, row[:200]
    assert '<td class="n">33%<span class="of">1 of 3</span></td>' in page


def test_csv_cells_a_spreadsheet_would_run_start_with_an_apostrophe() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert inert(dangerous) == "'" + dangerous
    assert inert("Acme Ltd") == "Acme Ltd"
    assert inert(3) == "3"
    assert inert(None) == ""


# -- on the board's own bridge (SQLite and PostgreSQL) --------------------------------------------
@pytest.fixture
def client(runtime: Runtime) -> FlaskClient:
    return create_app(runtime=runtime).test_client()


def test_insights_need_the_board_s_access(client: FlaskClient) -> None:
    for path in ("/board/insights", "/board/insights.csv"):
        refused = client.get(path, headers={"Accept": "application/json"})
        assert refused.status_code == 401
        wrong = client.get(path, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
    sent_to_login = client.get("/board/insights", headers={"Accept": "text/html"})
    assert sent_to_login.status_code == 302
    assert "/board/login" in sent_to_login.headers["Location"]


@pytest.mark.parametrize("weeks", ["0", "105", "abc", "-3", "2.5"])
def test_a_bad_number_of_weeks_is_a_400_naming_it(client: FlaskClient, weeks: str) -> None:
    for path in ("/board/insights", "/board/insights.csv"):
        answer = client.get(f"{path}?weeks={weeks}", headers={**AUTH, "Accept": "application/json"})
        assert answer.status_code == 400
        assert answer.json == {
            "error": "bad_filter",
            "detail": "weeks must be a whole number from 1 to 104",
            "parameter": "weeks",
        }


def test_the_board_links_insights(client: FlaskClient) -> None:
    page = client.get("/board", headers={**AUTH, "Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/board/insights"' in page


def test_acknowledgements_counted_on_either_engine(runtime: Runtime, client: FlaskClient) -> None:
    """The SQL of the durations (seconds between two stored instants) on each engine."""
    this_monday = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    this_monday -= dt.timedelta(days=this_monday.weekday())
    opened = this_monday - dt.timedelta(days=7) + dt.timedelta(hours=9)  # last week's Monday
    for number, minutes in (("501", 30), ("502", 90), ("503", 45)):
        add_ticket(runtime, number, opened_at=opened - dt.timedelta(days=10))
        escalation = escalate(runtime, number, now=opened, triaged=True)
        runtime.services.escalations.acknowledge(
            escalation,
            by="U0ALICE001",
            cause=f"test:{number}",
            now=opened + dt.timedelta(minutes=minutes),
        )
    rows = csv_of(client, headers=AUTH)  # last week and this one
    last_week, this_week = sorted({row["week"] for row in rows} - {"now"})
    last, now = figures(rows, last_week), figures(rows, this_week)
    assert last[("escalations_opened", "", "", "")] == ("3", "", "")
    assert now[("escalations_opened", "", "", "")] == ("0", "", "")
    assert last[("time_to_acknowledge_seconds", "", "", "median")] == ("2700", "", "3")
    assert last[("time_to_acknowledge_seconds", "", "", "p90")] == ("5400", "", "3")
    assert last[("sla_attainment", "acknowledge", "all", "all")] == ("1", "3", "3")
