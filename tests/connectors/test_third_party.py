"""A connector from someone else's package is found through its entry point and used.

The connector is the example printed in docs/connectors.md, installed into a throw-away
distribution (a dist-info with an entry_points.txt) on a temporary path (``docs_connector``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bridge.config import load_settings
from bridge.connectors.registry import discover, register_connectors
from bridge.runtime import bootstrap
from bridge.services import effects
from bridge.services.ports import Kind, has_feature
from bridge.store import migrate
from bridge.store.tables import OutboxRow


@pytest.fixture
def installed(docs_connector: Path) -> Path:
    return docs_connector


def test_a_connector_installed_by_another_package_is_discovered(installed: Path) -> None:
    found = discover()

    assert {"jira", "github", "slack", "jsonl"} <= set(found)
    assert found["jsonl"].value == "acme_tracker:JsonLinesTracker"


def test_a_third_party_connector_files_the_workflows_records_through_the_outbox(
    installed: Path,
) -> None:
    records = installed / "records.jsonl"
    Path("bridge.yaml").write_text(
        yaml.safe_dump({"connectors": {"jsonl": {"path": str(records)}}})
    )
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    try:
        connectors = register_connectors(runtime)
        tracker = connectors["jsonl"]
        assert tracker.kind == Kind.TRACKER and has_feature(tracker, "create_record")
        effect = effects.tracker_record("jsonl", "esc-9", "ar", spec={"summary": "Export leak"})
        with runtime.sessions.begin() as session:
            from bridge.jobs.clock import utcnow

            row_id = runtime.outbox.add(session, effect, utcnow())
        runtime.tasks.perform_outbox.call_local(row_id)

        with runtime.sessions() as session:
            row = session.scalars(select(OutboxRow).where(OutboxRow.id == row_id)).one()
        assert (row.status, row.result["key"]) == ("done", "REC-1")
        assert records.read_text().count('"bridge_key": "jsonl:esc-9:ar:create"') == 1
        assert tracker.check().ok
    finally:
        runtime.close()
