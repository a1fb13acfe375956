"""The last line of defence: no traceback reaches the person at the terminal.

Commands report what they expect one line each; anything that still escapes is reported here in
one line too, naming what failed. ``support-bridge --debug <command>`` lets it through, with its
traceback, for a bug report.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from bridge.config import ConfigError
from bridge.store.db import DatabaseMissing
from bridge_cli.common import fail

EXIT_UNEXPECTED = 1


class OneLineErrors(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            fail(describe(exc), code=_code(exc))


def describe(exc: Exception) -> list[str] | str:
    if isinstance(exc, ConfigError):
        return [str(problem) for problem in exc.problems]
    if isinstance(exc, DatabaseMissing):
        return f"BRIDGE_DATABASE_URL: {exc}"
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or exc} (check BRIDGE_DATA_DIR and its rights)"
    if isinstance(exc, SQLAlchemyError):
        cause = getattr(exc, "orig", None) or exc
        first = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        return f"database: {first} (check BRIDGE_DATABASE_URL; `support-bridge doctor` tells more)"
    return (
        f"unexpected error: {type(exc).__name__}: {exc} "
        "(run again with `support-bridge --debug ...` for the traceback, and report it)"
    )


def _code(exc: Exception) -> int:
    return 2 if isinstance(exc, ConfigError | DatabaseMissing) else EXIT_UNEXPECTED
