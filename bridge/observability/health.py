"""Checks shared by ``/readyz`` and ``support-bridge doctor``: each says what failed and how to
fix it, never a secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from huey import Huey, RedisHuey
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bridge.config import Settings
from bridge.store.db import redact
from bridge.store.migrate import current_revision, head_revision


class Observed(Protocol):
    """What the checks read of the runtime ``bootstrap()`` builds."""

    settings: Settings
    engine: Engine
    huey: Huey


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""


def check_database(runtime: Observed) -> list[Check]:
    where = redact(runtime.settings.resolved_database_url)
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(runtime.engine)
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        return [
            Check("database", False, f"cannot reach {where}: {reason}", "check BRIDGE_DATABASE_URL")
        ]
    head = head_revision()
    reached = Check("database", True, f"reachable at {where}")
    if current != head:
        at = current or "empty"
        return [
            reached,
            Check(
                "migrations",
                False,
                f"schema at revision {at}, code needs {head}",
                "run `support-bridge db upgrade`",
            ),
        ]
    return [reached, Check("migrations", True, f"at head ({head})")]


def check_queue(runtime: Observed) -> Check:
    kind = "redis" if isinstance(runtime.huey, RedisHuey) else "sqlite"
    try:
        depth = runtime.huey.pending_count()
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        hint = "check BRIDGE_REDIS_URL" if kind == "redis" else "check BRIDGE_DATA_DIR"
        return Check("queue", False, f"{kind} queue unreachable: {reason}", hint)
    return Check("queue", True, f"{kind} queue reachable, {depth} job(s) waiting")


def readiness(runtime: Observed) -> list[Check]:
    return [*check_database(runtime), check_queue(runtime)]
