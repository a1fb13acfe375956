"""What a step's form starts with when it opens, read from the escalation: the SPAR form starts
at the ticket's severity, named as such, so the severity negotiated with the customer (004) is
chosen only when it differs."""

from __future__ import annotations

from dataclasses import dataclass

from bridge.runtime import Runtime
from bridge.store.ids import record_id
from bridge.store.queries import ticket_severity_of


@dataclass(frozen=True)
class Preset:
    """A field filled in when the form opens, and the note under it saying where from."""

    value: str
    note: str


def presets_for(runtime: Runtime, step: str, escalation: str | None) -> dict[str, Preset]:
    found = record_id(escalation)
    if step != "file_spar" or found is None:
        return {}
    with runtime.sessions() as session:
        severity = ticket_severity_of(session, found)
    if severity is None:
        return {}
    note = f"The ticket's severity is {severity}; change it only if the customer agreed another."
    return {"severity": Preset(str(severity), note)}
