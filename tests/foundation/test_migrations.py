"""Migrations go up and down on both engines, and a failed first upgrade leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, text

from bridge.store import migrate
from bridge.store.db import DatabaseMissing, make_engine
from bridge.store.tables import Base
from bridge_cli import main

FOUNDATION_TABLES = {
    "tickets",
    "escalations",
    "spars",
    "action_requests",
    "action_plans",
    "notices",
    "audit_events",
    "inbox",
    "outbox",
    "job_guards",
    "sla_clocks",
    "action_request_links",
    "resolution_answers",
    "board_sessions",
    "pending_escalation_requests",
    "credential_status",
    "known_names",
    "catch_up_watermarks",
    "insight_weeks",
}


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def indexes(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {str(index["name"]) for index in inspect(engine).get_indexes(table)}
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_and_downgrade_steps_back_one(database_url: str) -> None:
    assert tables(database_url) == FOUNDATION_TABLES
    assert "ix_sla_clocks_state_met_at" in indexes(database_url, "sla_clocks")
    assert migrate.downgrade(database_url) == "0011"
    assert "ix_sla_clocks_state_met_at" not in indexes(database_url, "sla_clocks")
    assert "ix_audit_events_type_step_at" not in indexes(database_url, "audit_events")
    assert "escalation_id" in columns(database_url, "outbox")
    assert migrate.downgrade(database_url) == "0010"
    assert "escalation_id" not in columns(database_url, "outbox")
    assert tables(database_url) == FOUNDATION_TABLES
    assert migrate.downgrade(database_url) == "0009"
    assert "met_at" not in columns(database_url, "sla_clocks")
    assert tables(database_url) == FOUNDATION_TABLES - {"insight_weeks"}
    assert migrate.downgrade(database_url) == "0008"
    assert "vendor_id" not in columns(database_url, "action_request_links")
    assert migrate.upgrade(database_url) == migrate.head_revision()
    assert tables(database_url) == FOUNDATION_TABLES
    assert "vendor_id" in columns(database_url, "action_request_links")
    assert "vendor_id" in columns(database_url, "action_requests")
    assert "met_at" in columns(database_url, "sla_clocks")
    assert "escalation_id" in columns(database_url, "outbox")
    assert "ix_audit_events_type_step_at" in indexes(database_url, "audit_events")


def test_side_effects_planned_before_0011_are_found_by_escalation_and_channel(
    database_url: str,
) -> None:
    migrate.downgrade(database_url)  # to 0011
    migrate.downgrade(database_url)  # to 0010, before the outbox knew its escalation
    engine = make_engine(database_url)
    insert = text(
        "INSERT INTO outbox (idempotency_key, target, operation, payload, status, attempts,"
        " next_attempt_at, created_at, updated_at)"
        " VALUES (:key, 'slack', 'thread_reply', :payload, 'done', 1, :at, :at, :at)"
    )
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    payloads = {
        "head": {"escalation_id": "42", "channel": "#escalations"},
        "none": {"channel": "#escalations-emea"},
        "word": {"escalation_id": "forty-two", "channel": ""},
        "huge": {"escalation_id": "99999999999", "channel": {"id": "C1"}},
    }
    try:
        with engine.begin() as connection:
            for key, payload in payloads.items():
                connection.execute(insert, {"key": key, "payload": json.dumps(payload), "at": at})
        migrate.upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT idempotency_key, escalation_id, channel FROM outbox")
            )
            found = {key: (escalation, channel) for key, escalation, channel in rows}
    finally:
        engine.dispose()
    assert found == {
        "head": (42, "#escalations"),
        "none": (None, "#escalations-emea"),
        "word": (None, None),
        "huge": (None, None),
    }


def test_the_embedded_database_is_sqlite_in_wal_mode(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    finally:
        engine.dispose()
    assert mode == "wal"
    assert timeout == 5000


def test_a_failed_first_upgrade_leaves_no_database_file(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_run = migrate._run

    def crash_after_first_revision(engine, action, revision):  # type: ignore[no-untyped-def]
        real_run(engine, action, "0001")
        raise RuntimeError("power cut during migration 0002")

    monkeypatch.setattr(migrate, "_run", crash_after_first_revision)
    with pytest.raises(RuntimeError):
        migrate.upgrade(sqlite_url)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("bridge.db")) == []


def test_the_app_never_creates_an_empty_database_by_opening_it(sqlite_url: str) -> None:
    with pytest.raises(DatabaseMissing, match=r"run `support-bridge db upgrade`"):
        make_engine(sqlite_url)
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_db_upgrade_on_an_unreachable_postgresql_is_one_line_exit_2(monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", "postgresql://bridge:s3cret@127.0.0.1:9/bridge")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 2
    assert result.output.startswith(
        "support-bridge: BRIDGE_DATABASE_URL: cannot migrate "
        "postgresql+psycopg://bridge:***@127.0.0.1:9/bridge: "
    )
    assert "s3cret" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_db_commands_report_the_revision(isolated_settings: Path) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output.endswith(f"is at revision {migrate.head_revision()}\n")
    current = runner.invoke(main, ["db", "current"])
    assert current.output.endswith("up to date\n")
    down = runner.invoke(main, ["db", "downgrade"])
    assert down.output.endswith("is at revision 0011\n")
    assert runner.invoke(main, ["db", "current"]).output.endswith(
        "needs `support-bridge db upgrade`\n"
    )


def test_the_migrations_build_exactly_the_schema_the_code_declares(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert drift == []
