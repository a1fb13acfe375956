"""The board names people and customers as people know them, on data played through the
sandbox: a Zendesk event subscription sends only the organisation's id (the bridge asks
Zendesk for its name), the engineer is a Slack user id (the bridge asks Slack's users.info),
routing names the team's channel by id (the bridge asks Slack's conversations.info).
No raw vendor id shows where a name exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox
from sandbox.embedded import SLACK_INTERACTIONS
from sandbox.slack import person
from tests.closure.sandboxed import Bridge, served_bridge
from tests.closure.test_helpdesk_entry import escalations_of
from tests.closure.test_helpdesk_trigger import Zendesk
from tests.helpers import TRIGGER_ANSWERS, running_sandbox
from webhooks.app import create_app

ORGANISATION_ID = "509974"  # the sandbox's "Customer Corp"
ENGINEER = "U0BOBDEV01"  # the sandbox's Slack user "bob"
SUPPORT = "U0ALICE001"  # the sandbox's Slack user "alice"
CHANNEL_ID = "C0SUPPORT01"  # the sandbox's #support-escalations, routed to by id
RAW_IDS = re.compile(r"509974|\bU0[A-Z0-9]{6,}\b")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bridge]:
    monkeypatch.setenv("BRIDGE_API_TOKEN", "board-token-for-tests")
    monkeypatch.setenv("BRIDGE_SLACK_SIGNING_SECRET", sandbox.webhook_secrets["slack"])
    with served_bridge(sandbox, isolated_settings, monkeypatch) as served:
        yield served


AUTH = {"Authorization": "Bearer board-token-for-tests"}
JSON = {**AUTH, "Accept": "application/json"}


def escalated_in_zendesk(bridge: Bridge, sandbox: Sandbox) -> int:
    """Ticket 100 escalated by the documented trigger, then changed in Zendesk: the event
    subscription's delivery, which names the organisation by id only, is the last mirrored."""
    zendesk = Zendesk(sandbox)
    ids = zendesk.trigger_escalation()
    events = ("ticket.status_changed", "trigger.*")
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk", events=events)
    custom = [{"id": ids[name], "value": value} for name, value in TRIGGER_ANSWERS.items()]
    zendesk.put(100, {"custom_fields": custom})
    zendesk.put(100, {"tags": ["escalation"]})
    bridge.settle()
    zendesk.put(100, {"status": "pending"})
    bridge.settle()
    [escalation] = escalations_of(bridge, "100")
    return escalation.id


def worked_on(bridge: Bridge, sandbox: Sandbox, escalation_id: int) -> None:
    """From Slack: Alice assigns Bob, who tells the customer where things stand and proposes
    a workaround."""
    sandbox.register_webhook("slack", f"{bridge.url}/slack/interactions", events=SLACK_INTERACTIONS)
    steps = {
        (SUPPORT, "assign_engineer"): {"engineer": person.picked_user(ENGINEER)},
        (ENGINEER, "status_update"): {
            "text": person.typed("Reproduced <b>on 7.2</b>"),
            "visibility": person.chosen("public"),
        },
        (ENGINEER, "propose_plan"): {
            "kind": person.chosen("workaround"),
            "summary": person.typed("Turn off the nightly re-sync until the patch"),
        },
    }
    for (user, name), values in steps.items():
        person.take_step(sandbox, user, escalation_id, name, values)
        bridge.settle()
    # The worker's minute: names of the ids open escalations show are asked of Slack.
    learnt = bridge.runtime.performers.periodic["learn_names"](utcnow())
    assert learnt == 3  # Alice, who assigned, Bob, the engineer, and the channel routed to


def board_client(bridge: Bridge) -> FlaskClient:
    return create_app(runtime=bridge.runtime).test_client()


