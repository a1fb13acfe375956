"""The steps that find and agree the fix and close the escalation: the plan and the customer's
answer to it, the root-cause analysis, the remote session, resolving, de-escalating, monitoring
and closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bridge.catalogue import commands as c
from bridge.catalogue.opening import _end_of, _names
from bridge.catalogue.spec import ApiRoute, Form, FormField, Step, Surface, choices
from bridge.domain.enums import Outcome, PlanKind

B, M, F, A = Surface.BUTTON, Surface.MENU, Surface.FORM, Surface.API


def _answer(answers: Mapping[str, Any]) -> c.CustomerAnswer:
    accepted = answers["answer"] == "accepted"
    # From Slack, a rejection goes back to development at once.
    return c.CustomerAnswer(
        accepted=accepted, reason=answers.get("reason", ""), back_to_development=not accepted
    )


def _resolved(answers: Mapping[str, Any]) -> c.MarkResolved:
    return c.MarkResolved(
        outcome=answers["outcome"],
        explanation=answers.get("explanation", ""),
        tracker_ref=answers.get("tracker_ref", ""),
        resolution_indication=answers.get("resolution_indication", ""),
    )


def _session(answers: Mapping[str, Any]) -> c.RemoteSession:
    held_on = dt.date.fromisoformat(answers["held_on"])
    return c.RemoteSession(
        held_at=dt.datetime.combine(held_on, dt.time(), tzinfo=dt.UTC),
        attendees=_names(answers["attendees"]),
        outcome=answers["outcome"],
    )


_AGREEMENT = FormField("agreement", "What was agreed with the customer", "long_text")

RESOLVING = (
    Step(
        "propose_plan",
        "Propose action plan",
        doing="propose the plan",
        does="propose an action plan (workaround or release kind, delivery date, steps)",
        surfaces=frozenset({B, F, A}),
        command=c.ProposePlan,
        form=Form(
            "Propose action plan",
            "Propose",
            (
                FormField("kind", "Workaround or software release", "select", choices(PlanKind)),
                FormField("delivery_date", "Delivery date", "date", optional=True),
                FormField("summary", "Steps of the plan", "long_text"),
            ),
        ),
        from_form=lambda answers: c.ProposePlan(
            kind=answers["kind"],
            summary=answers["summary"],
            delivery_date=answers.get("delivery_date") or None,
        ),
        api=(ApiRoute("plans", cause="propose", created=True),),
    ),
    Step(
        "mark_resolved",
        "Mark resolved",
        doing="mark it resolved",
        does="mark resolved with the outcome (satisfied, not possible and why, feature request, "
        "bug with its tracker key and ETA)",
        surfaces=frozenset({B, F, A}),
        command=c.MarkResolved,
        form=Form(
            "Mark resolved",
            "Close",
            (
                FormField("outcome", "Outcome", "select", choices(Outcome)),
                FormField("explanation", "Why, or what was explained", "long_text", optional=True),
                FormField(
                    "tracker_ref", "Bug or feature request (tracker key)", "text", optional=True
                ),
                FormField("resolution_indication", "Expected resolution", "text", optional=True),
            ),
        ),
        from_form=_resolved,
        api=(ApiRoute("close", cause="close"),),
    ),
    Step(
        "customer_answer",
        "Customer's answer to the plan",
        doing="record the customer's answer",
        does="the customer accepted or rejected the plan (a rejection asks why, sends the plan "
        "back to development — renegotiation starts — and comments on the escalation's ARs "
        "with the reason)",
        surfaces=frozenset({M, F, A}),
        command=c.CustomerAnswer,
        form=Form(
            "Customer's answer",
            "Record",
            (
                FormField(
                    "answer",
                    "The customer",
                    "select",
                    (("accepted", "Accepted the plan"), ("rejected", "Rejected the plan")),
                ),
                FormField("reason", "Why they rejected it", "long_text", optional=True),
            ),
        ),
        from_form=_answer,
        api=(
            ApiRoute("plans/<plan_id>/accept", cause="accept", generated=False),
            ApiRoute("plans/<plan_id>/reject", cause="reject", generated=False),
        ),
    ),
    Step(
        "rca_progress",
        "Root-cause analysis",
        doing="record the root-cause analysis",
        does="record whether the root-cause analysis is on track",
        surfaces=frozenset({M, F, A}),
        command=c.RcaProgress,
        form=Form(
            "Root-cause analysis",
            "Record",
            (
                FormField(
                    "on_track",
                    "The root-cause analysis is",
                    "select",
                    (("on_track", "On track"), ("off_track", "Not on track")),
                ),
            ),
        ),
        from_form=lambda answers: c.RcaProgress(on_track=answers["on_track"] == "on_track"),
        api=(ApiRoute("rca", cause="rca"),),
    ),
    Step(
        "remote_session",
        "Remote session (Urgent)",
        doing="record the remote session",
        does="record the remote session of an Urgent escalation (when, who, outcome)",
        surfaces=frozenset({M, F, A}),
        command=c.RemoteSession,
        form=Form(
            "Remote session",
            "Record",
            (
                FormField("held_on", "When it was held", "date", happened=True),
                FormField("attendees", "Who took part", "text", hint="names, comma-separated"),
                FormField("outcome", "What came of it", "long_text"),
            ),
        ),
        from_form=_session,
        api=(ApiRoute("remote-session", cause="remote-session", created=True),),
    ),
    Step(
        "de_escalate",
        "De-escalate",
        doing="de-escalate",
        does="de-escalate: refused, naming what is missing, unless the plan is accepted, the "
        "root-cause analysis is on track and the agreement recorded",
        surfaces=frozenset({M, F, A}),
        command=c.DeEscalate,
        form=Form("De-escalate", "De-escalate", (_AGREEMENT,)),
        from_form=lambda answers: c.DeEscalate(note=answers["agreement"]),
        api=(ApiRoute("de-escalate", cause="de-escalate"),),
    ),
    Step(
        "monitoring_period",
        "Monitoring period",
        doing="agree the monitoring period",
        does="agree with the customer how long the fix is monitored (until the end of a day, "
        "UTC, in place of `closure.monitoring_days`; the customer is told on the ticket, and a "
        "recurrence after it is a new escalation)",
        surfaces=frozenset({M, F, A}),
        command=c.AgreeMonitoringPeriod,
        form=Form(
            "Monitoring period",
            "Agree",
            (
                FormField(
                    "until",
                    "Monitor the fix until",
                    "date",
                    hint="the end of that day (UTC), as agreed with the customer",
                ),
                _AGREEMENT,
            ),
        ),
        from_form=lambda answers: c.AgreeMonitoringPeriod(
            until=_end_of(answers["until"]), agreement=answers["agreement"]
        ),
        api=(ApiRoute("monitoring-period", cause="monitoring-period"),),
    ),
    Step(
        "close",
        "Close after monitoring",
        doing="close it",
        does="close after monitoring, upon the customer's agreement",
        surfaces=frozenset({M, F}),
        command=c.CloseAfterMonitoring,
        form=Form(
            "Close after monitoring",
            "Close",
            (FormField("agreement", "The customer's agreement to close", "long_text"),),
        ),
        from_form=lambda answers: c.CloseAfterMonitoring(agreement=answers["agreement"]),
    ),
)
