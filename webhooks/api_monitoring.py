"""The monitoring period agreed with the customer, through the API (002: "monitored for an
agreed period"), on the ``api`` blueprint beside the other steps (``api_steps.py``)."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from bridge.jobs.clock import utcnow
from bridge.services.monitoring import agree_monitoring_period
from webhooks.api import api, show
from webhooks.api_steps import Step, _body, _cause
from webhooks.context import current_runtime


class MonitoringPeriod(Step):
    until: AwareDatetime
    agreement: str = Field(min_length=1)


@api.post("/escalations/<id:escalation_id>/monitoring-period")
def monitoring_period_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    """Monitor the fix until ``until`` instead of ``closure.monitoring_days``; 409 unless the
    escalation is being monitored and ``until`` is not past."""
    body: MonitoringPeriod = _body(MonitoringPeriod)
    agree_monitoring_period(
        current_runtime().services.steps,
        escalation_id,
        until=body.until,
        agreement=body.agreement,
        by=body.by,
        cause=_cause("monitoring-period"),
        now=utcnow(),
    )
    return show(escalation_id)
