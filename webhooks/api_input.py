"""What an API request carries, read before any step runs: its JSON body within the parser's
depth limit, and ticket references in the helpdesk's own id format."""

from __future__ import annotations

from typing import Annotated, Any

from flask import request
from pydantic import AfterValidator, Field

from bridge.domain.identifiers import ticket_ref_problem
from bridge.services.json_body import TooDeep, parse_json
from webhooks.context import current_runtime


def _ticket_ref(value: str) -> str:
    problem = ticket_ref_problem(value, current_runtime().ticket_id_rules())
    if problem is not None:
        raise ValueError(problem)
    return value


# ``4711`` or ``zendesk:4711``, in the helpdesk's own id format.
TicketRef = Annotated[str, Field(min_length=1), AfterValidator(_ticket_ref)]


def json_body() -> Any:
    """The request's JSON object; None for no body, another type or unreadable JSON. A body
    nested past the parser's depth limit raises ``TooDeep`` (a 400 naming it)."""
    if not request.is_json:
        return None
    try:
        body = parse_json(request.get_data(cache=True))
    except TooDeep:
        raise
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    return body
