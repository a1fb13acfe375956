"""The sandbox Freshdesk lists tickets and conversations as Freshdesk does: tickets updated
since a time, ordered and paged; conversations paged; wrong parameters refused with 400."""

from __future__ import annotations

from base64 import b64encode

from flask.testing import FlaskClient

from sandbox.helpdesk.freshdesk import REQUESTER_ID, FreshdeskServer

AUTH = {"Authorization": "Basic " + b64encode(b"sandbox-freshdesk-key:X").decode()}


def seeded() -> tuple[FreshdeskServer, FlaskClient]:
    server = FreshdeskServer()
    for number, stamp in enumerate(("2026-01-01T10:00:00Z", "2026-01-03T10:00:00Z"), start=1):
        ticket = server.seed_ticket(f"Ticket {number}", "Since 9:00")
        ticket.updated_at = stamp
    server.seed_ticket("Ticket 3", "Since 9:00").updated_at = "2026-01-02T10:00:00Z"
    return server, server.app.test_client()


def ids(client: FlaskClient, query: str) -> list[int]:
    answer = client.get(f"/api/v2/tickets?{query}", headers=AUTH)
    assert answer.status_code == 200, answer.json
    return [ticket["id"] for ticket in answer.json]


def test_tickets_updated_since_a_time_are_listed_oldest_update_first_and_paged() -> None:
    _, client = seeded()
    since = "updated_since=2026-01-02T10:00:00Z&order_by=updated_at&order_type=asc"
    assert ids(client, since) == [3, 2]
    assert ids(client, f"{since}&per_page=1&page=2") == [2]
    assert ids(client, f"{since}&per_page=1&page=3") == []
    assert ids(client, "order_by=updated_at") == [2, 3, 1]  # desc unless asked


def test_wrong_listing_parameters_are_refused_as_freshdesk_refuses_them() -> None:
    _, client = seeded()
    for query, field in [
        ("per_page=101", "per_page"),
        ("page=301", "page"),
        ("updated_since=yesterday", "updated_since"),
        ("order_by=subject", "order_by"),
        ("since=2026-01-01", "since"),
    ]:
        answer = client.get(f"/api/v2/tickets?{query}", headers=AUTH)
        assert answer.status_code == 400, query
        assert answer.json["errors"][0]["field"] == field


def test_conversations_are_paged_and_say_who_wrote_them_and_whether_they_are_private() -> None:
    server, client = seeded()
    ticket = server.tickets[1]
    for text in ("first", "second", "third"):
        server.add(ticket, text, private=False, incoming=True, user_id=REQUESTER_ID, source=0)
    answer = client.get("/api/v2/tickets/1/conversations?per_page=2&page=2", headers=AUTH)
    [third] = answer.json
    assert (third["body_text"], third["incoming"], third["private"]) == ("third", True, False)
    assert third["user_id"] == REQUESTER_ID
    assert client.get("/api/v2/tickets/1/conversations?since=1", headers=AUTH).status_code == 400


def test_a_ticket_type_outside_the_account_s_types_is_refused() -> None:
    server, client = seeded()
    answer = client.put("/api/v2/tickets/1", json={"type": "Urgent"}, headers=AUTH)
    assert answer.status_code == 400
    assert (
        client.put("/api/v2/tickets/1", json={"type": "Escalation"}, headers=AUTH).json["type"]
        == "Escalation"
    )
    assert server.tickets[1].type == "Escalation"
