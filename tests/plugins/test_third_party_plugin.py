"""The example third-party plugin, tests/plugins/tinydesk, installed by pip from its own
pyproject.toml (offline, into a throw-away directory, never into the bridge's environment) and
used by the bridge as an installed package: found through its entry point, configured in
bridge.yaml, writing through the outbox and receiving its signed webhook."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from bridge.config import ConfigError, Settings, load_settings
from bridge.config.readiness import gaps
from bridge.connectors import registry
from bridge.connectors.ratelimit import RateGate
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services import effects
from bridge.services.inbound.replies import customer_comment
from bridge.services.ports import Connector, IdempotencyKey, Kind, has_feature
from bridge.store.escalations import EscalationStore
from bridge.store.tables import OutboxRow
from bridge_cli import main
from sandbox.core.server import BackgroundServer
from tests.helpers import inbox_rows, migrated_runtime
from tests.plugins.tinydesk_server import API_TOKEN, TinyDeskServer
from webhooks.app import create_app

PLUGIN = Path(__file__).resolve().parent / "tinydesk"
SECRET = "tinydesk-webhook-secret"


def forget_installed() -> None:
    """Drop every answer cached from the installed distributions, so the next lookup reads
    sys.path as it is now."""
    importlib.invalidate_caches()
    for value in vars(registry).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The plugin installed with pip, as its users would, into a directory put on sys.path."""
    work = tmp_path_factory.mktemp("tinydesk")
    source, target = work / "source", work / "site"
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    shutil.copytree(PLUGIN, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--no-cache-dir", "--disable-pip-version-check", "--quiet"]
    done = subprocess.run(
        [*command, "--target", str(target), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(target))
    forget_installed()
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.split(".")[0] == "tinydesk_bridge"]:
            del sys.modules[name]
        forget_installed()


@pytest.fixture
def tinydesk() -> Iterator[TinyDeskServer]:
    server = TinyDeskServer()
    served = BackgroundServer(server.app)
    served.start()
    server.base_url = served.url
    try:
        yield server
    finally:
        served.stop()
    assert not server.recorder.violations, server.recorder.violations


def configure(tinydesk: TinyDeskServer, **section: Any) -> Settings:
    """bridge.yaml naming the plugin's connector, read as the bridge reads it at start."""
    config = {"url": tinydesk.base_url, "api_token": API_TOKEN, "webhook_secret": SECRET}
    document = {"connectors": {"tinydesk": config | section}}
    Path("bridge.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return load_settings()


@pytest.fixture
def runtime(installed: Path, tinydesk: TinyDeskServer) -> Iterator[Runtime]:
    configure(tinydesk)
    with migrated_runtime() as runtime:
        yield runtime


def built(settings: Settings) -> dict[str, Connector]:
    gate = RateGate.from_url(None, rates=registry.budgets_for(settings))
    return registry.build_connectors(settings, registry.Context(gate=gate))


def test_the_registry_finds_the_plugin_installed_from_its_pyproject(installed: Path) -> None:
    found = registry.discover()

    assert found["tinydesk"].value == "tinydesk_bridge:TinyDeskConnector"
    connector = found["tinydesk"].load()
    assert Path(sys.modules[connector.__module__].__file__ or "").is_relative_to(installed)
    assert connector.kind is Kind.HELPDESK
    assert registry.of_kind(Kind.HELPDESK) == ["freshdesk", "tinydesk", "zendesk"]
    assert registry.titles()["tinydesk"] == "TinyDesk"
    assert registry.installed_budgets()["tinydesk:requests"] == "110/minute"
    assert "tinydesk" in registry.receivers()
    assert "tinydesk" in registry.helpdesks_events()
    assert registry.ticket_id_rules()["tinydesk"].format == "a positive whole number"


def test_bridge_yaml_naming_the_plugin_validates_and_builds_it(
    installed: Path, tinydesk: TinyDeskServer
) -> None:
    settings = configure(tinydesk)

    connectors = built(settings)

    assert settings.connectors.configured() == ["tinydesk"]
    assert set(connectors) == {"tinydesk"}
    assert has_feature(connectors["tinydesk"], "internal_note")
    assert connectors["tinydesk"].check().ok
    # The section's escalation_entry is the bridge's own, read for the plugin's tickets too.
    marked = configure(tinydesk, escalation_entry={"tag": "escalate-now"})
    assert set(built(marked)) == {"tinydesk"}
    assert marked.connectors.escalation_entry("tinydesk").tag == "escalate-now"
    assert settings.connectors.escalation_entry("tinydesk").tag == "escalation"


def test_config_check_names_the_plugins_webhook_while_it_has_no_secret(
    installed: Path, tinydesk: TinyDeskServer
) -> None:
    settings = configure(tinydesk, webhook_secret=None)

    found = [str(gap) for gap in gaps(settings, registry.webhook_purposes())]

    assert any(
        "/webhooks/tinydesk is answered 404" in gap and "TinyDesk's ticket events" in gap
        for gap in found
    ), found
    assert not gaps(configure(tinydesk), registry.webhook_purposes())


def test_a_wrong_section_stops_the_bridge_naming_the_key(
    installed: Path, tinydesk: TinyDeskServer
) -> None:
    settings = configure(tinydesk, api_token="  ", colour="blue")

    with pytest.raises(ConfigError) as refused:
        built(settings)

    named = [problem.path for problem in refused.value.problems]
    assert "connectors.tinydesk.api_token" in named
    assert "connectors.tinydesk.colour" in named
    # config check builds the connectors as serve will: the section is refused there first.
    checked = CliRunner().invoke(main, ["config", "check", "--offline"])
    assert checked.exit_code == 2
    assert "support-bridge: connectors.tinydesk.api_token: is blank" in checked.output
    assert "Traceback" not in checked.output


def test_the_bridge_writes_a_note_on_a_tinydesk_ticket_through_the_outbox(
    runtime: Runtime, tinydesk: TinyDeskServer
) -> None:
    ticket = tinydesk.seed_ticket("Orders are lost since 9:00")
    connectors = registry.register_connectors(runtime)
    note = effects.helpdesk_note(
        "tinydesk", str(ticket.id), "ar-DEV-7", text="AR DEV-7 filed for this ticket"
    )
    with runtime.sessions.begin() as session:
        row_id = runtime.outbox.add(session, note, utcnow())

    runtime.tasks.perform_outbox.call_local(row_id)
    # Sent again as after a worker died before recording it: found, not written twice.
    again = IdempotencyKey(note.idempotency_key, fresh=False)
    connectors["tinydesk"].perform(note.operation, dict(note.payload), again)

    with runtime.sessions() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.id == row_id)).one()
    assert (row.status, row.result) == ("done", {"ticket": "1", "operation": "internal_note"})
    written = [(m["text"], m["public"], m["ref"]) for m in ticket.messages]
    ref = f"support-bridge:{note.idempotency_key}"
    assert written == [("AR DEV-7 filed for this ticket", False, ref)]
    # Where the board and Slack link the ticket to: TinyDesk's agent view.
    assert runtime.pages.ticket("tinydesk", "1") == f"{tinydesk.base_url}/agent/tickets/1"


