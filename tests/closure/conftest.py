from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bridge.config import load_settings
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate, tables
from bridge.store.inbox import Delivery
from bridge.store.tables import InboxRow


@pytest.fixture
def runtime(
    database_url: str, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    """Zendesk and email are configured (never called: these tests read the outbox)."""
    config = {
        "connectors": {
            "zendesk": {
                "url": "https://acme.zendesk.example",
                "email": "bot@acme.example",
                "api_token": "t",
            },
            "email": {"host": "smtp.acme.example", "sender": "support@acme.example"},
        }
    }
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    migrate.upgrade(database_url)
    built = bootstrap(load_settings())
    yield built
    built.close()


def deliver(runtime: Runtime, source: str, event_type: str, body: dict[str, Any]) -> str:
    """Store a delivery and run its processor, as the worker does; returns the outcome."""
    return process(runtime, stored_delivery(runtime, source, event_type, body))


def stored_delivery(
    runtime: Runtime, source: str, event_type: str, body: dict[str, Any]
) -> InboxRow:
    raw = json.dumps(body).encode()
    stored = runtime.inbox.store(Delivery(source, uuid.uuid4().hex, event_type, raw), utcnow())
    with runtime.sessions() as session:
        row = session.get(InboxRow, stored.row_id)
        assert row is not None
    return row


def process(runtime: Runtime, row: InboxRow) -> str:
    processor = runtime.processors.find(row.source)
    assert processor is not None
    return processor(row)


def planned(runtime: Runtime, operation: str) -> list[tables.OutboxRow]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(tables.OutboxRow)
                .where(tables.OutboxRow.operation == operation)
                .order_by(tables.OutboxRow.id)
            )
        )


def state_of(runtime: Runtime, escalation_id: int) -> str:
    with runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None
        return row.state


from .sandboxed import bridge, sandbox  # noqa: E402, F401 - fixtures of the end-to-end tests
