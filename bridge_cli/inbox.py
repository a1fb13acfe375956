from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from bridge.jobs.clock import utcnow
from bridge_cli.common import fail, runtime_or_exit, settings_or_exit

INBOX_STATUSES = ("pending", "processing", "done", "ignored", "held", "dead")


@click.group()
def inbox() -> None:
    """Look at stored deliveries and send them through processing again."""


@inbox.command("list")
@click.option(
    "--status",
    type=click.Choice(INBOX_STATUSES),
    help="Only rows with this status.",
)
@click.option("--limit", default=50, show_default=True)
def list_rows(status: str | None, limit: int) -> None:
    """The newest inbox rows: source, event, status and the reason for the status."""
    runtime = runtime_or_exit(settings_or_exit())
    try:
        rows = runtime.inbox.listing(status, limit)
    finally:
        runtime.close()
    table = Table(title="inbox")
    for column in ("id", "source", "event", "status", "attempts", "received", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id),
            row.source,
            row.event_type,
            row.status,
            str(row.attempts),
            f"{row.received_at:%Y-%m-%d %H:%M:%S}",
            row.last_error or "",
        )
    Console(width=140).print(table)


@inbox.command()
@click.argument("row_ids", nargs=-1, type=int, required=True)
def replay(row_ids: tuple[int, ...]) -> None:
    """Process rows again (e.g. a held request once its sender is registered)."""
    runtime = runtime_or_exit(settings_or_exit())
    try:
        requeued = runtime.inbox.requeue(list(row_ids), utcnow())
        for row_id in requeued:
            runtime.tasks.process_inbox(row_id)
    finally:
        runtime.close()
    missing = sorted(set(row_ids) - set(requeued))
    if requeued:
        click.echo(f"queued again: {', '.join(map(str, requeued))}")
    if missing:
        fail(f"not found or being processed now: {', '.join(map(str, missing))}", code=1)
