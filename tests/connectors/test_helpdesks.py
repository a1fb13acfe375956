"""Zendesk and Freshdesk get the escalation's notes, replies and AR number, written once."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from bridge.config.helpdesks import FreshdeskSettings, ZendeskSettings
from bridge.connectors.freshdesk import FreshdeskConnector
from bridge.connectors.freshdesk.catchup import MAX_TICKET_PAGES
from bridge.connectors.freshdesk.events import CUSTOMER_REPLY
from bridge.connectors.registry import Context
from bridge.connectors.zendesk import ZendeskConnector
from bridge.services import effects
from bridge.services.ports import CutOff, IdempotencyKey, PermanentConnectorError, Watching
from bridge.services.signals import MARKED_WHILE_DOWN
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.embedded import connector_settings
from sandbox.helpdesk.freshdesk import AGENT_ID, REQUESTER_ID
from sandbox.receiver import WebhookReceiver
from tests.connectors.conftest import delivered
from tests.helpers import content_key


def make_zendesk(sandbox: Sandbox, context: Context) -> ZendeskConnector:
    creds = sandbox.credentials["zendesk"]
    settings = ZendeskSettings(
        url=sandbox.urls["zendesk"],
        email=creds["email"],
        api_token=creds["api_token"],
        ar_field_id=27648,
    )
    return ZendeskConnector(settings, context)


def make_freshdesk(sandbox: Sandbox, context: Context) -> FreshdeskConnector:
    settings = FreshdeskSettings(
        url=sandbox.urls["freshdesk"],
        api_key=sandbox.credentials["freshdesk"]["api_key"],
        ar_field_name="cf_escalation_key",
    )
    return FreshdeskConnector(settings, context)


def test_zendesk_gets_an_internal_note_once_a_public_reply_and_the_ar_number(
    sandbox: Sandbox, context: Context
) -> None:
    zendesk = make_zendesk(sandbox, context)
    ticket = str(sandbox.zendesk.seed_ticket("Slow exports", "Exports are slow").id)
    note = effects.helpdesk_note("zendesk", ticket, "ar-filed", text="AR DEV-7 filed")
    for _ in range(2):
        zendesk.perform(note.operation, note.payload, IdempotencyKey(note.idempotency_key))
    reply = effects.helpdesk_note("zendesk", ticket, "fix", text="A fix shipped.", public=True)
    zendesk.perform(reply.operation, reply.payload, IdempotencyKey(reply.idempotency_key))
    fields = effects.helpdesk_fields("zendesk", ticket, "ar", fields={"ar_number": "DEV-7"})
    zendesk.perform(fields.operation, fields.payload, IdempotencyKey(fields.idempotency_key))

    stored = sandbox.zendesk.tickets[int(ticket)]
    added = [(c.body.splitlines()[0], c.public) for c in stored.comments[1:]]
    assert added == [("AR DEV-7 filed", False), ("A fix shipped.", True)]
    assert stored.custom_fields[27648] == "DEV-7"
    assert zendesk.get_ticket(ticket)["subject"] == "Slow exports"


def test_zendesk_rate_limiting_is_waited_out(sandbox: Sandbox, context: Context) -> None:
    zendesk = make_zendesk(sandbox, context)
    ticket = str(sandbox.zendesk.seed_ticket("Slow exports", "Exports are slow").id)
    sandbox.zendesk.faults.add(Fault(route="PUT *", status=429, retry_after=3, times=1))
    zendesk.internal_note(ticket, "Escalated", IdempotencyKey("zendesk:t:note:1"))

    assert len(sandbox.zendesk.tickets[int(ticket)].comments) == 2


def test_our_zendesk_notes_are_recognised_in_its_webhooks_and_the_customers_are_not(
    sandbox: Sandbox, context: Context, receiver: WebhookReceiver
) -> None:
    zendesk = make_zendesk(sandbox, context)
    ticket = sandbox.zendesk.seed_ticket("Slow exports", "Exports are slow").id
    zendesk.internal_note(str(ticket), "Escalated", IdempotencyKey("zendesk:t:note:2"))
    requests.post(
        f"{sandbox.urls['zendesk']}/_sandbox/tickets/{ticket}/customer_reply",
        json={"body": "Any news?"},
        timeout=5,
    ).raise_for_status()
    sandbox.flush_webhooks()

    events = [
        e
        for e in delivered(receiver, "zendesk")
        if e.get("subject") == f"zen:ticket:{ticket}" and "comment" in e["event"]
    ]
    assert [zendesk.is_own_write(e) for e in events] == [True, False]


def test_freshdesk_gets_a_private_note_once_a_reply_and_the_ar_number(
    sandbox: Sandbox, context: Context
) -> None:
    freshdesk = make_freshdesk(sandbox, context)
    ticket = str(sandbox.freshdesk.seed_ticket("Invoice wrong", "Totals differ").id)
    key = IdempotencyKey(f"freshdesk:{ticket}:internal_note:ar")
    freshdesk.internal_note(ticket, "AR DEV-9 filed", key)
    freshdesk.internal_note(ticket, "AR DEV-9 filed", key)
    freshdesk.public_reply(ticket, "We are on it.", IdempotencyKey(f"freshdesk:{ticket}:r"))
    freshdesk.set_fields(ticket, {"ar_number": "DEV-9"})

    stored = sandbox.freshdesk.tickets[int(ticket)]
    shown = [(c.body.splitlines()[0], c.private) for c in stored.conversations]
    assert shown == [("AR DEV-9 filed", True), ("We are on it.", False)]
    assert stored.custom_fields["cf_escalation_key"] == "DEV-9"


def test_solving_sets_each_helpdesks_own_solved_status(sandbox: Sandbox, context: Context) -> None:
    zendesk = ZendeskConnector.from_settings(
        ZendeskSettings.model_validate(connector_settings(sandbox)["zendesk"]), context
    )
    freshdesk = FreshdeskConnector.from_settings(
        FreshdeskSettings.model_validate(connector_settings(sandbox)["freshdesk"]), context
    )
    zendesk_ticket, freshdesk_ticket = (
        next(iter(sandbox.zendesk.tickets)),
        next(iter(sandbox.freshdesk.tickets)),
    )
    zendesk.perform("solve", {"ticket": str(zendesk_ticket)}, IdempotencyKey("zendesk:solve"))
    freshdesk.perform("solve", {"ticket": str(freshdesk_ticket)}, IdempotencyKey("freshdesk:solve"))
    assert sandbox.zendesk.tickets[zendesk_ticket].status == "solved"
    assert sandbox.freshdesk.tickets[freshdesk_ticket].status == 4


def test_a_retried_ticket_creation_finds_the_ticket_it_made(
    sandbox: Sandbox, context: Context
) -> None:
    zendesk = make_zendesk(sandbox, context)
    fields = {"subject": "Exports fail", "description": "Split from 100", "requester": "a@b.c"}
    key = IdempotencyKey("zendesk:split:7:abc")

    first = zendesk.create_ticket(fields, key)
    again = zendesk.create_ticket(fields, key)  # as after a crash before our commit

    assert first == again
    made = [t for t in sandbox.zendesk.tickets.values() if t.external_id == key]
    assert [(t.subject, t.priority) for t in made] == [("Exports fail", "urgent")]


def test_freshdesk_cannot_open_a_ticket_and_says_so(sandbox: Sandbox, context: Context) -> None:
    freshdesk = make_freshdesk(sandbox, context)
    with pytest.raises(PermanentConnectorError, match="cannot 'create_ticket'"):
        freshdesk.perform("create_ticket", {"subject": "x"}, IdempotencyKey("k"))


def test_a_developers_words_shared_with_the_customer_are_inert_in_each_helpdesks_markup(
    sandbox: Sandbox, context: Context
) -> None:
    """Freshdesk takes a reply's body as HTML: outside words are escaped there, line by line;
    Zendesk takes it as plain text, so they are posted as written."""
    words = 'Fixed in <b>4.2.1</b>\n<img src=x onerror="alert(1)"> & restart'
    payload = {"text": words, "outside": True}
    freshdesk, zendesk = make_freshdesk(sandbox, context), make_zendesk(sandbox, context)
    fd_ticket = str(sandbox.freshdesk.seed_ticket("Invoice wrong", "Totals differ").id)
    zd_ticket = str(next(iter(sandbox.zendesk.tickets)))

    freshdesk.perform("public_reply", payload | {"ticket": fd_ticket}, IdempotencyKey("fd:share"))
    zendesk.perform("public_reply", payload | {"ticket": zd_ticket}, IdempotencyKey("zd:share"))

    [reply] = [c.body for c in sandbox.freshdesk.tickets[int(fd_ticket)].conversations][-1:]
    assert reply == (
        "Fixed in &lt;b&gt;4.2.1&lt;/b&gt;<br>"
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; restart"
    )
    assert sandbox.zendesk.tickets[int(zd_ticket)].comments[-1].body == words


def test_freshdesk_catch_up_finds_the_requesters_public_replies_and_the_marked_tickets(
    sandbox: Sandbox, context: Context
) -> None:
    freshdesk = make_freshdesk(sandbox, context)
    world = sandbox.freshdesk
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    watched = world.seed_ticket("Orders fail to sync", "Since 9:00")
    other = world.seed_ticket("Slow exports", "Exports are slow")
    marked = world.seed_ticket("Checkout times out", "Since noon", type="Escalation")
    by_requester = {"incoming": True, "user_id": REQUESTER_ID, "source": 0}
    world.add(watched, "Thanks, fixed!", private=False, **by_requester)
    world.add(
        watched,
        "Internal: customer happy",
        private=True,
        incoming=False,
        user_id=AGENT_ID,
        source=2,
    )
    world.add(
        watched, "Glad to hear it.", private=False, incoming=False, user_id=AGENT_ID, source=0
    )
    world.add(other, "Any news?", private=False, **by_requester)
    earlier = world.add(watched, "Before the outage", private=False, **by_requester)
    earlier.created_at = (since - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    found = freshdesk.missed_since(since, Watching(tickets=(str(watched.id),)))
    replies = [e.payload["freshdesk_webhook"] for e in found if e.event_type == CUSTOMER_REPLY]
    assert [(r["ticket_id"], r["ticket_latest_public_comment"]) for r in replies] == [
        (watched.id, "Thanks, fixed!")
    ]
    [mark] = [e for e in found if e.event_type == MARKED_WHILE_DOWN]
    assert mark.record_key == f"ticket:{marked.id}"
    keys = {content_key("freshdesk", e.event_type, e.payload) for e in found}
    assert None not in keys and len(keys) == 2


def test_freshdesk_catch_up_stops_after_ten_pages_at_the_end_of_a_second_and_goes_on_there(
    sandbox: Sandbox, context: Context
) -> None:
    """A bulk update of more tickets than ten pages hold, all in one second, then more: the
    first run reads past the tenth page only to the end of that second and answers how far it
    read; the next run, from there, reads the rest."""
    freshdesk = make_freshdesk(sandbox, context)
    since = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    bulk_at, later_at = since + dt.timedelta(minutes=1), since + dt.timedelta(minutes=2)

    def seeded(count: int, at: dt.datetime) -> list[str]:
        tickets = [
            sandbox.freshdesk.seed_ticket(f"Ticket {n}", "Bulk", type="Escalation")
            for n in range(count)
        ]
        for ticket in tickets:
            ticket.updated_at = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return [f"ticket:{ticket.id}" for ticket in tickets]

    bulk = seeded(MAX_TICKET_PAGES * 100 + 50, bulk_at)
    later = seeded(150, later_at)

    first = freshdesk.missed_since(since, Watching())
    assert isinstance(first, CutOff)
    read = {event.record_key for event in first.events}
    assert set(bulk) <= read  # the eleventh page finished the bulk update's second
    assert first.read_until == later_at
    assert len(read - set(bulk)) == 50  # the rest of that page

    rest = freshdesk.missed_since(first.read_until, Watching())
    assert isinstance(rest, list)
    found = {event.record_key for event in rest}
    assert set(later) <= found  # (tickets other tests updated just now come after them)
    assert not found & set(bulk)
