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
JIRA_ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]+-[0-9]{1,18}")
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


# The built-in helpdesks' rules, for a caller not handed the installed helpdesks' (``rules``):
# the same rules their connectors declare.
NUMBERED_HELPDESKS: Mapping[str, TicketIds] = MappingProxyType(
    {"zendesk": numbered("Zendesk"), "freshdesk": numbered("Freshdesk")}
)


def _shown(value: str) -> str:
    return repr(value[:40] + ("…" if len(value) > 40 else ""))


def ticket_id_problem(
    helpdesk: str, ticket_id: str, rules: Mapping[str, TicketIds] = NUMBERED_HELPDESKS
) -> str | None:
    """Why ``ticket_id`` cannot be a ticket of ``helpdesk``, or None when it can: by the rule
    ``rules`` holds for ``helpdesk`` (the installed helpdesks' own), else the generic one."""
    rule = rules.get(helpdesk)
    if rule is not None:
        if rule.pattern.fullmatch(ticket_id):
            return None
        return f"a {rule.title} ticket id is {rule.format}, not {_shown(ticket_id)}"
    if GENERIC_ID.fullmatch(ticket_id):
        return None
    return f"a ticket id is {GENERIC_FORMAT}, not {_shown(ticket_id)}"


def ticket_ref_problem(ref: str, rules: Mapping[str, TicketIds] = NUMBERED_HELPDESKS) -> str | None:
    """``4711`` or ``zendesk:4711``: why ``ref`` names no ticket any helpdesk could have."""
    helpdesk, separator, number = ref.partition(":")
    if not separator:
        return ticket_id_problem("", ref, rules)
    if not HELPDESK_NAME.fullmatch(helpdesk):
        return f"a ticket is named as 4711 or helpdesk:4711, not {_shown(ref)}"
    return ticket_id_problem(helpdesk, number, rules)


def jira_issue_key_problem(key: str) -> str | None:
    if JIRA_ISSUE_KEY.fullmatch(key):
        return None
    return f"a Jira issue key is PROJECT-123, not {_shown(key)}"


def github_number_problem(number: str) -> str | None:
    if POSITIVE_NUMBER.fullmatch(number):
        return None
    return f"a GitHub issue or pull request number is a positive whole number, not {_shown(number)}"


def requester_problem(requester: str) -> str | None:
    """Why ``requester`` cannot be written into a notice's headers. The value is not repeated:
    it is the customer's text and this reason goes to logs and webhook answers."""
    if any(unicodedata.category(char) in BREAKING_CATEGORIES for char in requester):
        return "the requester contains a line break or a control character"
    return None
