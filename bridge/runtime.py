"""One ``bootstrap()`` wires settings, storage, the job engine and the workflow services; the
services are handed only what they use, everything else receives the runtime it returns
instead of reaching for globals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from huey import Huey
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bridge.config import Settings
from bridge.connectors.registry import (
    helpdesks_events,
    installed,
    of_kind,
    receivers,
    register_connectors,
    ticket_id_rules,
    titles,
    trackers_events,
)
from bridge.domain.identifiers import TicketIds
from bridge.jobs.activity import ActiveRequests
from bridge.jobs.clock import utcnow
from bridge.jobs.engine import Tasks, enqueue_side_effect, make_huey, register_tasks
from bridge.jobs.handoff import Handoff
from bridge.jobs.registry import Performers, Processors
from bridge.services.closing.closure import Closure
from bridge.services.closing.notify import Notifier
from bridge.services.closing.reminders import Reminders
from bridge.services.collaborators import Collaborators
from bridge.services.development.ar_voice import ArVoice
from bridge.services.development.shipped import Shipped, ShippedProcessor
from bridge.services.development.spar import SparFiling
from bridge.services.escalation.advice import Advisor
from bridge.services.escalation.escalations import EscalationService
from bridge.services.escalation.sla import SlaTicks
from bridge.services.escalation.splitting import TicketSplitting
from bridge.services.inbound.catchup import CatchUp
from bridge.services.inbound.conversation import Conversation
from bridge.services.inbound.helpdesk_entry import HelpdeskEntry
from bridge.services.inbound.helpdesk_processor import HelpdeskProcessor
from bridge.services.inbound.processors import SlackProcessor
from bridge.services.inbound.replies import Replies
from bridge.services.inbound.sync_health import SyncHealth
from bridge.services.pages import Pages
from bridge.services.ports import Connector, Kind, Watching
from bridge.services.receiving import Receiver
from bridge.services.showing.insights import Insights
from bridge.services.showing.names import Names
from bridge.services.workflow.monitoring import Monitoring
from bridge.services.workflow.steps import Steps
from bridge.store.credentials import Credentials
from bridge.store.db import make_engine, session_factory
from bridge.store.guards import Guards
from bridge.store.inbox import Inbox
from bridge.store.outbox import PLANNED, Outbox
from bridge.store.watching import watched
from bridge.store.watermarks import Watermarks

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Services:
    """The workflow services ``bootstrap()`` wired (``runtime.services.escalations``)."""

    escalations: EscalationService
    advisor: Advisor
    steps: Steps
    spar: SparFiling
    splitting: TicketSplitting
    notifier: Notifier
    shipped: Shipped
    closure: Closure
    monitoring: Monitoring
    replies: Replies
    reminders: Reminders
    sla: SlaTicks
    slack_processor: SlackProcessor
    helpdesk_processor: HelpdeskProcessor
    shipped_processor: ShippedProcessor
    names: Names
    catch_up: CatchUp
    insights: Insights


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    inbox: Inbox
    outbox: Outbox
    guards: Guards
    credentials: Credentials
    huey: Huey
    processors: Processors = field(default_factory=Processors)
    performers: Performers = field(default_factory=Performers)
    tasks: Tasks = field(init=False)
    handoff: Handoff = field(init=False)
    connectors: dict[str, Connector] = field(default_factory=dict)
    pages: Pages = field(init=False)
    services: Services = field(init=False)
    requests: ActiveRequests = field(default_factory=ActiveRequests)
    clock: Callable[[], dt.datetime] = utcnow

    def close(self) -> None:
        self.engine.dispose()

    def sync_health(self) -> list[SyncHealth]:
        return self.services.catch_up.health()

    @staticmethod
    def receiver(source: str) -> Receiver | None:
        """The webhook the installed connector ``source`` declares (None: it has none)."""
        return receivers().get(source)

    @staticmethod
    def ticket_id_rules() -> dict[str, TicketIds]:
        """How each installed helpdesk's ticket ids look, by key (the generic rule for others)."""
        return ticket_id_rules()

    @staticmethod
    def titles() -> dict[str, str]:
        """Each installed connector's name as people read it, by key ("github": "GitHub")."""
        return titles()


