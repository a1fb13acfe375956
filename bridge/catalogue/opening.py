"""The steps that open and run an escalation: acknowledge, raise, assign, agree how the customer
is kept informed, split the ticket, file the SPAR, share a developer's comment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bridge.catalogue import commands as c
from bridge.catalogue.spec import ApiRoute, Form, FormField, Step, Surface, choices
from bridge.domain.enums import CommunicationMode

B, M, F, A = Surface.BUTTON, Surface.MENU, Surface.FORM, Surface.API


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _end_of(day: str) -> dt.datetime:
    """A wait or a period agreed "until Thursday" lasts all of Thursday (UTC)."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC) + dt.timedelta(1)


def _status(answers: Mapping[str, Any]) -> c.StatusUpdate:
    waiting = answers.get("waiting_until")
    return c.StatusUpdate(
        text=answers["text"],
        public=answers["visibility"] == "public",
        waiting_until=_end_of(waiting) if waiting else None,
    )


def _communication(answers: Mapping[str, Any]) -> c.AgreeCommunication:
    return c.AgreeCommunication(
        mode=answers["mode"],
        every_hours=answers["every_hours"],
        attendees=_names(answers.get("attendees", "")),
    )


SEVERITIES = (("1", "1 critical"), ("2", "2 major"), ("3", "3 minor"), ("4", "4 cosmetic"))

OPENING = (
    Step(
        "acknowledge",
        "Acknowledge",
        doing="acknowledge it",
        does="acknowledge the escalation (acts at once)",
        surfaces=frozenset({B, A}),
        api=(ApiRoute("acknowledge", cause="acknowledge", generated=False),),
        style="primary",
    ),
    Step(
        "raise_level",
        "Raise level",
        doing="raise the level",
        does="raise the escalation's level (acts at once)",
        surfaces=frozenset({B, A}),
        api=(ApiRoute("raise-level", cause="raise-level", generated=False),),
    ),
    Step(
        "split_ticket",
        "Split ticket",
        doing="split the ticket",
        does="split a ticket: name the urgent problem; the bridge creates its helpdesk ticket "
        "(in a helpdesk whose connector creates tickets), escalates it with this escalation's "
        "triage and links the two tickets",
        surfaces=frozenset({B, F}),
        command=c.SplitTicket,
        form=Form(
            "Split ticket",
            "Split",
            (
                FormField(
                    "urgent_problem",
                    "The urgent problem, for a ticket (and an escalation) of its own",
                    "long_text",
                ),
            ),
        ),
        from_form=lambda answers: c.SplitTicket(urgent_problem=answers["urgent_problem"]),
    ),
    Step(
        "same_problem",
        "Same problem",
        doing="record the same problem",
        does="report the same problem on another ticket (a form asks for it; during monitoring "
        "the escalation reopens)",
        surfaces=frozenset({B, A}),
        api=(ApiRoute("same-problem", cause="same-problem", generated=False),),
    ),
    Step(
        "status_update",
        "Post status update",
        doing="post the status update",
        does="post a status update, as a public reply to the customer or an internal note; "
        "optionally the date until which the customer agreed to be waited on (their clocks "
        "pause until the end of that day, UTC, or until they write)",
        surfaces=frozenset({M, F, A}),
        command=c.StatusUpdate,
        form=Form(
            "Post status update",
            "Post",
            (
                FormField("text", "Status and plan of action", "long_text"),
                FormField(
                    "visibility",
                    "On the helpdesk ticket",
                    "select",
                    (
                        ("public", "A public reply to the customer"),
                        ("internal", "An internal note"),
                    ),
                ),
                FormField(
                    "waiting_until",
                    "Waiting on the customer until",
                    "date",
                    optional=True,
                    hint="a wait agreed with them: their SLA clocks pause until the end of that "
                    "day (UTC) or their answer",
                ),
            ),
        ),
        from_form=_status,
        api=(ApiRoute("status-update", cause="status"),),
    ),
    Step(
        "request_logs",
        "Request customer logs",
        doing="ask the customer for logs",
        does="ask the customer, in a public reply on the ticket, for the configuration and log "
        "files the investigation needs (it counts as a status update)",
        surfaces=frozenset({M, F, A}),
        command=c.RequestLogs,
        form=Form(
            "Request customer logs",
            "Ask",
            (
                FormField(
                    "what", "What to send: which logs and configuration, from when", "long_text"
                ),
            ),
        ),
        from_form=lambda answers: c.RequestLogs(what=answers["what"]),
        api=(ApiRoute("request-logs", cause="request-logs"),),
    ),
    Step(
        "communication_plan",
        "Communication plan",
        doing="agree the communication plan",
        does="agree the communication plan (mode, frequency, attendees)",
        surfaces=frozenset({M, F, A}),
        command=c.AgreeCommunication,
        form=Form(
            "Communication plan",
            "Agree",
            (
                FormField("mode", "How", "select", choices(CommunicationMode)),
                FormField("every_hours", "An update every (hours)", "number"),
                FormField(
                    "attendees", "Attendees", "text", optional=True, hint="names, comma-separated"
                ),
            ),
        ),
        from_form=_communication,
        api=(ApiRoute("communication-plan", cause="plan"),),
    ),
    Step(
        "assign_engineer",
        "Assign engineer",
        doing="assign the engineer",
        does="assign the customer support engineer (the primary contact, shown on the message)",
        surfaces=frozenset({M, F, A}),
        command=c.AssignEngineer,
        form=Form(
            "Assign engineer",
            "Assign",
            (FormField("engineer", "Customer support engineer (the primary contact)", "user"),),
        ),
        from_form=lambda answers: c.AssignEngineer(engineer=answers["engineer"]),
        api=(ApiRoute("activate", cause="activate"),),
    ),
    Step(
        "file_spar",
        "File SPAR and AR",
        doing="file the SPAR",
        does="file the SPAR, and its AR in development's tracker, at the severity agreed with "
        "the customer (the form starts at the ticket's and says so; a different one is recorded "
        "on the timeline and is the one the tracker gets)",
        surfaces=frozenset({M, F, A}),
        command=c.FileSpar,
        form=Form(
            "File SPAR and AR",
            "File",
            (
                FormField(
                    "severity",
                    "Severity agreed with the customer",
                    "select",
                    SEVERITIES,
                    optional=True,
                ),
            ),
        ),
        from_form=lambda answers: c.FileSpar(severity=answers.get("severity") or None),
        api=(ApiRoute("spar", cause="spar", created=True),),
    ),
    Step(
        "share_with_customer",
        "Share with customer",
        doing="share the comment",
        does="publish a developer's comment on the AR to the customer, as a public reply on the "
        "ticket (once, however often pressed; it counts as a reply the customer sees for the "
        'reply SLA clock; `docs/connectors.md`, "What support hears from the AR")',
        surfaces=frozenset({Surface.REPLY}),
        # Sharing a developer's comment updates the customer, as a status update does.
        taken_as="status_update",
    ),
)
