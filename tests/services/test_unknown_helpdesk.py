"""A helpdesk the core has never heard of is read through its own package: installed (its
connector class published in the entry-point group) with an ``events`` that reads its
deliveries, its ticket is mirrored, and a customer's reply copying a level's owner asks support
to triage, keyed by the helpdesk's own message id. Nothing in the core names it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from bridge.config import load_settings
from bridge.config.connectors import ENTRY_POINT_GROUP
from bridge.config.policy import LevelConfig
from bridge.connectors import registry
from bridge.jobs.registry import PermanentError
from bridge.runtime import Runtime, bootstrap
from bridge.services.ports import Kind
from bridge.services.readings import HelpdeskComment, HelpdeskEvents, TicketFields
from bridge.store.escalations import EscalationStore
from bridge.store.tables import PendingEscalationRequest

from .conftest import ADDRESSES
from .test_inbound_processors import outbox, stored


class AcmeEvents:
    """Acme Desk sends its cases as ``{"case": {...}, "message": {...}}``, in its own words."""

    own_shape: ClassVar[str] = "an Acme Desk 'case'"

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return None

    def ticket(self, document: dict[str, Any]) -> TicketFields | None:
        case = document.get("case")
        if not isinstance(case, dict):
            return None
        fields = {
            "id": case.get("number"),
            "subject": case.get("headline"),
            "requester": case.get("customer_email"),
            "organization": case.get("account"),
            "priority": case.get("urgency"),
            "tags": case.get("labels"),
            "updated_at": case.get("changed_at"),
        }
        return TicketFields(fields, str(case.get("changed_by") or "acme"))

    def comment(self, document: dict[str, Any]) -> HelpdeskComment | None:
        message = document.get("message")
        if not isinstance(message, dict):
            return None
        return HelpdeskComment(
            public=message.get("visibility") == "customer",
            by_customer=message.get("from_customer") is True,
            text=str(message.get("text") or ""),
            copied=tuple(message.get("copied") or ()),
            message_id=str(message.get("ref") or ""),
        )


class AcmeDesk:
    """The connector class as its package would publish it; never configured here."""

    key: ClassVar[str] = "acme"
    kind: ClassVar[Kind] = Kind.HELPDESK
    features: ClassVar[frozenset[str]] = frozenset()
    events = AcmeEvents()


def case(labels: list[str], message: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case": {
            "number": "AC-77",
            "headline": "Orders fail to sync",
            "customer_email": "ops@customer.example",
            "account": "Customer Ltd",
            "urgency": "urgent",
            "labels": labels,
            "changed_at": "2026-11-16T14:00:00Z",
            "changed_by": "agent@vendor.example",
        }
    }
    return body | ({"message": message} if message else {})


@pytest.fixture
def acme(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """A runtime on a machine where Acme Desk's package is installed beside the built-in ones."""
    installed = registry.discover()
    entry = EntryPoint("acme", f"{__name__}:AcmeDesk", ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "discover", lambda: installed | {"acme": entry})
    registry.events_of.cache_clear()
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    runtime = bootstrap(load_settings())
    roles = {1: "support manager", 2: "account manager", 3: "executive"}
    levels = {n: LevelConfig(role=roles[n], address=ADDRESSES[n]) for n in roles}
    runtime.settings = runtime.settings.model_copy(update={"levels": levels})
    yield runtime
    runtime.close()
    registry.events_of.cache_clear()


def test_the_installed_helpdesk_is_found_by_what_its_events_read() -> None:
    assert isinstance(AcmeDesk.events, HelpdeskEvents)


def test_a_case_in_the_helpdesks_own_shape_is_mirrored_as_its_events_read_it(acme) -> None:
    assert acme.services.helpdesk_processor(stored(acme, "acme", "case", case(["vip"]))) == "done"

    with acme.sessions() as session:
        store = EscalationStore(session)
        row = store.find_ticket("acme:AC-77")
        assert row is not None
        ticket = store.ticket_of(row)
    assert (ticket.subject, ticket.requester, ticket.organisation) == (
        "Orders fail to sync",
        "ops@customer.example",
        "Customer Ltd",
    )
    assert ticket.priority.value == "urgent"
    assert not ticket.escalation_marked


def test_its_label_marks_the_case_for_escalation_and_names_who_marked_it(acme) -> None:
    acme.services.helpdesk_processor(stored(acme, "acme", "case", case(["escalation"])))

    with acme.sessions() as session:
        row = EscalationStore(session).find_ticket("acme:AC-77")
        assert row is not None
        assert EscalationStore(session).ticket_of(row).escalation_marked
    # No triage answers came with it: support is told why no escalation opened.
    [post] = outbox(acme, "channel_post")
    assert "acme:AC-77" in post.payload["text"]
    assert "triage" in post.payload["text"]


def test_a_customers_reply_copying_the_executive_asks_support_by_its_message_id(acme) -> None:
    reply = {
        "ref": "msg-9",
        "visibility": "customer",
        "from_customer": True,
        "text": "Please escalate, this blocks our month end.",
        "copied": [ADDRESSES[3]],
    }
    acme.services.helpdesk_processor(stored(acme, "acme", "case", case(["vip"], reply)))

    with acme.sessions() as session:
        [request] = session.scalars(select(PendingEscalationRequest)).all()
        assert request.level == 3
        assert request.words == "Please escalate, this blocks our month end."
        assert request.key.endswith(":comment-" + hashlib.sha256(b"msg-9").hexdigest()[:16]), (
            request.key
        )
    [post] = outbox(acme, "channel_post")
    assert "the customer copied the executive" in post.payload["text"]


def test_a_staff_note_in_its_shape_copies_nobody(acme) -> None:
    note = {"ref": "msg-10", "visibility": "internal", "text": "FYI", "copied": [ADDRESSES[3]]}
    acme.services.helpdesk_processor(stored(acme, "acme", "case", case(["vip"], note)))

    with acme.sessions() as session:
        assert session.scalars(select(PendingEscalationRequest)).all() == []


def test_a_delivery_in_no_shape_it_reads_is_refused_naming_its_shape(acme) -> None:
    with pytest.raises(PermanentError, match="expected a 'ticket' object or an Acme Desk 'case'"):
        acme.services.helpdesk_processor(stored(acme, "acme", "case", {"hello": 1}))
    # The core reads only the bridge's documented body: the generic intake cannot read a case.
    with pytest.raises(PermanentError, match=r"expected a 'ticket' object$"):
        acme.services.helpdesk_processor(stored(acme, "intake", "case", case(["vip"])))
