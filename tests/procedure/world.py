"""The seeds' people, acting through the bridge's own surfaces while the days go by.

A ``World`` is one bridge (the real services, job hooks and store, on SQLite) whose clock the
test moves: tickets and comments arrive as helpdesk deliveries through the inbox and the
helpdesk processor, support escalates and takes steps as Slack and the API do, the tracker's
answers reach the completion hooks as the job engine hands them on, and every minute hook
runs as time passes. Side effects stay in the outbox, where the test reads what each system
would have been told.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bridge.config import Settings
from bridge.domain.enums import EntryPoint, PlanKind, ReasonCategory
from bridge.domain.records import ContactDetails, PreEscalationReview, TriageAnswers
from bridge.runtime import Runtime, bootstrap
from bridge.services.closing.links import ACCEPT, STILL_BROKEN
from bridge.services.escalation.escalations import EscalationRequest
from bridge.services.signals import ShipSignal
from bridge.services.workflow import procedure, steps
from bridge.store import migrate, tables
from bridge.store.escalations import EscalationStore
from bridge.store.inbox import Delivery

SUPPORT = "U0ANNA0001"
ENGINEER = "U0ERIN0001"
REQUESTER = "ops@customer.example"
TRIAGE = TriageAnswers(
    production_down=True,
    users_affected=40,
    go_live_answered=True,
    contact=ContactDetails("+44 20 7946 0000", REQUESTER, "Mon-Fri 09:00-17:00"),
)
REVIEW = PreEscalationReview(True, True, True, None)
CONFIG = {
    "connectors": {
        "zendesk": {
            "url": "https://acme.zendesk.example",
            "email": "bot@acme.example",
            "api_token": "never-used",
        },
        "jira": {
            "url": "https://acme.atlassian.example",
            "email": "bot@acme.example",
            "api_token": "never-used",
        },
    },
    "levels": {
        1: {"role": "support manager", "owners": ["U0SUPPORTM"]},
        2: {"role": "account manager", "owners": ["U0ACCOUNTM"], "notify": "dm"},
        3: {"role": "executive", "owners": ["U0EXECUTIV"], "notify": "dm"},
    },
    "routing": {"default_channel": "#escalations", "default_tracker": "jira"},
    # The vendors here are names, never reached: nothing to catch up on.
    "catch_up": {"enabled": False},
}


@dataclass
class World:
    runtime: Runtime
    now: dt.datetime
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    ars: dict[int, str] = field(default_factory=dict)
    ticks: list[dt.datetime] = field(default_factory=list)

    # -- time -------------------------------------------------------------------------------
    def run_minute_hooks(self) -> None:
        """What the engine's minute job runs, at the world's time."""
        for hook in self.runtime.performers.periodic.values():
            hook(self.now)
        self.ticks.append(self.now)

    def advance(self, delta: dt.timedelta, *, every: dt.timedelta = dt.timedelta(hours=1)) -> None:
        """Let ``delta`` pass, the minute hooks running on each ``every`` boundary (and at the
        end): the bridge was up all along."""
        end = self.now + delta
        step = self.now.replace(minute=0, second=0, microsecond=0) + every
        while step < end:
            self.now = step
            self.run_minute_hooks()
            step += every
        self.now = end
        self.run_minute_hooks()

    def advance_to(self, moment: dt.datetime, **kwargs: Any) -> None:
        self.advance(moment - self.now, **kwargs)

    # -- the helpdesk ----------------------------------------------------------------------
    def _deliver(self, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        delivery = Delivery("zendesk", uuid.uuid4().hex, "ticket", raw)
        stored = self.runtime.inbox.store(delivery, self.now)
        assert stored.row_id is not None
        self.runtime.tasks.process_inbox.call_local(stored.row_id)

    def _ticket_fields(self, number: str) -> dict[str, Any]:
        return {**self.tickets[number], "updated_at": self.now.isoformat()}

    def ticket(
        self,
        number: str,
        *,
        region: str,
        severity: int = 1,
        opened: dt.timedelta = dt.timedelta(days=7),
        requester: str = REQUESTER,
        organization: str = "Customer Ltd",
    ) -> None:
        """A customer's ticket, mirrored from the helpdesk (opened ``opened`` ago)."""
        self.tickets[number] = {
            "id": number,
            "subject": f"Orders fail to sync ({number})",
            "requester": requester,
            "organization": organization,
            "priority": "urgent",
            "severity": str(severity),
            "status": "open",
            "region": region,
            "created_at": (self.now - opened).isoformat(),
        }
        self._deliver({"ticket": self._ticket_fields(number), "updated_by": "customer"})

    def comment(self, number: str, text: str, *, by_customer: bool) -> None:
        """A public comment on the ticket, by the customer or a support agent."""
        comment = {"body": text, "public": True, "by_customer": by_customer}
        self._deliver({"ticket": self._ticket_fields(number), "comment": comment})

    # -- support, in Slack or the API --------------------------------------------------------
    def escalate(
        self,
        number: str,
        *,
        reason: ReasonCategory = ReasonCategory.DATA_LOSS,
        justification: str = "",
    ) -> int:
        request = EscalationRequest(
            f"zendesk:{number}",
            reason,
            "orders lost since the upgrade",
            SUPPORT,
            EntryPoint.SLACK,
            f"slack:{uuid.uuid4().hex}",
            triage=TRIAGE,
            override_justification=justification,
            review=REVIEW,
        )
        return self.runtime.services.escalations.escalate(request, self.now)

    def cause(self) -> str:
        return f"test:{uuid.uuid4().hex[:8]}"

    def acknowledge(self, escalation_id: int) -> None:
        self.runtime.services.escalations.acknowledge(
            escalation_id, by=SUPPORT, cause=self.cause(), now=self.now
        )

    def assign(self, escalation_id: int) -> None:
        procedure.assign_engineer(
            self.runtime.services.steps,
            escalation_id,
            engineer=ENGINEER,
            by=SUPPORT,
            cause=self.cause(),
            now=self.now,
        )

    def status_update(
        self, escalation_id: int, *, public: bool = True, waiting_until: dt.datetime | None = None
    ) -> None:
        steps.status_update(
            self.runtime.services.steps,
            escalation_id,
            by=ENGINEER,
            text="We are testing a fix on a copy of your system.",
            cause=self.cause(),
            now=self.now,
            public=public,
            waiting_until=waiting_until,
        )

    def propose(self, escalation_id: int, kind: PlanKind = PlanKind.PATCH) -> str:
        delivery = (self.now + dt.timedelta(days=2)).date() if kind.is_release else None
        return steps.propose(
            self.runtime.services.steps,
            escalation_id,
            kind=kind,
            summary="Apply the sync patch, then restart the service.",
            delivery_date=delivery,
            by=ENGINEER,
            cause=self.cause(),
            now=self.now,
        )

    def answer_plan(self, escalation_id: int, *, accepted: bool) -> None:
        procedure.customer_answers_plan(
            self.runtime.services.steps,
            escalation_id,
            None,
            accepted=accepted,
            reason="" if accepted else "a restart every night is not acceptable",
            by=SUPPORT,
            cause=self.cause(),
            now=self.now,
        )

    def renegotiate(self, escalation_id: int) -> None:
        procedure.renegotiate(
            self.runtime.services.steps,
            escalation_id,
            by=ENGINEER,
            cause=self.cause(),
            now=self.now,
        )

    def file_ar(self, escalation_id: int) -> str:
        """File the SPAR and its AR; the tracker's answers reach the completion hooks as the
        job engine hands them on once Jira created each issue."""
        self.runtime.services.spar.open_spar(
            escalation_id, by=ENGINEER, cause=self.cause(), now=self.now
        )
        hook = self.runtime.performers.completions["create_record"]
        for kind, key in (("spar", f"SUP-{escalation_id}"), ("ar", f"DEV-{escalation_id}")):
            with self.runtime.sessions() as session:
                row = session.scalars(
                    select(tables.OutboxRow).where(
                        tables.OutboxRow.idempotency_key == f"jira:{escalation_id}:{kind}:create"
                    )
                ).one()
            result = {"system": "jira", "key": key, "url": f"https://acme.example/browse/{key}"}
            hook(row, result)
        self.ars[escalation_id] = f"DEV-{escalation_id}"
        return self.ars[escalation_id]

    def ship(self, escalation_id: int) -> int:
        """Development releases the version holding the AR: a fix available to customers."""
        key = self.ars[escalation_id]
        signal = ShipSignal("jira.version_released", "jira", "DEV", f"version {key}", (key,))
        return self.runtime.services.shipped.apply(signal, self.now)

    def notice_id(self, escalation_id: int) -> int | None:
        with self.runtime.sessions() as session:
            return session.scalar(
                select(tables.Notice.id)
                .where(
                    tables.Notice.escalation_id == escalation_id, tables.Notice.kind == "resolution"
                )
                .order_by(tables.Notice.id.desc())
                .limit(1)
            )

    def customer_answers_notice(self, escalation_id: int, *, accept: bool) -> None:
        notice = self.notice_id(escalation_id)
        assert notice is not None, f"escalation {escalation_id} has no resolution notice"
        answer = ACCEPT if accept else STILL_BROKEN
        self.runtime.services.closure.record_answer(notice, answer, by=REQUESTER, now=self.now)

    def recurrence(self, escalation_id: int, ticket: str) -> None:
        self.runtime.services.monitoring.same_problem(
            escalation_id, ticket_ref=f"zendesk:{ticket}", by=SUPPORT, now=self.now
        )

    def de_escalate(self, escalation_id: int) -> None:
        steps_ = self.runtime.services.steps
        procedure.rca_progress(
            steps_, escalation_id, on_track=True, by=ENGINEER, cause=self.cause(), now=self.now
        )
        procedure.de_escalate(
            steps_,
            escalation_id,
            note="agreed with the customer on the phone",
            by=ENGINEER,
            cause=self.cause(),
            now=self.now,
        )

    def close_after_monitoring(self, escalation_id: int) -> None:
        self.runtime.services.monitoring.close_after_monitoring(
            escalation_id, by=ENGINEER, agreement="the customer agreed", now=self.now
        )

    # -- what the bridge shows ------------------------------------------------------------
    def level(self, escalation_id: int) -> int:
        with self.runtime.sessions() as session:
            row = session.get(tables.Escalation, escalation_id)
            assert row is not None
            return row.level

    def state(self, escalation_id: int) -> str:
        with self.runtime.sessions() as session:
            row = session.get(tables.Escalation, escalation_id)
            assert row is not None
            return row.state

    def clocks(self, escalation_id: int) -> list[Any]:
        with self.runtime.sessions() as session:
            return EscalationStore(session).clocks(escalation_id)

    def audit(self, escalation_id: int | None = None) -> list[tables.AuditEvent]:
        with self.runtime.sessions() as session:
            query = select(tables.AuditEvent).order_by(tables.AuditEvent.id)
            if escalation_id is not None:
                query = query.where(
                    tables.AuditEvent.record_type == "escalation",
                    tables.AuditEvent.record_id == str(escalation_id),
                )
            return list(session.scalars(query))

    def outbox(self, operation: str | None = None) -> list[tables.OutboxRow]:
        with self.runtime.sessions() as session:
            query = select(tables.OutboxRow).order_by(tables.OutboxRow.id)
            if operation is not None:
                query = query.where(tables.OutboxRow.operation == operation)
            return list(session.scalars(query))

    def breaches(self, escalation_id: int) -> list[tables.AuditEvent]:
        return [
            event
            for event in self.audit(escalation_id)
            if event.step == "raise_level" and event.cause.startswith("sla-breach:")
        ]


def local(year: int, month: int, day: int, hour: int, minute: int = 0, *, tz: str) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


@contextmanager
def world(
    directory: Path, start: dt.datetime, config: dict[str, Any] | None = None
) -> Iterator[World]:
    """A fresh bridge on SQLite under ``directory`` whose clock starts at ``start``."""
    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{(directory / 'bridge.db').as_posix()}"
    migrate.upgrade(url)
    settings = Settings(**(config or CONFIG), database_url=url, data_dir=directory)
    holder: list[World] = []
    runtime = bootstrap(settings, clock=lambda: holder[0].now)
    try:
        holder.append(World(runtime, start.astimezone(dt.UTC)))
        yield holder[0]
    finally:
        runtime.close()
