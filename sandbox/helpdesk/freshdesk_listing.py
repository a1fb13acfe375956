"""Freshdesk's list endpoints as Freshdesk answers them: ``GET /api/v2/tickets`` (filtered by
``updated_since``, ordered by ``order_by``/``order_type``, paged by ``per_page`` up to 100 and
``page`` up to 300) and a ticket's ``GET …/conversations`` (oldest first, paged alike).

Freshdesk refuses a query parameter it does not know, a ``per_page`` outside 1 to 100, a ``page``
past 300 and an ``updated_since`` that is no ISO 8601 time with a 400 "Validation failed"
naming the field; the sandbox does the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

Item = TypeVar("Item")


class Refused(Exception):
    """Freshdesk's 400 "Validation failed" naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field, self.message = field, message


MAX_PER_PAGE, DEFAULT_PER_PAGE, MAX_PAGE = 100, 30, 300
TICKET_PARAMS = {"updated_since", "per_page", "page", "order_by", "order_type", "include"}
ORDER_BY = ("created_at", "due_by", "updated_at", "status")
ORDER_TYPE = ("asc", "desc")


def stamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def paging(args: Mapping[str, str], known: set[str]) -> tuple[int, int]:
    """(per_page, page) from the query; a parameter outside ``known`` is refused."""
    unknown = sorted(set(args) - known)
    if unknown:
        raise Refused(unknown[0], "Unexpected/invalid field in request")
    numbers = []
    for name, default, top in (
        ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
        ("page", 1, MAX_PAGE),
    ):
        raw = args.get(name, str(default))
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            raise Refused(name, f"It should be a Positive Integer less than or equal to {top}")
        numbers.append(int(raw))
    return numbers[0], numbers[1]


def page_of(items: Sequence[Item], per_page: int, page: int) -> list[Item]:
    return list(items[(page - 1) * per_page : page * per_page])


def tickets_page(
    tickets: Sequence[Item], args: Mapping[str, str], field: Callable[[Item, str], Any]
) -> list[Item]:
    """The page of ``tickets`` the query asks for; ``field(ticket, name)`` reads a ticket."""
    per_page, page = paging(args, TICKET_PARAMS)
    order_by = args.get("order_by", "created_at")
    order_type = args.get("order_type", "desc")
    for name, value, allowed in (
        ("order_by", order_by, ORDER_BY),
        ("order_type", order_type, ORDER_TYPE),
    ):
        if value not in allowed:
            raise Refused(name, f"It should be one of these values: '{','.join(allowed)}'")
    chosen = list(tickets)
    if "updated_since" in args:
        since = stamp(args["updated_since"])
        if since is None:
            raise Refused("updated_since", "It should be in the 'valid date time' format")
        chosen = [t for t in chosen if (stamp(field(t, "updated_at")) or since) >= since]
    # Freshdesk lists tickets updated exactly at updated_since too; ties keep the id order.
    chosen.sort(
        key=lambda t: (str(field(t, order_by)), field(t, "id")), reverse=order_type == "desc"
    )
    return page_of(chosen, per_page, page)
