from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from bridge.config import Settings
from bridge.config.readiness import gaps
from bridge.connectors.credentials import CredentialWatch
from bridge.connectors.probe import ROUTING, probe_connectors, slack_routing
from bridge.connectors.registry import webhook_purposes
from bridge.jobs.clock import utcnow
from bridge.observability.health import Check, check_database, check_queue
from bridge.observability.logs import configure_logging
from bridge.runtime import Runtime, bootstrap
from bridge.store.db import DatabaseMissing
from bridge_cli.common import settings_or_exit


def _checks() -> list[Check]:
    settings = settings_or_exit()
    configure_logging("error", settings.log_format)
    unready = gaps(settings, webhook_purposes())
    checks = [Check("configuration", True, "valid")]
    checks += [Check("set-up", False, f"{gap.key}: {gap.problem}", gap.fix) for gap in unready]
    try:
        runtime = bootstrap(settings)
    except DatabaseMissing as exc:
        checks.append(Check("database", False, str(exc), "run `support-bridge db upgrade`"))
        return checks
    try:
        database = check_database(runtime)
        checks += [*database, check_queue(runtime)]
        usable = all(check.ok for check in database)
        dead = runtime.outbox.counts_by_status().get("dead", 0) if usable else 0
        if dead:
            checks.append(
                Check("dead letters", False, f"{dead} side effect(s) gave up", "see `replay`")
            )
        watch = CredentialWatch(runtime.credentials if usable else None)
        checks += probe_connectors(settings, watch)
        checks += _routing(settings, checks)
        if usable:
            checks += _credentials(runtime)
            checks += _catch_up(runtime)
    finally:
        runtime.close()
    return checks


def _credentials(runtime: Runtime) -> list[Check]:
    """Each credential's expiry or last refresh failure, as any process of the bridge met it
    (this one's sign-in just now included); a fix is named before a fixed date comes."""
    now = utcnow()
    return [
        Check(
            f"credential {status.connector}",
            not status.broken(now),
            status.describe(now),
            status.fix if status.broken(now) or not status.renewable else "",
        )
        for status in runtime.credentials.all()
    ]


def _catch_up(runtime: Runtime) -> list[Check]:
    """Each source catch-up reads: a failing or lagging one means events sent while the
    bridge was down may not be found."""
    now, every = utcnow(), runtime.services.catch_up.interval
    return [
        Check(
            f"catch-up {source.connector} {source.scope}",
            source.ok(now, every),
            source.describe(now),
            "" if source.ok(now, every) else _catch_up_fix(source.last_error),
        )
        for source in runtime.sync_health()
    ]


def _catch_up_fix(error: str | None) -> str:
    if error:
        return "fix what the error names, then run `support-bridge sync now`"
    return "start a worker (`support-bridge worker`) or run `support-bridge sync now`"


def _routing(settings: Settings, checks: list[Check]) -> list[Check]:
    """Each routed channel the bot cannot post to; nothing more when Slack is not configured or
    its own row already failed."""
    if not any(check.name == "connector slack" and check.ok for check in checks):
        return []
    checked = slack_routing(settings)
    if isinstance(checked, str):
        return [Check(ROUTING, False, f"not checked: {checked}")]
    return checked


@click.command()
def doctor() -> None:
    """Check configuration, database, queue, every configured connector and its credential."""
    checks = _checks()
    table = Table(title="Support Bridge doctor", expand=False)
    for column in ("check", "status", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for check in checks:
        status = "[green]OK[/green]" if check.ok else "[red]FAIL[/red]"
        table.add_row(check.name, status, check.detail, check.hint)
    Console(width=120).print(table)
    failed = [check for check in checks if not check.ok]
    if failed:
        raise SystemExit(1)
