"""A bridge with the board enabled (API token and secret key set), routing by region, and
helpers that open escalations through the services, as support would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bridge.config import load_settings
from bridge.domain.enums import EntryPoint, Outcome, Priority, ReasonCategory, Severity
from bridge.domain.plans import activate
from bridge.domain.records import Escalation, OutcomeRecord, Ticket, TriageAnswers
from bridge.domain.resolution import close
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime, bootstrap
from bridge.services.escalation.escalations import EscalationRequest
from bridge.services.workflow.steps import Said
from bridge.store import migrate
from bridge.store.escalations import EscalationStore

TOKEN = "board-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EMEA = "#escalations-emea"
DEFAULT = "#escalations"


@pytest.fixture
def runtime(
    database_url: str, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    config = {
        "routing": {
            "default_channel": DEFAULT,
            "rules": [{"match": {"region": ["emea"]}, "channel": EMEA}],
        }
    }
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "board-secret-key-for-tests")
    migrate.upgrade(database_url)
    built = bootstrap(load_settings())
    yield built
    built.close()


def add_ticket(
    runtime: Runtime,
    number: str,
    *,
    customer: str = "Customer Ltd",
    region: str = "",
    severity: Severity = Severity.CRITICAL,
    opened_at: dt.datetime | None = None,
) -> None:
    # Old enough in any week (weekends, holidays) that the advice never says "give support a
    # chance first": the board is what these tests look at.
    opened = opened_at or utcnow() - dt.timedelta(days=10)
    ticket = Ticket(
        external_id=number,
        requester="ops@customer.example",
        organisation=customer,
        subject="Orders fail to sync",
        severity=severity,
        priority=Priority.URGENT,
        region=region,
        opened_at=opened,
        last_support_reply_at=opened + dt.timedelta(hours=1),
    )
    with runtime.sessions.begin() as session:
        EscalationStore(session).save_ticket("zendesk", ticket, opened)


def escalate(
    runtime: Runtime,
    number: str,
    *,
    now: dt.datetime | None = None,
    triaged: bool = False,
    answers: TriageAnswers | None = None,
) -> int:
    """Ask for an escalation of ticket ``number``, triaged with ``answers`` when given (as
    production down when ``triaged``)."""
    if answers is None and triaged:
        answers = TriageAnswers(production_down=True)
    return runtime.services.escalations.request(
        EscalationRequest(
            number,
            ReasonCategory.DATA_LOSS,
            "orders lost",
            "U0ALICE001",
            EntryPoint.API,
            "test",
            triage=answers,
        ),
        now or utcnow(),
    )


def start_work(runtime: Runtime, escalation_id: int, engineer: str, now: dt.datetime) -> None:
    """Activate a triaged escalation: an engineer is assigned."""

    def start(escalation: Escalation) -> Said:
        activate(escalation, engineer=engineer, actor="U0ALICE001", cause="test", now=now)
        return Said("started")

    runtime.services.steps.run(escalation_id, "activate", start, cause="test", now=now)


def close_it(runtime: Runtime, escalation_id: int, now: dt.datetime) -> None:
    """Close an active escalation: a feature request, on the roadmap."""

    def done(escalation: Escalation) -> Said:
        outcome = OutcomeRecord(Outcome.FEATURE_REQUEST_ROADMAP)
        close(escalation, outcome, actor="U0ALICE001", cause="test", now=now)
        return Said("closed")

    runtime.services.steps.run(escalation_id, "close", done, cause="test", now=now)


def link_ar(runtime: Runtime, escalation_id: int, kind: str, key: str, url: str | None) -> None:
    ref = {"system": "jira", "key": key, "url": url}
    with runtime.sessions.begin() as session:
        EscalationStore(session).link_record(escalation_id, None, kind, ref, utcnow())
