"""What a ticket id, an issue key and a requester may look like, in each vendor's own format.

Checked where outside text first arrives (the API, the webhook receivers) and again before a
ticket event is acted on: an id a helpdesk's API cannot take, or a requester that could add a
mail header, is refused with the reason, never stored to dead-letter every side effect later.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

POSITIVE_NUMBER = re.compile(r"[1-9][0-9]{0,18}")
# Helpdesks without a connector (the generic intake): nothing a URL path or a ``helpdesk:id``
# reference could read as structure (no '/', no ':'), nothing to trim or escape.
GENERIC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
HELPDESK_NAME = re.compile(r"[a-z][a-z0-9_-]{1,31}")
GENERIC_FORMAT = "letters, digits, '.', '_' and '-' (at most 64, starting with a letter or a digit)"
# Line and paragraph breaks, and every control character (CR, LF, NUL, tab…).
BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


@dataclass(frozen=True)
class TicketIds:
    """How one helpdesk's ticket ids look, as its connector declares them (``ticket_ids`` on
    its class): ``pattern`` matches a whole id, ``format`` says it in words, ``title`` names
    the helpdesk."""

    title: str
    pattern: re.Pattern[str]
    format: str


def numbered(title: str) -> TicketIds:
    """The ids of a helpdesk that numbers its tickets 1, 2, 3…"""
    return TicketIds(title, POSITIVE_NUMBER, "a positive whole number")


# No helpdesk's own rule: every id is judged by the generic one.
NO_RULES: Mapping[str, TicketIds] = MappingProxyType({})


def _shown(value: str) -> str:
    return repr(value[:40] + ("…" if len(value) > 40 else ""))


def format_problem(what: str, pattern: re.Pattern[str], form: str, value: str) -> str | None:
    """Why ``value`` is not ``what`` (a whole match of ``pattern``, ``form`` in words), or None:
    "a Jira issue key is PROJECT-123, not 'x'" for the package that knows Jira's keys."""
    if pattern.fullmatch(value):
        return None
    return f"{what} is {form}, not {_shown(value)}"


def ticket_id_problem(
    helpdesk: str, ticket_id: str, rules: Mapping[str, TicketIds] = NO_RULES
) -> str | None:
    """Why ``ticket_id`` cannot be a ticket of ``helpdesk``, or None when it can: by the rule
    ``rules`` holds for ``helpdesk`` (the installed helpdesks' own), else the generic one."""
    rule = rules.get(helpdesk)
    if rule is not None:
        return format_problem(f"a {rule.title} ticket id", rule.pattern, rule.format, ticket_id)
    return format_problem("a ticket id", GENERIC_ID, GENERIC_FORMAT, ticket_id)


def ticket_ref_problem(ref: str, rules: Mapping[str, TicketIds] = NO_RULES) -> str | None:
    """``4711`` or ``zendesk:4711``: why ``ref`` names no ticket any helpdesk could have."""
    helpdesk, separator, number = ref.partition(":")
    if not separator:
        return ticket_id_problem("", ref, rules)
    if not HELPDESK_NAME.fullmatch(helpdesk):
        return f"a ticket is named as 4711 or helpdesk:4711, not {_shown(ref)}"
    return ticket_id_problem(helpdesk, number, rules)


def requester_problem(requester: str) -> str | None:
    """Why ``requester`` cannot be written into a notice's headers. The value is not repeated:
    it is the customer's text and this reason goes to logs and webhook answers."""
    if any(unicodedata.category(char) in BREAKING_CATEGORIES for char in requester):
        return "the requester contains a line break or a control character"
    return None
