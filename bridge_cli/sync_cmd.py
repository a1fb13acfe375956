"""``support-bridge sync``: how catch-up stands with each vendor source, and a run on demand."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge_cli.common import runtime_or_exit, settings_or_exit

EXIT_UNHEALTHY = 1


@click.group()
def sync() -> None:
    """Catch-up with the vendors: what the bridge compared, when, and what failed."""


@sync.command()
def status() -> None:
    """Each source's last sync, last error and next catch-up; exits 1 when one is failing or
    lagging (more than two intervals behind), so a monitor can run it."""
    runtime = runtime_or_exit(settings_or_exit())
    try:
        healthy = _print_status(runtime)
    finally:
        runtime.close()
    if not healthy:
        raise SystemExit(EXIT_UNHEALTHY)


@sync.command()
def now() -> None:
    """Ask every source what it sent since its watermark, now, whatever the schedule; what is
    found goes to the inbox like a webhook (a running worker processes it)."""
    runtime = runtime_or_exit(settings_or_exit())
    try:
        catch_up = runtime.services.catch_up
        if catch_up.interval is None:
            click.echo("catch-up is switched off (catch_up.enabled: false in bridge.yaml)")
            return
        found = catch_up.run(utcnow())
        click.echo(f"caught up: {found} new event(s) stored for processing")
        healthy = _print_status(runtime)
    finally:
        runtime.close()
    if not healthy:
        raise SystemExit(EXIT_UNHEALTHY)


def _print_status(runtime: Runtime) -> bool:
    catch_up = runtime.services.catch_up
    every, moment = catch_up.interval, utcnow()
    health = catch_up.health()
    if not health:
        click.echo(
            "no source has been caught up yet: a connector that can catch up (a tracker's, a "
            "helpdesk's) "
            "records its first watermark when the bridge starts"
        )
        return True
    table = Table(title="catch-up")
    for column in ("connector", "scope", "status", "last synced", "next", "last error"):
        table.add_column(column, overflow="fold")
    for source in health:
        ok = source.ok(moment, every)
        table.add_row(
            source.connector,
            source.scope,
            ("[yellow]BEHIND[/yellow]" if source.behind else "[green]OK[/green]")
            if ok
            else "[red]FAILING[/red]"
            if source.last_error
            else "[red]LAGGING[/red]",
            f"{source.last_synced:%Y-%m-%d %H:%M:%S}Z",
            "off" if source.next_due is None else f"{source.next_due:%Y-%m-%d %H:%M:%S}Z",
            source.last_error or "",
        )
    Console(width=140).print(table)
    return all(source.ok(moment, every) for source in health)