def test_the_board_names_the_customer_and_the_engineer_never_their_ids(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    escalation_id = escalated_in_zendesk(bridge, sandbox)
    worked_on(bridge, sandbox, escalation_id)
    client = board_client(bridge)

    board = client.get("/board", headers=AUTH).text
    timeline = client.get(f"/board/escalations/{escalation_id}", headers=AUTH).text
    as_json = client.get("/board", headers={**AUTH, "Accept": "application/json"}).json
    [row] = as_json["escalations"]

    for page in (board, timeline):
        assert "Customer Corp" in page
        assert ">bob<" in page
        assert "#support-escalations" in page  # the team: the routed channel's name
        assert f">{CHANNEL_ID}<" not in page  # (the team filter's value stays the id)
        assert RAW_IDS.findall(page) == []
    assert row["customer"] == "Customer Corp" and row["engineer"] == "bob"
    assert (row["team"], row["team_name"]) == (CHANNEL_ID, "#support-escalations")
    assert f'<option value="{CHANNEL_ID}">#support-escalations</option>' in board
    assert row["ticket"]["requester"] == "casey@customer.example"
    assert RAW_IDS.findall(str(row)) == []
    zendesk = sandbox.urls["zendesk"].rstrip("/")
    assert f'href="{zendesk}/agent/tickets/100"' in board
    assert row["ticket"]["url"] == f"{zendesk}/agent/tickets/100"
    assert row["ticket"]["subject"] and row["ticket"]["subject"] in board
    assert row["next"] == {"what": "customer's answer to the plan", "whom": "customer"}
    assert 'next: customer&#39;s answer to the plan — <span class="whom">customer</span>' in board


def test_the_timeline_carries_the_update_and_the_plan_escaped(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    escalation_id = escalated_in_zendesk(bridge, sandbox)
    worked_on(bridge, sandbox, escalation_id)

    timeline = board_client(bridge).get(f"/board/escalations/{escalation_id}", headers=AUTH).text

    assert "Reproduced &lt;b&gt;on 7.2&lt;/b&gt;" in timeline
    assert "<b>on 7.2</b>" not in timeline
    assert "plan-1 (workaround): Turn off the nightly re-sync until the patch" in timeline


def test_a_ticket_mirrored_from_an_event_subscription_keeps_its_organisations_name(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    """Zendesk's ticket events carry ``organization_id`` only: the name is asked of Zendesk
    and stored on the ticket, as the trigger's ``{{ticket.organization.name}}`` would be."""
    zendesk = Zendesk(sandbox)
    events = ("ticket.status_changed",)
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk", events=events)
    zendesk.put(100, {"status": "pending"})
    bridge.settle()

    with bridge.runtime.sessions() as session:
        query = select(tables.Ticket).where(tables.Ticket.external_id == "100")
        stored = session.scalars(query).one()
    assert stored.organization == "Customer Corp"
    assert stored.document["organisation"] == "Customer Corp"
    assert stored.requester_email == "casey@customer.example"  # the event names requester_id


def test_the_spar_and_ar_links_open_their_issue_pages(bridge: Bridge, sandbox: Sandbox) -> None:
    escalation_id = escalated_in_zendesk(bridge, sandbox)
    worked_on(bridge, sandbox, escalation_id)
    bridge.runtime.services.spar.open_spar(escalation_id, by=ENGINEER, cause="t", now=utcnow())
    bridge.settle()

    [row] = board_client(bridge).get("/board", headers=JSON).json["escalations"]

    assert [record["kind"] for record in row["records"]] == ["spar", "ar"]
    jira = sandbox.urls["jira"].rstrip("/")
    for record in row["records"]:
        assert record["url"] == f"{jira}/browse/{record['key']}"
        page = requests.get(record["url"], timeout=10)  # a browser, not the API's credentials
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert f"<h1>{record['key']}: " in page.text
    # Developers in Jira reach the customer's ticket in the helpdesk's agent view.
    spar = sandbox.jira.world.issue(row["records"][0]["key"])
    assert spar is not None
    ticket_links = [link.object["url"] for link in spar.remote_links]
    assert f"{sandbox.urls['zendesk'].rstrip('/')}/agent/tickets/100" in ticket_links
