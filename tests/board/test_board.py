"""/board and /board/escalations/<id> through Flask's client: who may see them, what the list
shows and hides, its filters, the timeline, and the answers to bad input (never a 5xx)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from tests.helpers import migrated_runtime
from webhooks.app import create_app

from .conftest import (
    AUTH,
    DEFAULT,
    EMEA,
    TOKEN,
    add_ticket,
    close_it,
    escalate,
    link_ar,
    start_work,
)

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


def logged_in(client: FlaskClient, next_page: str = "/board") -> None:
    response = client.post("/board/login", data={"token": TOKEN, "next": next_page})
    assert response.status_code == 303


def ids_on_board(client: FlaskClient, query: str = "") -> list[int]:
    response = client.get(f"/board{query}", headers={**AUTH, **JSON})
    assert response.status_code == 200, response.json
    return [row["id"] for row in response.json["escalations"]]


# -- access -------------------------------------------------------------------------------------
def test_without_the_api_token_the_board_is_not_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "k")
    with migrated_runtime() as runtime:
        client = create_app(runtime=runtime).test_client()
        page = client.get("/board", headers=HTML)
        login = client.get("/board/login", headers=HTML)
        api = client.get("/board", headers={"Authorization": "Bearer ", **JSON})
    assert page.status_code == login.status_code == api.status_code == 404
    assert "Set BRIDGE_API_TOKEN" in page.text
    assert api.json["error"] == "board_disabled"


def test_a_blank_api_token_keeps_the_board_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_API_TOKEN", " ")
    with migrated_runtime() as runtime:
        client = create_app(runtime=runtime).test_client()
        response = client.get("/board", headers={"Authorization": "Bearer  ", **JSON})
    assert response.status_code == 404


def test_without_a_secret_key_the_login_is_refused_but_bearer_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    with migrated_runtime() as runtime:
        client = create_app(runtime=runtime).test_client()
        form = client.get("/board/login", headers=HTML)
        posted = client.post("/board/login", data={"token": TOKEN})
        bearer = client.get("/board", headers=AUTH)
    assert form.status_code == posted.status_code == 503
    assert "set BRIDGE_SECRET_KEY" in form.text
    assert "set-cookie" not in {name.lower() for name, _ in posted.headers}
    assert bearer.status_code == 200


def test_no_credentials_is_a_401_for_clients_and_a_login_redirect_for_browsers(
    client: FlaskClient,
) -> None:
    api = client.get("/board")
    assert api.status_code == 401
    assert api.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/board/escalations/1").status_code == 401

    browser = client.get("/board/escalations/1", headers=HTML)
    assert browser.status_code == 302
    assert browser.headers["Location"] == "/board/login?next=/board/escalations/1"


def test_a_wrong_bearer_token_is_refused(client: FlaskClient) -> None:
    for header in ("Bearer nope", "Basic " + TOKEN, f"Bearer {TOKEN}x", ""):
        response = client.get("/board", headers={"Authorization": header, **HTML})
        assert response.status_code == 401, header
        assert "<h1>Not logged in</h1>" in response.text
        assert "Open escalations" not in response.text


def test_the_bearer_token_opens_the_board(client: FlaskClient) -> None:
    response = client.get("/board", headers=AUTH)
    assert response.status_code == 200
    assert "<h1>Open escalations</h1>" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_login_form_asks_for_the_token_and_a_wrong_one_is_refused(
    client: FlaskClient,
) -> None:
    form = client.get("/board/login?next=/board/escalations/3", headers=HTML)
    assert form.status_code == 200
    assert 'name="token" type="password"' in form.text
    assert 'name="next" value="/board/escalations/3"' in form.text

    wrong = client.post("/board/login", data={"token": "guess"})
    assert wrong.status_code == 401
    assert "That token is not right" in wrong.text
    assert 'name="token"' in wrong.text
    assert client.get("/board", headers=HTML).status_code == 302


def test_logging_in_sets_a_signed_session_cookie(client: FlaskClient) -> None:
    response = client.post("/board/login", data={"token": TOKEN, "next": "/board?level=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/board?level=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert TOKEN not in cookie

    board = client.get("/board", headers=HTML)
    assert board.status_code == 200
    assert "Log out" in board.text

    client.post("/board/logout")
    assert client.get("/board", headers=HTML).status_code == 302


def test_a_forged_cookie_and_a_foreign_next_page_get_nothing(client: FlaskClient) -> None:
    client.set_cookie("session", "eyJib2FyZCI6InllcyJ9.forged.signature")
    assert client.get("/board", headers=HTML).status_code == 302
    for elsewhere in ("https://evil.example/board", "//evil.example", "/boardroom", "/api"):
        response = client.post("/board/login", data={"token": TOKEN, "next": elsewhere})
        assert response.headers["Location"] == "/board", elsewhere


# -- the list -----------------------------------------------------------------------------------
def test_the_board_shows_open_escalations_and_hides_closed_ones(
    runtime: Runtime, client: FlaskClient
) -> None:
    now = utcnow()
    add_ticket(runtime, "4711", customer="Globex")
    add_ticket(runtime, "4712", customer="Initech")
    open_one = escalate(runtime, "4711", triaged=True)
    start_work(runtime, open_one, "U0ERIN0001", now)
    closed = escalate(runtime, "4712", triaged=True)
    start_work(runtime, closed, "U0BOB00001", now)
    close_it(runtime, closed, now)
    logged_in(client)

    page = client.get("/board", headers=HTML).text

    assert f'href="/board/escalations/{open_one}"' in page
    assert f'href="/board/escalations/{closed}"' not in page
    assert "zendesk <strong>4711</strong>" in page and "Globex" in page
    assert "U0ERIN0001" in page and "Initech" not in page
    assert ids_on_board(client) == [open_one]


def test_a_row_shows_engineer_team_due_time_records_and_last_update(
    runtime: Runtime, client: FlaskClient
) -> None:
    add_ticket(runtime, "1", customer="Globex", region="emea")
    add_ticket(runtime, "2", opened_at=utcnow() - dt.timedelta(days=20))
    working = escalate(runtime, "1", triaged=True)
    start_work(runtime, working, "U0ERIN0001", utcnow())
    link_ar(runtime, working, "spar", "SUP-12", "https://jira.example/browse/SUP-12")
    link_ar(runtime, working, "ar", "DEV-7", "javascript:alert(1)")
    waiting = escalate(runtime, "2", now=utcnow() - dt.timedelta(days=10))

    rows = {
        row["id"]: row for row in client.get("/board", headers={**AUTH, **JSON}).json["escalations"]
    }
    page = client.get("/board", headers=AUTH).text
    waiting_row = page.split(f'id="escalation-{waiting}"')[1].split("</tr>")[0]
    working_row = page.split(f'id="escalation-{working}"')[1].split("</tr>")[0]

    assert rows[working]["team"] == EMEA and rows[waiting]["team"] == DEFAULT
    assert rows[working]["engineer"] == "U0ERIN0001" and rows[waiting]["engineer"] is None
    assert rows[waiting]["next_due"]["overdue"] is True
    assert rows[working]["next_due"]["overdue"] is False
    assert rows[working]["last_update"] is not None
    assert 'class="due overdue"' in waiting_row and "overdue by" in waiting_row
    assert 'data-label="Engineer"><span class="none">—</span>' in waiting_row
    assert 'class="due overdue"' not in working_row and ">in " in working_row
    assert 'href="https://jira.example/browse/SUP-12" rel="noopener noreferrer">SUP-12<' in (
        working_row
    )
    assert "DEV-7" in working_row and "javascript:" not in working_row


def test_the_board_filters_by_state_level_and_team(runtime: Runtime, client: FlaskClient) -> None:
    now = utcnow()
    for number, region in (("1", "emea"), ("2", ""), ("3", "")):
        add_ticket(runtime, number, region=region)
    emea = escalate(runtime, "1", triaged=True)
    start_work(runtime, emea, "U0ERIN0001", now)
    requested = escalate(runtime, "2")
    raised = escalate(runtime, "3")
    runtime.services.escalations.raise_level(raised, by="U0ALICE001", cause="test", now=now)

    assert sorted(ids_on_board(client)) == sorted([raised, requested, emea])
    assert ids_on_board(client, "?state=active") == [emea]
    assert sorted(ids_on_board(client, "?state=requested")) == sorted([raised, requested])
    assert ids_on_board(client, "?level=2") == [raised]
    assert ids_on_board(client, "?level=1&state=requested") == [requested]
    assert ids_on_board(client, "?team=%23escalations-emea") == [emea]
    assert sorted(ids_on_board(client, "?team=%23escalations")) == sorted([raised, requested])
    assert sorted(ids_on_board(client, "?state=&level=&team=")) == sorted([raised, requested, emea])
    assert ids_on_board(client, "?state=monitoring") == []
    page = client.get("/board?team=%23escalations-emea&level=1", headers=AUTH).text
    assert '<option value="#escalations-emea" selected>' in page
    assert "Clear filters" in page


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?state=closed", "state"),
        ("?state=nonsense", "state"),
        ("?level=4", "level"),
        ("?level=one", "level"),
        ("?level=99999999999999999999999", "level"),
        ("?team=%23nowhere", "team"),
        ("?state=active&team=%00", "team"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_parameter(
    client: FlaskClient, query: str, parameter: str
) -> None:
    as_json = client.get(f"/board{query}", headers={**AUTH, **JSON})
    assert as_json.status_code == 400
    assert as_json.json["error"] == "bad_filter"
    assert as_json.json["parameter"] == parameter
    assert as_json.json["detail"].startswith(f"{parameter} must be one of")
    as_page = client.get(f"/board{query}", headers=AUTH)
    assert as_page.status_code == 400
    assert f"{parameter} must be one of" in as_page.text


# -- one escalation -----------------------------------------------------------------------------
def test_the_timeline_lists_every_audit_event(runtime: Runtime, client: FlaskClient) -> None:
    now = utcnow()
    add_ticket(runtime, "4711", customer="Globex")
    escalation_id = escalate(runtime, "4711", triaged=True, now=now)
    start_work(runtime, escalation_id, "U0ERIN0001", now + dt.timedelta(minutes=5))
    runtime.services.escalations.raise_level(
        escalation_id, by="U0ALICE001", cause="test", now=now + dt.timedelta(minutes=9)
    )
    logged_in(client)

    shown = client.get(f"/board/escalations/{escalation_id}", headers={**AUTH, **JSON}).json
    page = client.get(f"/board/escalations/{escalation_id}", headers=HTML)

    steps = [(e["step"], e["from_state"], e["to_state"]) for e in shown["events"]]
    assert steps[:3] == [
        ("open", "", "requested"),
        ("triage", "requested", "triaged"),
        ("activate", "triaged", "active"),
    ]
    assert len(steps) >= 4 and shown["escalation"]["level"] == 2
    assert page.status_code == 200
    assert f"<h1>Escalation #{escalation_id}: Orders fail to sync</h1>" in page.text
    assert page.text.count('<td data-label="Step">') == len(steps)
    assert 'triaged <span class="arrow">→</span> active' in page.text
    assert '<td data-label="Actor">U0ALICE001</td>' in page.text
    assert "U0ERIN0001" in page.text  # the activation's note names the engineer
    assert now.strftime("%Y-%m-%d %H:%M UTC") in page.text


def test_a_closed_escalation_still_has_its_timeline(runtime: Runtime, client: FlaskClient) -> None:
    add_ticket(runtime, "4711")
    escalation_id = escalate(runtime, "4711", triaged=True)
    start_work(runtime, escalation_id, "U0ERIN0001", utcnow())
    close_it(runtime, escalation_id, utcnow())
    shown = client.get(f"/board/escalations/{escalation_id}", headers={**AUTH, **JSON}).json
    assert shown["events"][-1]["step"] == "close"
    assert shown["escalation"]["state"] == "closed"


@pytest.mark.parametrize(
    "given", ["999", "0", "-1", "abc", "1.5", "99999999999999999999999", "2147483648", "%C2%B2"]
)
def test_an_unknown_or_impossible_id_is_a_404_naming_it(client: FlaskClient, given: str) -> None:
    as_json = client.get(f"/board/escalations/{given}", headers={**AUTH, **JSON})
    assert as_json.status_code == 404
    assert as_json.json["error"] == "escalation_not_found"
    as_page = client.get(f"/board/escalations/{given}", headers=AUTH)
    assert as_page.status_code == 404
    shown = "²" if given == "%C2%B2" else given
    assert f"No escalation {shown} on this bridge." in as_page.text


@pytest.mark.parametrize(
    "path",
    [
        "/board?level=%FF",
        "/board?state=%00",
        "/board?team=" + "x" * 5000,
        "/board/escalations/" + "9" * 500,
        "/board/escalations/%00",
        "/board/login?next=%0d%0aSet-Cookie:x=1",
    ],
)
def test_odd_input_is_never_a_5xx(client: FlaskClient, path: str) -> None:
    assert client.get(path, headers=AUTH).status_code < 500
