"""Side effects that gave up show on the board: a banner grouping them by system, operation and
channel with the command that sends them round again, and a mark on each escalation they
belong to. The dead letters here are real: the Slack connector posts to the sandbox's
workspace, where the channel routing names for EMEA does not exist."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from flask.testing import FlaskClient
from limits.storage import MemoryStorage
from pydantic import SecretStr

from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context, performer_for
from bridge.connectors.results import EarlierResults
from bridge.connectors.slack import SlackConnector
from bridge.connectors.slack.settings import SlackSettings
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.store.tables import OutboxRow
from sandbox import Sandbox
from tests.helpers import running_sandbox

from .conftest import AUTH, DEFAULT, EMEA, add_ticket, escalate

HTML = {**AUTH, "Accept": "text/html"}
JSON = {**AUTH, "Accept": "application/json"}
CHANNEL_NOT_FOUND = (
    "slack: channel_not_found: check the channel id in the routing rules"  # the connector's words
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


CHANNEL_IDS = {DEFAULT: "C0DEFAULT01", EMEA: "C0EMEA0001"}


def add_channel(sandbox: Sandbox, channel: str, *, is_member: bool = True) -> None:
    answer = requests.post(
        f"{sandbox.urls['slack']}/_sandbox/channels",
        json={
            "id": CHANNEL_IDS[channel],
            "name": channel.removeprefix("#"),
            "is_member": is_member,
        },
        timeout=5,
    )
    assert answer.status_code == 201


@pytest.fixture
def slack(runtime: Runtime, sandbox: Sandbox) -> Runtime:
    """The runtime performing its Slack side effects in the sandbox's workspace, which has the
    default channel but not EMEA's."""
    sandbox.slack.world.channels.pop(CHANNEL_IDS[EMEA], None)  # a test may have made it
    add_channel(sandbox, DEFAULT)
    settings = SlackSettings(
        base_url=sandbox.urls["slack"] + "/api/",
        bot_token=SecretStr(sandbox.credentials["slack"]["token"]),
    )
    context = Context(
        gate=RateGate(MemoryStorage(), rates={}), earlier=EarlierResults(runtime.sessions)
    )
    runtime.performers.register(
        "slack", performer_for(SlackConnector.from_settings(settings, context))
    )
    return runtime


def perform_slack(runtime: Runtime) -> None:
    """Perform every due Slack side effect, as the worker does (other systems stay pending)."""
    with runtime.sessions() as session:
        due = session.query(OutboxRow.id, OutboxRow.target).all()
    for row_id, target in due:
        if target == "slack":
            runtime.tasks.perform_outbox.call_local(row_id)


def escalated(runtime: Runtime, number: str, region: str = "") -> int:
    add_ticket(runtime, number, region=region)
    return escalate(runtime, number, triaged=True)


def banner(page: str) -> str:
    found = re.search(r'<section class="gave-up-banner".*?</section>', page, re.S)
    assert found, "no dead-letter banner on the board"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group()).split())


def row_html(page: str, escalation_id: int) -> str:
    found = re.search(rf'<tr id="escalation-{escalation_id}"[^>]*>.*?</tr>', page, re.S)
    assert found, f"no row for escalation {escalation_id}"
    return found.group()


def test_slack_posts_to_a_missing_channel_show_as_a_banner_and_mark_their_rows(
    slack: Runtime, client: FlaskClient
) -> None:
    emea_one = escalated(slack, "1", "emea")
    emea_two = escalated(slack, "2", "emea")
    fine = escalated(slack, "3")
    perform_slack(slack)

    page = client.get("/board", headers=HTML).text

    dead = slack.outbox.counts_by_status()["dead"]  # what `/escalate list` and doctor count
    assert dead == 2
    assert banner(page) == (
        "2 side effects of the bridge gave up "
        f"2 Slack escalation messages to {EMEA} gave up: {CHANNEL_NOT_FOUND} "
        "Fix the cause ( support-bridge doctor checks the Slack routing), "
        "then run support-bridge replay --dead ."
    )
    for marked in (emea_one, emea_two):
        assert "1 side effect gave up" in row_html(page, marked)
        assert 'class="has-gave-up"' in row_html(page, marked)
    assert "gave up" not in row_html(page, fine)


def test_the_json_board_carries_the_same_groups_and_counts(
    slack: Runtime, client: FlaskClient
) -> None:
    emea = escalated(slack, "1", "emea")
    fine = escalated(slack, "2")
    perform_slack(slack)

    answer = client.get("/board", headers=JSON).json

    assert answer["dead_letters"] == {
        "total": 1,
        "groups": [
            {
                "target": "slack",
                "operation": "upsert_escalation_message",
                "channel": EMEA,
                "reason": CHANNEL_NOT_FOUND,
                "count": 1,
                "summary": f"1 Slack escalation message to {EMEA} gave up: {CHANNEL_NOT_FOUND}",
            }
        ],
        "replay": "support-bridge replay --dead",
    }
    gave_up = {row["id"]: row["gave_up"] for row in answer["escalations"]}
    assert gave_up == {emea: 1, fine: 0}
    timeline = client.get(f"/board/escalations/{emea}", headers=JSON).json
    assert timeline["escalation"]["gave_up"] == 1
    page = client.get(f"/board/escalations/{emea}", headers=HTML).text
    assert "1 side effect of this escalation gave up" in page


def test_a_channel_without_the_bot_is_grouped_under_its_own_error(
    slack: Runtime, sandbox: Sandbox, client: FlaskClient
) -> None:
    add_channel(sandbox, EMEA, is_member=False)
    escalated(slack, "1", "emea")
    perform_slack(slack)

    [group] = client.get("/board", headers=JSON).json["dead_letters"]["groups"]

    assert group["summary"] == (
        f"1 Slack escalation message to {EMEA} gave up: "
        "slack: not_in_channel: invite the bridge's bot user to the channel"
    )


def test_once_the_cause_is_fixed_and_replayed_the_banner_and_marks_go(
    slack: Runtime, sandbox: Sandbox, client: FlaskClient
) -> None:
    emea = escalated(slack, "1", "emea")
    perform_slack(slack)
    assert "gave up" in client.get("/board", headers=HTML).text

    add_channel(sandbox, EMEA)  # the operator creates it, the bot in it
    assert slack.outbox.revive(None, utcnow())  # what `support-bridge replay --dead` does
    perform_slack(slack)

    page = client.get("/board", headers=HTML).text
    assert "gave up" not in page
    assert 'class="gave-up-banner"' not in page
    assert client.get("/board", headers=JSON).json["dead_letters"]["total"] == 0
    assert f'id="escalation-{emea}"' in page


def test_without_dead_letters_there_is_no_banner(runtime: Runtime, client: FlaskClient) -> None:
    escalated(runtime, "1", "emea")

    page = client.get("/board", headers=HTML).text

    assert 'class="gave-up-banner"' not in page and "gave up" not in page
    assert client.get("/board", headers=JSON).json["dead_letters"] == {
        "total": 0,
        "groups": [],
        "replay": None,
    }