def test_a_signed_tinydesk_webhook_is_stored_and_read_and_a_badly_signed_one_refused(
    runtime: Runtime, tinydesk: TinyDeskServer
) -> None:
    bridge = BackgroundServer(create_app(runtime=runtime))
    bridge.start()
    try:
        tinydesk.webhooks.register(f"{bridge.url}/webhooks/tinydesk", SECRET)
        tinydesk.webhooks.register(f"{bridge.url}/webhooks/tinydesk", "not-the-secret")
        ticket = tinydesk.seed_ticket("Exports fail")
        tinydesk.customer_writes(ticket, "Still failing this morning")
        tinydesk.webhooks.flush()
    finally:
        bridge.stop()

    assert [d.status for d in tinydesk.webhooks.deliveries] == [202, 401]
    [row] = inbox_rows(runtime)
    assert (row.source, row.event_type, row.record_key) == (
        "tinydesk",
        "message.created",
        f"ticket:{ticket.id}",
    )

    # The customer's words, read through the plugin's events as the bridge reads a reply.
    document = json.loads(row.body)
    events = registry.helpdesks_events()["tinydesk"]
    assert customer_comment(document, events) == "Still failing this morning"
    # The bridge's worker reads it as a TinyDesk ticket event: the ticket is mirrored.
    runtime.tasks.process_inbox.call_local(row.id)
    [row] = inbox_rows(runtime)
    assert (row.status, row.last_error) == ("done", None)
    with runtime.sessions() as session:
        store = EscalationStore(session)
        mirrored = store.find_ticket(f"tinydesk:{ticket.id}")
        assert mirrored is not None
        seen = store.ticket_of(mirrored)
    assert (seen.subject, seen.requester, seen.organisation) == (
        "Exports fail",
        "casey@customer.example",
        "Customer Corp",
    )
