"""Bring escalations to an accepted action plan, as support would through the API."""

from __future__ import annotations

import datetime as dt

from bridge.domain.enums import EntryPoint, PlanKind, ReasonCategory
from bridge.domain.plans import accept_plan, activate
from bridge.domain.records import Escalation, TriageAnswers
from bridge.runtime import Runtime
from bridge.services.escalation.escalations import EscalationRequest
from bridge.services.workflow.steps import Said, propose
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore

ENGINEER = "U0ERIN0001"
WORKAROUND = "Upgrade to 4.2.1, then restart the sync service."


def escalate_to_accepted_plan(runtime: Runtime, ticket: str, now: dt.datetime) -> int:
    escalation_id = runtime.services.escalations.request(
        EscalationRequest(
            ticket,
            ReasonCategory.DATA_LOSS,
            "orders lost",
            "U0ALICE001",
            EntryPoint.SLACK,
            "test",
            triage=TriageAnswers(production_down=True),
        ),
        now,
    )
    steps = runtime.services.steps

    def start(escalation: Escalation) -> Said:
        activate(escalation, engineer=ENGINEER, actor="U0ALICE001", cause="test", now=now)
        return Said("started")

    steps.run(escalation_id, "activate", start, cause="test", now=now)
    plan = propose(
        steps,
        escalation_id,
        kind=PlanKind.PATCH,
        summary=WORKAROUND,
        delivery_date=(now + dt.timedelta(days=1)).date(),
        by=ENGINEER,
        cause="test",
        now=now,
    )

    def agree(escalation: Escalation) -> Said:
        accept_plan(escalation, plan, by="customer", cause="test", now=now)
        return Said("accepted")

    steps.run(escalation_id, "accept", agree, cause="test", now=now)
    return escalation_id


def wait_on_ar(runtime: Runtime, ids: list[int], system: str, key: str, now: dt.datetime) -> None:
    """The first escalation files the AR; the others wait on the same one."""
    with runtime.sessions.begin() as session:
        EscalationStore(session).link_record(
            ids[0], None, "ar", {"system": system, "key": key}, now
        )
        for other in ids[1:]:
            ArLinks(session).link(other, system, key, now)
