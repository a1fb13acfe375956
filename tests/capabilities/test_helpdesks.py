"""A helpdesk the core never named is heard like Zendesk and Freshdesk: its deliveries are
processed, its settings say what marks a ticket for escalation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from bridge.config import ConfigError, load_settings
from bridge.config.helpdesks import EscalationEntry
from bridge.connectors.freshdesk import webhook as freshdesk_webhook
from bridge.connectors.registry import ticket_id_rules
from bridge.connectors.zendesk import webhook as zendesk_webhook
from bridge.domain.identifiers import ticket_id_problem
from bridge.runtime import Runtime
from tests.api.test_escalations_api import request_body

from .conftest import AUTH


@pytest.mark.usefixtures("unheard_of")
def test_every_installed_helpdesks_deliveries_are_processed(runtime: Runtime) -> None:
    helpdesk = runtime.processors.find("zendesk")

    assert helpdesk is not None
    for source in ("freshdesk", "acmedesk", "intake"):
        assert runtime.processors.find(source) is helpdesk
    assert runtime.processors.find("acme") is not helpdesk


def entry_of(workdir: Path, connectors: dict[str, object], helpdesk: str) -> EscalationEntry:
    (workdir / "bridge.yaml").write_text(yaml.safe_dump({"connectors": connectors}))
    return load_settings().connectors.escalation_entry(helpdesk)


def test_todays_helpdesks_keep_their_escalation_entry(isolated_settings: Path) -> None:
    assert entry_of(isolated_settings, {}, "zendesk") == EscalationEntry(tag="escalation")
    assert entry_of(isolated_settings, {}, "freshdesk") == EscalationEntry(type="Escalation")
    assert entry_of(isolated_settings, {}, "intake") == EscalationEntry(tag="escalation")
    zendesk = {"url": "https://a.zendesk.com", "email": "a@b.example", "api_token": "t"}
    zendesk["escalation_entry"] = {"field_id": 7, "value": "yes"}
    marked = EscalationEntry(field_id=7, value="yes")
    assert entry_of(isolated_settings, {"zendesk": zendesk}, "zendesk") == marked


@pytest.mark.usefixtures("unheard_of")
def test_a_helpdesk_the_core_never_named_sets_its_escalation_entry(
    isolated_settings: Path,
) -> None:
    desk = {"site": "https://desk.example", "escalation_entry": {"tag": "escalate-me"}}

    assert entry_of(isolated_settings, {"acmedesk": desk}, "acmedesk") == EscalationEntry(
        tag="escalate-me"
    )
    assert entry_of(isolated_settings, {"acmedesk": {}}, "acmedesk") == EscalationEntry(
        tag="escalation"
    )


@pytest.mark.usefixtures("unheard_of")
def test_a_wrong_escalation_entry_of_a_third_party_helpdesk_is_refused_at_load(
    isolated_settings: Path,
) -> None:
    desk = {"escalation_entry": {"tag": "x", "type": "Escalation"}}
    (isolated_settings / "bridge.yaml").write_text(
        yaml.safe_dump({"connectors": {"acmedesk": desk}})
    )

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert [str(problem) for problem in caught.value.problems] == [
        "connectors: acmedesk.escalation_entry: set exactly one of tag, field_id (with value) "
        "or type"
    ]


def test_the_built_in_helpdesks_declare_the_rules_their_webhooks_check() -> None:
    rules = ticket_id_rules()

    assert rules["zendesk"] == zendesk_webhook.TICKET_IDS
    assert rules["freshdesk"] == freshdesk_webhook.TICKET_IDS
    assert ticket_id_problem("zendesk", "0", rules) == (
        "a Zendesk ticket id is a positive whole number, not '0'"
    )


@pytest.mark.usefixtures("unheard_of")
def test_a_helpdesk_the_core_never_named_declares_its_ticket_ids(
    runtime: Runtime, client: FlaskClient
) -> None:
    rules = ticket_id_rules()
    assert ticket_id_problem("acmedesk", "AD-7", rules) is None
    assert ticket_id_problem("acmedesk", "7", rules) == "a Acme ticket id is AD-<n>, not '7'"

    answer = client.post("/api/escalations", json=request_body("acmedesk:7"), headers=AUTH)

    assert answer.status_code == 422
    assert answer.json["problems"][0].startswith(
        "ticket: Value error, a Acme ticket id is AD-<n>, not '7'"
    )
