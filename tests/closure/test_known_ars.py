"""Which deliveries name an AR the bridge knows of: the one question asked of nearly every
GitHub and Jira delivery before anything is written."""

from __future__ import annotations

from bridge.runtime import Runtime
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore

from ..services.conftest import MONDAY_10AM, add_ticket
from .story import escalate_to_accepted_plan


def test_an_ar_is_known_once_an_escalation_filed_it_or_waits_on_it(runtime: Runtime) -> None:
    add_ticket(runtime, "701")
    add_ticket(runtime, "702")
    filer = escalate_to_accepted_plan(runtime, "701", MONDAY_10AM)
    waiter = escalate_to_accepted_plan(runtime, "702", MONDAY_10AM)
    with runtime.sessions.begin() as session:
        store = EscalationStore(session)
        store.link_record(filer, None, "ar", {"system": "jira", "key": "DEV-7"}, MONDAY_10AM)
        store.link_record(filer, None, "spar", {"system": "jira", "key": "SPAR-3"}, MONDAY_10AM)
        ArLinks(session).link(waiter, "github", "acme/app#12", MONDAY_10AM)
    with runtime.sessions() as session:
        known = ArLinks(session)

        assert known.any_known("jira", ["DEV-7"])  # filed by an escalation
        assert known.any_known("github", ["acme/app#12"])  # only waited on, filed elsewhere
        assert known.any_known("github", ["acme/app#1", "acme/app#2", "acme/app#12"])
        assert not known.any_known("jira", ["SPAR-3"])  # a SPAR is not an AR
        assert not known.any_known("github", ["DEV-7"])  # another tracker's key
        assert not known.any_known("jira", ["DEV-8", "DEV-70"])
        assert not known.any_known("github", [])
