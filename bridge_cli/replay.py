"""``support-bridge replay <id> | --dead``: send dead letters round again."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.store.tables import OutboxRow
from bridge_cli.common import fail, runtime_or_exit, settings_or_exit


def _rows(runtime: Runtime, ids: list[int]) -> list[OutboxRow]:
    with runtime.sessions() as session:
        return list(session.scalars(select(OutboxRow).where(OutboxRow.id.in_(ids))))


@click.command()
@click.argument("row_id", required=False, type=int)
@click.option("--dead", "all_dead", is_flag=True, help="Replay every dead letter.")
@click.option(
    "--inline", is_flag=True, help="Perform them now in this process instead of queueing them."
)
def replay(row_id: int | None, all_dead: bool, inline: bool) -> None:
    """Re-drive one dead side effect (by outbox id) or all of them with --dead.

    Connectors look each idempotency key up before creating anything, so replaying a side
    effect that did reach the vendor finds it instead of creating it twice.
    """
    if (row_id is None) == (not all_dead):
        fail("give one outbox id or --dead", code=2)
    settings = settings_or_exit()
    runtime = runtime_or_exit(settings)
    try:
        revived = runtime.outbox.revive(None if all_dead else [row_id or 0], utcnow())
        if not revived:
            fail("no dead letter to replay" + ("" if all_dead else f" with id {row_id}"), code=1)
        if inline and not runtime.performers.by_target:
            from bridge.connectors.registry import register_connectors

            register_connectors(runtime)
        for revived_id in revived:
            if inline:
                runtime.tasks.perform_outbox.call_local(revived_id)
            else:
                runtime.tasks.perform_outbox(revived_id)
        table = Table(title="Replayed side effects")
        for column in ("id", "target", "operation", "status", "last error"):
            table.add_column(column, overflow="fold")
        for row in _rows(runtime, revived):
            table.add_row(str(row.id), row.target, row.operation, row.status, row.last_error or "")
        Console(width=120).print(table)
    finally:
        runtime.close()
