"""What each row of the board says beyond its state: subject, severity and classification,
what is due first at the top, what is expected next, and links to the pages people use
(never a tracker's API URL, even one stored before the connectors kept the page)."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime

from .conftest import AUTH, add_ticket, escalate, link_ar, start_work

JSON = {**AUTH, "Accept": "application/json"}


def row_of(page: str, escalation_id: int) -> str:
    return page.split(f'id="escalation-{escalation_id}"')[1].split("</tr>")[0]


def test_what_is_due_first_leads_and_rows_without_a_clock_come_last(
    runtime: Runtime, client: FlaskClient
) -> None:
    for number in ("1", "2", "3"):
        add_ticket(runtime, number, opened_at=utcnow() - dt.timedelta(days=20))
    newer = escalate(runtime, "1", now=utcnow() - dt.timedelta(hours=1))
    overdue = escalate(runtime, "2", now=utcnow() - dt.timedelta(days=10))
    working = escalate(runtime, "3", triaged=True)
    start_work(runtime, working, "U0ERIN0001", utcnow())

    rows = client.get("/board", headers=JSON).json["escalations"]
    page = client.get("/board", headers=AUTH).text

    assert [row["id"] for row in rows][:2] == [overdue, newer]
    assert rows[0]["next_due"]["overdue"] is True and rows[1]["next_due"]["overdue"] is False
    assert page.index(f'id="escalation-{overdue}"') < page.index(f'id="escalation-{newer}"')
    assert "what is due first at the top" in page


def test_a_row_shows_subject_severity_classification_requester_and_what_comes_next(
    runtime: Runtime, client: FlaskClient
) -> None:
    add_ticket(runtime, "1", customer="Globex")
    add_ticket(runtime, "2", customer="Initech")
    urgent = escalate(runtime, "1", triaged=True)
    runtime.services.escalations.acknowledge(urgent, by="U0ALICE001", cause="t", now=utcnow())
    start_work(runtime, urgent, "Erin", utcnow())
    asked = escalate(runtime, "2")

    rows = {row["id"]: row for row in client.get("/board", headers=JSON).json["escalations"]}
    page = client.get("/board", headers=AUTH).text

    assert rows[urgent]["ticket"]["subject"] == "Orders fail to sync"
    assert rows[urgent]["ticket"]["requester"] == "ops@customer.example"
    assert rows[urgent]["severity"] == 1 and rows[urgent]["classification"] == "Urgent"
    assert rows[asked]["classification"] is None
    assert rows[asked]["next"] == {"what": "acknowledge", "whom": "support manager"}
    shown = row_of(page, urgent)
    assert '<span class="subject">Orders fail to sync</span>' in shown
    assert "Severity 1" in shown and ">Urgent</span>" in shown
    assert "ops@customer.example" in shown and "Globex" in shown
    assert 'next: reply to the customer — <span class="whom">engineer Erin</span>' in shown
    assert "next: acknowledge" in row_of(page, asked)


def test_tracker_links_open_the_issue_page_not_the_api(
    runtime: Runtime, client: FlaskClient
) -> None:
    add_ticket(runtime, "1")
    escalation_id = escalate(runtime, "1", triaged=True)
    api = "https://acme.atlassian.net/rest/api/2/issue/SUP-12"
    link_ar(runtime, escalation_id, "spar", "SUP-12", api)
    github_api = "https://api.github.com/repos/acme/product/issues/7"
    link_ar(runtime, escalation_id, "ar", "7", github_api)

    [row] = client.get("/board", headers=JSON).json["escalations"]
    page = client.get(f"/board/escalations/{escalation_id}", headers=AUTH).text

    urls = [record["url"] for record in row["records"]]
    assert urls == [
        "https://acme.atlassian.net/browse/SUP-12",
        "https://github.com/acme/product/issues/7",
    ]
    assert 'href="https://acme.atlassian.net/browse/SUP-12"' in page
    assert "/rest/api/" not in page and "api.github.com" not in page


def test_customer_text_in_the_subject_stays_text(runtime: Runtime, client: FlaskClient) -> None:
    add_ticket(runtime, "1", customer="<script>alert(1)</script> Corp")
    escalate(runtime, "1")

    page = client.get("/board", headers=AUTH).text

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Corp" in page