def _perform_after_commit(runtime: Runtime) -> None:
    """Side effects start as soon as the decision that planned them is committed; the minute
    sweep is only the safety net for an enqueue that failed or a worker that died."""

    @event.listens_for(runtime.sessions, "after_commit")
    def _enqueue(session: Session) -> None:
        for row_id, target in session.info.pop(PLANNED, []):
            try:
                enqueue_side_effect(runtime, row_id, target)
            except Exception as exc:  # the row is stored; the sweep enqueues it again
                log.warning("outbox.enqueue_failed", row_id=row_id, error=type(exc).__name__)

    @event.listens_for(runtime.sessions, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(PLANNED, None)


def bootstrap(
    settings: Settings, *, huey: Huey | None = None, clock: Callable[[], dt.datetime] = utcnow
) -> Runtime:
    """Build the runtime. Raises ``DatabaseMissing`` if the embedded database was never created.
    ``clock`` is the time the workflow services act at and the board reads them at (a
    simulation lets days pass)."""
    engine = make_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        inbox=Inbox(sessions),
        outbox=Outbox(sessions),
        guards=Guards(sessions),
        credentials=Credentials(sessions),
        huey=huey if huey is not None else make_huey(settings),
        clock=clock,
    )
    register_tasks(runtime)
    runtime.handoff = Handoff(runtime.inbox, runtime.tasks.process_inbox)
    _perform_after_commit(runtime)
    runtime.connectors = register_connectors(runtime)
    runtime.pages = Pages(installed(), lambda: runtime.settings)
    runtime.services = _wire_services(runtime, clock)
    return runtime


def _catch_up_interval(settings: Settings) -> dt.timedelta | None:
    config = settings.catch_up
    return dt.timedelta(minutes=config.every_minutes) if config.enabled else None


def _wire_services(runtime: Runtime, clock: Callable[[], dt.datetime]) -> Services:
    """Build the workflow services from what each one uses, and hang them where the job engine
    finds them: inbox processors by source, the completion hook of a filed record, the minute
    hooks. Nothing else builds a service."""

    given = Collaborators(
        transactions=runtime.sessions,
        outbox=runtime.outbox,
        guards=runtime.guards,
        current_settings=lambda: runtime.settings,
        pages=runtime.pages,
        clock=clock,
    )
    escalations = EscalationService(given)
    steps = Steps(given, escalations)
    notifier = Notifier(given, escalations)
    trackers = trackers_events()
    shipped = Shipped(given, notifier, trackers)
    closure = Closure(given, escalations)
    monitoring = Monitoring(given, steps)
    spar = SparFiling(given, escalations)
    splitting = TicketSplitting(given, escalations)
    helpdesks = helpdesks_events()
    replies = Replies(given, closure, monitoring, helpdesks)
    names = Names(given, runtime.connectors)
    services = Services(
        escalations=escalations,
        advisor=Advisor(given),
        steps=steps,
        spar=spar,
        splitting=splitting,
        notifier=notifier,
        shipped=shipped,
        closure=closure,
        monitoring=monitoring,
        replies=replies,
        reminders=Reminders(given, escalations),
        sla=SlaTicks(given, escalations),
        slack_processor=SlackProcessor(given, escalations, monitoring, steps, spar, splitting),
        helpdesk_processor=HelpdeskProcessor(
            given,
            escalations,
            replies,
            HelpdeskEntry(given, escalations, helpdesks),
            Conversation(given, escalations),
            helpdesks,
            names,
            ticket_id_rules(),
        ),
        shipped_processor=ShippedProcessor(
            given, shipped, runtime.connectors, ArVoice(given, trackers), trackers
        ),
        names=names,
        insights=Insights(given, names),
        catch_up=CatchUp(
            runtime.connectors,
            Watermarks(runtime.sessions),
            runtime.handoff.accept_all,
            lambda: _catch_up_interval(runtime.settings),
            lambda source: Watching(*watched(runtime.sessions, source)),
        ),
    )
    processors, performers = runtime.processors, runtime.performers
    for source in trackers:  # the fix shipped, and development's word on the ARs
        processors.register(source, services.shipped_processor)
    processors.register("slack", services.slack_processor)
    # Every installed helpdesk's deliveries, configured or not (a webhook may come first), and
    # the generic intake's.
    for source in (*of_kind(Kind.HELPDESK), "intake"):
        processors.register(source, services.helpdesk_processor)
    performers.on_done("create_record", services.spar.record_created)
    performers.on_done("create_ticket", services.splitting.ticket_created)
    performers.every_minute("sla_tick", services.sla.sla_tick)
    performers.every_minute("daily_digest", services.sla.digest_tick)
    performers.every_minute("status_reminders", services.sla.status_reminders)
    performers.every_minute("closure_tick", services.reminders.closure_tick)
    performers.every_minute("monitoring_tick", services.monitoring.monitoring_tick)
    performers.every_minute("learn_names", services.names.learn_names)
    performers.every_minute("insight_weeks", services.insights.keep_finished_weeks)
    performers.every_minute("catch_up", services.catch_up.tick)
    return services
