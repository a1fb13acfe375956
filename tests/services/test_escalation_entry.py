"""What marks a helpdesk ticket for escalation: what the helpdesk can hold, as bridge.yaml's
``escalation_entry`` names it (a Zendesk tag or drop-down value, a Freshdesk ticket type), never
a Zendesk ticket type, which is one of problem, incident, question, task."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bridge.config.connectors import ConnectorsConfig
from bridge.runtime import Runtime
from bridge.store import tables

from .test_inbound_processors import HELPDESK_TRIAGE, escalations, stored, ticket_event

ZENDESK = {"url": "https://acme.zendesk.com", "email": "bot@acme.example", "api_token": "t"}
ESCALATION_FIELD = 360001


def with_connectors(runtime: Runtime, **connectors: dict) -> None:
    settings = runtime.settings
    runtime.settings = settings.model_copy(update={"connectors": ConnectorsConfig(**connectors)})


def marked(runtime: Runtime, source: str, ticket: dict, *, hour: int = 11) -> None:
    """An update of ticket 4711 with ``ticket``'s fields and the triage answers, at ``hour``
    (the first one after an unmarked event at 10:00)."""
    process = runtime.services.helpdesk_processor
    if hour == 11:
        first = ticket_event(updated_at="2026-11-16T10:00:00Z")
        process(stored(runtime, source, "ticket", first))
    changed = ticket_event(updated_at=f"2026-11-16T{hour}:00:00Z")
    changed["ticket"].update(ticket)
    changed["triage"] = HELPDESK_TRIAGE
    assert process(stored(runtime, source, "ticket", changed)) == "done"


def test_a_zendesk_type_escalation_marks_nothing(runtime: Runtime) -> None:
    marked(runtime, "zendesk", {"type": "escalation"})
    assert escalations(runtime) == []


def test_a_configured_drop_down_value_marks_the_escalation(runtime: Runtime) -> None:
    entry = {"field_id": ESCALATION_FIELD, "value": "escalation"}
    with_connectors(runtime, zendesk=ZENDESK | {"escalation_entry": entry})
    marked(runtime, "zendesk", {"tags": "escalation"})  # the tag alone no longer marks it
    assert escalations(runtime) == []
    chosen = {"custom_fields": {str(ESCALATION_FIELD): "Escalation"}}
    marked(runtime, "zendesk", chosen, hour=12)
    [escalation] = escalations(runtime)
    assert escalation.document["ticket_id"] == "4711"
    assert escalation.state == "triaged"


def test_a_configured_tag_marks_the_escalation(runtime: Runtime) -> None:
    with_connectors(runtime, zendesk=ZENDESK | {"escalation_entry": {"tag": "esc_now"}})
    marked(runtime, "zendesk", {"tags": "vip escalation"})
    assert escalations(runtime) == []
    marked(runtime, "zendesk", {"tags": "vip esc_now"}, hour=12)
    assert len(escalations(runtime)) == 1


def test_a_freshdesk_ticket_type_escalation_opens_an_escalation(runtime: Runtime) -> None:
    process = runtime.services.helpdesk_processor
    webhook = {
        "ticket_id": "4711",
        "ticket_subject": "Orders fail to sync",
        "ticket_contact_email": "ops@customer.example",
        "ticket_priority": "Urgent",
        "ticket_type": "Escalation",  # a custom type the Freshdesk account has
        "ticket_updated_at": "2026-11-16T11:00:00Z",
    }
    body = {"freshdesk_webhook": webhook, "triage": HELPDESK_TRIAGE}
    assert process(stored(runtime, "freshdesk", "ticket_updated", body)) == "done"
    [escalation] = escalations(runtime)
    assert escalation.document["entry_point"] == "ticket_type_changed"


@pytest.mark.parametrize(
    ("connector", "entry", "refusal"),
    [
        ("zendesk", {"type": "Escalation"}, "a Zendesk ticket's type is one of problem"),
        ("zendesk", {"field_id": ESCALATION_FIELD}, "field_id and value go together"),
        ("zendesk", {"tag": "escalation", "type": "x"}, "set exactly one of tag"),
        ("freshdesk", {"field_id": 7, "value": "x"}, "ticket type"),
    ],
)
def test_an_entry_the_helpdesk_cannot_hold_is_refused_at_load(
    connector: str, entry: dict, refusal: str
) -> None:
    settings = ZENDESK if connector == "zendesk" else {"url": "https://a.example", "api_key": "k"}
    with pytest.raises(ValidationError, match=refusal):
        ConnectorsConfig(**{connector: settings | {"escalation_entry": entry}})


def test_a_ticket_mirrored_as_type_escalation_before_the_upgrade_is_not_escalated_again(
    runtime: Runtime,
) -> None:
    """A Freshdesk ticket the bridge mirrored with the type Escalation before
    ``escalation_entry`` existed: the next automation still carries the type, a repeat."""
    process = runtime.services.helpdesk_processor
    webhook = {
        "ticket_id": "4711",
        "ticket_subject": "Orders fail to sync",
        "ticket_contact_email": "ops@customer.example",
        "ticket_type": "Escalation",
        "ticket_updated_at": "2026-11-16T10:00:00Z",
    }
    process(stored(runtime, "freshdesk", "ticket_updated", {"freshdesk_webhook": webhook}))
    with runtime.sessions.begin() as session:  # as the earlier version wrote it
        row = session.scalars(select(tables.Ticket)).one()
        row.document = {k: v for k, v in row.document.items() if k != "escalation_marked"}
    later = webhook | {"ticket_updated_at": "2026-11-16T11:00:00Z"}
    body = {"freshdesk_webhook": later, "triage": HELPDESK_TRIAGE}
    assert process(stored(runtime, "freshdesk", "ticket_updated", body)) == "done"
    assert escalations(runtime) == []


def test_a_ticket_marked_in_the_same_second_as_the_event_before_it_escalates(
    runtime: Runtime,
) -> None:
    """Zendesk stamps changes to the second: the customer's comment and the agent's tag can
    share one, and the second event is news, not a stale copy of the first."""
    with_connectors(runtime, zendesk=ZENDESK | {"escalation_entry": {"tag": "esc_now"}})
    process = runtime.services.helpdesk_processor
    process(stored(runtime, "zendesk", "ticket", ticket_event(updated_at="2026-11-16T10:00:00Z")))
    same_second = ticket_event(tags="esc_now", updated_at="2026-11-16T10:00:00Z")
    same_second["triage"] = HELPDESK_TRIAGE
    assert process(stored(runtime, "zendesk", "ticket", same_second)) == "done"
    assert len(escalations(runtime)) == 1

    older = ticket_event(updated_at="2026-11-16T09:59:59Z")
    assert process(stored(runtime, "zendesk", "ticket", older)) == "ignored"
