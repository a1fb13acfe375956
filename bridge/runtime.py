"""One ``bootstrap()`` wires settings, storage and the job engine; everything else receives the
runtime it returns instead of reaching for globals."""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from huey import Huey
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bridge.config import Settings
from bridge.processing import Performers, Processors
from bridge.store.db import make_engine, session_factory
from bridge.store.guards import Guards
from bridge.store.inbox import Inbox
from bridge.store.outbox import Outbox

if TYPE_CHECKING:
    from bridge.jobs import Tasks


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

    def close(self) -> None:
        self.engine.dispose()


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
    from bridge.connectors.registry import register_connectors
    from bridge.services import inbound, sla, spar

    register_connectors(runtime)
    sla.register(runtime)
    inbound.register(runtime)
    spar.register(runtime)
    return runtime
