"""One ``bootstrap()`` wires settings, storage and the job engine; everything else receives the
runtime it returns instead of reaching for globals."""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog
from huey import Huey
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bridge.activity import ActiveRequests
from bridge.config import Settings
from bridge.processing import Performers, Processors
from bridge.store.db import make_engine, session_factory
from bridge.store.guards import Guards
from bridge.store.inbox import Inbox
from bridge.store.outbox import PLANNED, Outbox

if TYPE_CHECKING:
    from bridge.intake import Intake
    from bridge.jobs import Tasks
    from bridge.ports import Connector


log = structlog.get_logger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    inbox: Inbox
    outbox: Outbox
    guards: Guards
    huey: Huey
    processors: Processors = field(default_factory=Processors)
    performers: Performers = field(default_factory=Performers)
    tasks: Tasks = field(init=False)
    intake: Intake = field(init=False)
    connectors: dict[str, Connector] = field(default_factory=dict)
    requests: ActiveRequests = field(default_factory=ActiveRequests)

    def close(self) -> None:
        intake = getattr(self, "intake", None)
        if intake is not None:  # queue the jobs of what was stored before letting go
            intake.close()
        self.inbox.close()
        self.engine.dispose()


def _perform_after_commit(runtime: Runtime) -> None:
    """Side effects start as soon as the decision that planned them is committed; the minute
    sweep is only the safety net for an enqueue that failed or a worker that died."""

    @event.listens_for(runtime.sessions, "after_commit")
    def _enqueue(session: Session) -> None:
        for row_id in session.info.pop(PLANNED, []):
            try:
                runtime.tasks.perform_outbox(row_id)
            except Exception as exc:  # the row is stored; the sweep enqueues it again
                log.warning("outbox.enqueue_failed", row_id=row_id, error=type(exc).__name__)

    @event.listens_for(runtime.sessions, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(PLANNED, None)


def bootstrap(settings: Settings, *, huey: Huey | None = None) -> Runtime:
    """Build the runtime. Raises ``DatabaseMissing`` if the embedded database was never created."""
    from bridge.jobs import make_huey, register_tasks

    engine = make_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        inbox=Inbox(sessions),
        outbox=Outbox(sessions),
        guards=Guards(sessions),
        huey=huey if huey is not None else make_huey(settings),
    )
    register_tasks(runtime)
    from bridge.intake import Intake

    runtime.intake = Intake(runtime.inbox, runtime.tasks.process_inbox_rows)
    _perform_after_commit(runtime)
    from bridge.connectors.registry import register_connectors
    from bridge.services import inbound, sla, spar

    runtime.connectors = register_connectors(runtime)
    sla.register(runtime)
    inbound.register(runtime)
    spar.register(runtime)
    return runtime
