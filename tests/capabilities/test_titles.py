"""Every connector names itself as people read it (``title``); the board says that name."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bridge.connectors.registry import titles
from bridge.jobs.clock import utcnow
from bridge.jobs.registry import PermanentError
from bridge.runtime import Runtime
from bridge.services import effects

from .conftest import AUTH


def test_the_built_in_connectors_keep_the_names_the_board_used() -> None:
    assert {name: title for name, title in titles().items() if name != "jsonl"} == {
        "slack": "Slack",
        "jira": "Jira",
        "github": "GitHub",
        "gitlab": "GitLab",
        "zendesk": "Zendesk",
        "freshdesk": "Freshdesk",
        "email": "email",
    }


def refuse(row: object) -> dict[str, object]:
    raise PermanentError("acmedesk: ticket 7 is locked")


@pytest.mark.usefixtures("unheard_of")
def test_the_board_names_a_connector_the_core_never_heard_of_by_its_title(
    runtime: Runtime, client: FlaskClient
) -> None:
    runtime.performers.register("acmedesk", refuse)
    effect = effects.helpdesk_note("acmedesk", "7", "ack", text="On it.")
    with runtime.sessions.begin() as session:
        row_id = runtime.outbox.add(session, effect, utcnow())
    runtime.tasks.perform_outbox.call_local(row_id)

    answer = client.get("/board", headers=AUTH).json

    assert [group["summary"] for group in answer["dead_letters"]["groups"]] == [
        "1 Acme Desk internal_note side effect gave up: acmedesk: ticket 7 is locked"
    ]
