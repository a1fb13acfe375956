"""A customer who copies the support manager on a reply asks to escalate (000), but a mail
carries no triage answers (002): the ask is kept as a pending escalation request and support is
asked in the escalation channel, with the customer's words and a button to triage the ticket.
Deliveries go through the inbox and its job, as a Zendesk webhook's do."""

from __future__ import annotations

import json

from sqlalchemy import select

from bridge.runtime import Runtime
from bridge.store import tables

from .conftest import ADDRESSES, MONDAY_10AM, add_ticket, deliver
from .test_escalation_service import request
from .test_helpdesk_entry import customer_reply
from .test_inbound_processors import escalations, outbox

HOSTILE = "Orders & invoices lost for 3 days <!channel> <https://evil.example|your portal>"


def reply_copying_the_support_manager(text: str = HOSTILE) -> dict:
    reply = customer_reply(["support@vendor.example", ADDRESSES[1].upper()])
    reply["event"]["comment"]["body"] = text
    return reply


def pending_requests(runtime: Runtime) -> list[tables.PendingEscalationRequest]:
    with runtime.sessions() as session:
        return list(session.scalars(select(tables.PendingEscalationRequest)))


def test_a_reply_copying_the_support_manager_asks_support_to_triage_in_slack(addressed) -> None:
    runtime = addressed
    add_ticket(runtime)

    deliver(runtime, reply_copying_the_support_manager())

    assert escalations(runtime) == []  # no answers: the bridge opens nothing alone
    [pending] = pending_requests(runtime)
    assert (pending.status, pending.level, pending.words) == ("pending", 1, HOSTILE)
    [post] = outbox(runtime, "channel_post")
    assert post.payload["channel"] == "#escalations"
    assert "zendesk:4711" in post.payload["text"]
    assert "support manager" in post.payload["text"]
    head, words, actions = post.payload["blocks"]
    assert "copied the support manager" in head["text"]["text"]
    assert words["text"]["text"] == (
        "> Orders &amp; invoices lost for 3 days &lt;!channel&gt; "
        "&lt;https://evil.example|your portal&gt;"
    )
    [button] = actions["elements"]
    assert button["action_id"] == "triage_request.open"
    assert json.loads(button["value"])["ticket"] == "zendesk:4711"
    assert HOSTILE in json.loads(button["value"])["reason"]


def test_the_same_reply_delivered_again_asks_once(addressed) -> None:
    runtime = addressed
    add_ticket(runtime)
    reply = reply_copying_the_support_manager()

    row_id = deliver(runtime, reply, delivery_id="hook:evt-1")
    deliver(runtime, reply, delivery_id="hook:evt-1")  # the same delivery, received twice
    runtime.tasks.process_inbox.call_local(row_id)  # and its job run again
    deliver(runtime, reply)  # Zendesk sent it again under another delivery id

    assert len(pending_requests(runtime)) == 1
    assert len(outbox(runtime, "channel_post")) == 1


def test_a_long_reply_is_cut_in_the_message_and_kept_whole(addressed) -> None:
    runtime = addressed
    add_ticket(runtime)
    text = "The sync fails again & again. " * 200

    deliver(runtime, reply_copying_the_support_manager(text))

    [pending] = pending_requests(runtime)
    assert pending.words == text
    [post] = outbox(runtime, "channel_post")
    quoted = post.payload["blocks"][1]["text"]["text"]
    assert len(quoted) < 3000 and quoted.endswith("…")
    assert quoted.startswith("> The sync fails again &amp; again.")
    assert len(post.payload["blocks"][2]["elements"][0]["value"]) <= 2000


def test_the_escalation_support_opens_settles_the_pending_request(addressed) -> None:
    runtime = addressed
    add_ticket(runtime)
    deliver(runtime, reply_copying_the_support_manager())

    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)

    [pending] = pending_requests(runtime)
    assert (pending.status, pending.escalation_id) == ("escalated", escalation_id)
    deliver(runtime, reply_copying_the_support_manager("Any news?"))  # now one is open
    assert len(outbox(runtime, "channel_post")) == 1
    assert len(pending_requests(runtime)) == 1


def test_a_reply_in_the_documented_trigger_body_asks_once_too(addressed) -> None:
    """The template's ``comment`` (no Zendesk comment id): the words name the message."""
    runtime = addressed
    add_ticket(runtime)
    body = {
        "ticket": {"id": "4711", "subject": "Orders fail to sync"},
        "comment": {
            "body": "Escalating: <b>nothing works</b>",
            "public": "true",
            "by_customer": "true",
            "cc": f"{ADDRESSES[1]},",
        },
        "event": "not Zendesk's",
    }

    deliver(runtime, body, event_type="trigger")
    deliver(runtime, body, event_type="trigger")

    [post] = outbox(runtime, "channel_post")
    assert (
        post.payload["blocks"][1]["text"]["text"]
        == "> Escalating: &lt;b&gt;nothing works&lt;/b&gt;"
    )
    assert len(pending_requests(runtime)) == 1
