from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import pytest

from bridge.config import load_settings
from bridge.config.policy import LevelConfig
from bridge.domain.enums import Priority, Severity
from bridge.domain.records import Ticket
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime, bootstrap
from bridge.store.escalations import EscalationStore
from bridge.store.inbox import Delivery

# A Monday morning in New York (us-eastern is the default calendar: Mon-Fri 9-18).
MONDAY_10AM = dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC)
# The address of each level's owner (``levels.<n>.address``): copying one asks for that level.
ADDRESSES = {
    1: "supportmanager@vendor.example",
    2: "am@vendor.example",
    3: "ceo@vendor.example",
}


@pytest.fixture
def runtime(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    runtime = bootstrap(load_settings())
    yield runtime
    runtime.close()


@pytest.fixture
def addressed(runtime: Runtime) -> Runtime:
    roles = {1: "support manager", 2: "account manager", 3: "executive"}
    levels = {n: LevelConfig(role=roles[n], address=ADDRESSES[n]) for n in roles}
    runtime.settings = runtime.settings.model_copy(update={"levels": levels})
    return runtime


def add_ticket(
    runtime: Runtime,
    number: str = "4711",
    *,
    severity: Severity = Severity.CRITICAL,
    priority: Priority = Priority.URGENT,
    region: str = "",
    opened_at: dt.datetime = MONDAY_10AM - dt.timedelta(days=3),
    replied: bool = True,
    subject: str = "Orders fail to sync",
    organisation: str = "Customer Ltd",
) -> None:
    ticket = Ticket(
        external_id=number,
        requester="ops@customer.example",
        organisation=organisation,
        subject=subject,
        severity=severity,
        priority=priority,
        region=region,
        opened_at=opened_at,
        last_support_reply_at=opened_at + dt.timedelta(hours=1) if replied else None,
    )
    with runtime.sessions.begin() as session:
        EscalationStore(session).save_ticket("zendesk", ticket, opened_at)


def deliver(
    runtime: Runtime,
    body: dict,
    delivery_id: str | None = None,
    event_type: str = "ticket.comment_added",
) -> int:
    """A Zendesk delivery stored in the inbox and processed by its job; the inbox row's id."""
    raw = json.dumps(body).encode()
    delivery = Delivery("zendesk", delivery_id or uuid.uuid4().hex, event_type, raw)
    stored = runtime.inbox.store(delivery, utcnow())
    runtime.tasks.process_inbox.call_local(stored.row_id)
    return stored.row_id
