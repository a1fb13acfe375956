"""The board shows open escalations a page at a time: what is due first on the first page,
each page going on where the last stopped, filters kept from page to page, the count of them
all on every page, and answers to a page that is not a number or is past the last."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.store import board as queries

from .conftest import AUTH, add_ticket, escalate

JSON = {**AUTH, "Accept": "application/json"}
HTML = {**AUTH, "Accept": "text/html"}


@pytest.fixture
def five_due_in_turn(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Five open escalations, the earliest opened due first (two of them in EMEA), with pages
    of two rows."""
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    found = []
    for n in range(5):
        number = str(100 + n)
        region = "emea" if n in (1, 3) else ""
        add_ticket(runtime, number, region=region, opened_at=utcnow() - dt.timedelta(days=30))
        opened = utcnow() - dt.timedelta(days=10 - n)
        found.append(escalate(runtime, number, now=opened))
    return found


def page_of(client: FlaskClient, query: str) -> dict[str, object]:
    response = client.get(f"/board{query}", headers=JSON)
    assert response.status_code == 200, response.json
    return response.json


def test_pages_go_on_where_the_last_stopped_what_is_due_first_leading(
    five_due_in_turn: list[int], client: FlaskClient
) -> None:
    pages = [page_of(client, f"?page={n}") for n in (1, 2, 3)]

    shown = [[row["id"] for row in page["escalations"]] for page in pages]
    assert shown == [five_due_in_turn[:2], five_due_in_turn[2:4], five_due_in_turn[4:]]
    assert [page["page"] for page in pages] == [
        {"number": n, "size": 2, "pages": 3, "total": 5} for n in (1, 2, 3)
    ]
    assert page_of(client, "")["escalations"] == pages[0]["escalations"]


def test_the_page_says_how_many_there_are_and_links_the_next_keeping_the_filters(
    five_due_in_turn: list[int], client: FlaskClient
) -> None:
    first = client.get("/board?level=1", headers=HTML).text
    second = client.get("/board?level=1&page=2", headers=HTML).text
    last = client.get("/board?level=1&page=3", headers=HTML).text

    assert "5 open escalations matching the filters" in first
    assert "1–2 shown, page 1 of 3" in first  # noqa: RUF001 - the page's dash
    assert 'rel="next" href="/board?level=1&amp;page=2"' in first
    assert 'rel="prev"' not in first
    assert 'rel="prev" href="/board?level=1&amp;page=1"' in second
    assert 'rel="next" href="/board?level=1&amp;page=3"' in second
    assert "5–5 shown, page 3 of 3" in last  # noqa: RUF001 - the page's dash
    assert 'rel="next"' not in last
    assert f'id="escalation-{five_due_in_turn[4]}"' in last


def test_a_filtered_board_counts_and_pages_only_what_matches(
    five_due_in_turn: list[int], client: FlaskClient
) -> None:
    emea = page_of(client, "?team=%23escalations-emea")

    assert [row["id"] for row in emea["escalations"]] == [
        five_due_in_turn[1],
        five_due_in_turn[3],
    ]
    assert emea["page"] == {"number": 1, "size": 2, "pages": 1, "total": 2}
    page = client.get("/board?team=%23escalations-emea", headers=HTML).text
    assert "2 open escalations matching the filters" in page and 'rel="next"' not in page


def test_a_page_past_the_last_shows_the_last(
    five_due_in_turn: list[int], client: FlaskClient
) -> None:
    past = page_of(client, "?page=99")

    assert past["page"] == {"number": 3, "size": 2, "pages": 3, "total": 5}
    assert [row["id"] for row in past["escalations"]] == five_due_in_turn[4:]


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "9" * 30])
def test_a_page_that_is_not_a_whole_number_from_one_is_a_400(
    runtime: Runtime, client: FlaskClient, page: str
) -> None:
    response = client.get(f"/board?page={page}", headers=JSON)

    assert response.status_code == 400
    assert response.json["error"] == "bad_filter" and response.json["parameter"] == "page"


def test_an_empty_board_is_one_empty_page(runtime: Runtime, client: FlaskClient) -> None:
    empty = page_of(client, "?page=3")

    assert empty["escalations"] == []
    assert empty["page"] == {"number": 1, "size": queries.PAGE_SIZE, "pages": 1, "total": 0}
