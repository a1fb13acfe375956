"""An escalation's page on the board shows its triage answers; customer text is shown as
typed, never as markup, and the page keeps its one nonce'd script."""

from __future__ import annotations

import datetime as dt
import re

from flask.testing import FlaskClient

from bridge.domain.records import ContactDetails, TriageAnswers
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime

from .conftest import AUTH, add_ticket, escalate

HTML = {**AUTH, "Accept": "text/html"}
JSON = {**AUTH, "Accept": "application/json"}
HOSTILE_HOURS = "<!channel> <script>alert(1)</script> & weekends"
ANSWERS = TriageAnswers(
    production_down=True,
    acceptable_workaround=False,
    anticipated_financial_loss="about USD 40k a day",
    users_affected=250,
    go_live_or_upgrade_date=dt.date(2026, 12, 14),
    go_live_effect="the cutover waits for whole exports",
    contact=ContactDetails("+1 555 0100", "dana@customer.example", HOSTILE_HOURS),
)


def add_old_ticket(runtime: Runtime) -> None:
    """Ticket 4711, opened weeks ago: escalating it is advised on any day of the week."""
    add_ticket(runtime, "4711", opened_at=utcnow() - dt.timedelta(weeks=3))


def answers_shown(page: str) -> dict[str, str]:
    """The triage card's terms and what each says, as the page's markup has them."""
    card = page.split("<h2>Triage</h2>", 1)[1].split("<h2>", 1)[0]
    return dict(re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", card, re.DOTALL))


def test_the_escalation_page_shows_its_triage_answers(
    runtime: Runtime, client: FlaskClient
) -> None:
    add_old_ticket(runtime)
    escalation_id = escalate(runtime, "4711", answers=ANSWERS)

    page = client.get(f"/board/escalations/{escalation_id}", headers=HTML)
    assert page.status_code == 200
    assert answers_shown(page.text) == {
        "Production down": "yes",
        "Users affected": "250",
        "Financial loss": "about USD 40k a day",
        "Go-live": '<time datetime="2026-12-14">2026-12-14</time>: '
        "the cutover waits for whole exports",
        "Contact phone": "+1 555 0100",
        "Contact email": "dana@customer.example",
        "Contact hours": "&lt;!channel&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; weekends",
    }
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts == [f'<script nonce="{nonce(page.headers)}">']  # the countdown's, no other
    assert "mailto:" not in page.text

    shown = client.get(f"/board/escalations/{escalation_id}", headers=JSON).json
    assert shown["triage"]["contact"]["hours_of_availability"] == HOSTILE_HOURS
    assert shown["triage"]["users_affected"] == 250


def test_an_unanswered_question_says_so(runtime: Runtime, client: FlaskClient) -> None:
    add_old_ticket(runtime)
    escalation_id = escalate(runtime, "4711", triaged=True)
    page = client.get(f"/board/escalations/{escalation_id}", headers=HTML).text
    shown = answers_shown(page)
    assert shown["Production down"] == "yes"
    assert shown["Financial loss"] == '<span class="none">not answered</span>'
    assert shown["Go-live"] == "none at stake"


def test_an_escalation_without_answers_says_none_were_recorded(
    runtime: Runtime, client: FlaskClient
) -> None:
    add_old_ticket(runtime)
    escalation_id = escalate(runtime, "4711")
    page = client.get(f"/board/escalations/{escalation_id}", headers=HTML).text
    assert '<p class="card">No triage answers recorded.</p>' in page
    assert client.get(f"/board/escalations/{escalation_id}", headers=JSON).json["triage"] is None


def nonce(headers: object) -> str:
    policy = str(headers["Content-Security-Policy"])  # type: ignore[index]
    found = re.search(r"'nonce-([^']+)'", policy)
    assert found is not None
    return found.group(1)
