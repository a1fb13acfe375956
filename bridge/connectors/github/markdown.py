"""Outside text in what the bridge writes to GitHub (issue bodies and comments in GitHub
Flavored Markdown, titles in plain text): shown as written, never markup of its own.

A customer's subject, organisation, ticket id or words must not ping (``@acme/team``), link
(``[x](…)``, ``https://…``, ``#12``), embed (``![p](…)``, raw HTML), lay out (headings,
lists, tables) or carry our hidden ``<!-- … -->`` marker. Outside text is put on one line;
every character that can open Markdown anywhere on a line (``\\ ` * _ [ ] < ~ | $``, and ``&``
starting an entity) is backslash-escaped, and so is what would open a block at its start
(``# > + = -``, ``1.``): an escaped character renders as itself, so ordinary text ("Orders
fail (v2.1) for ACME & Co.") is written unchanged. A zero-width joiner after ``@``, ``#``,
``:`` in ``://``, ``www`` and ``<!`` keeps GitHub from finding a mention, an issue reference
or a link, and our marker's ``<!--`` from being written.
"""

from __future__ import annotations

import re

from bridge.connectors import origin, tracker
from bridge.services.ports import WaitingList

BODY_LIMIT = 65_536  # characters in an issue body or a comment (GitHub's documented limit)
TITLE_LIMIT = 256
JOINER = "\u200d"  # zero-width: invisible to a reader, breaks what GitHub would recognise

_INLINE = re.compile(r"[\\`*_\[\]<~|$]|&(?=#?\w+;)")
_BLOCK_START = re.compile(r"\A(?:[#>+=-]|[0-9]{1,9}(?=[.)]))")  # a heading, quote, list, rule
_RECOGNISED = re.compile(r"(?i)(@|#|:(?=//)|www(?=\.)|(?<=<)!)")
_ESCAPE_TAIL = tracker.MARKDOWN_ESCAPE_TAIL
# What the waiting-list comment shows, hidden beside its marker: an unchanged or older list
# writes nothing.
SHOWN = re.compile(r"<!-- support-bridge-waiting digest=(?P<digest>\S+) as_of=(?P<as_of>\S+) -->")


def inert(text: str) -> str:
    """Outside text for a Markdown body: on one line, every Markdown character escaped, and
    nothing GitHub would turn into a mention, a reference or a link."""
    linkless = _RECOGNISED.sub(lambda m: m[0] + JOINER, tracker.one_line(text))
    escaped = _INLINE.sub(lambda m: "\\" + m[0], linkless)
    return _BLOCK_START.sub(_escape_block_start, escaped)


def _escape_block_start(opening: re.Match[str]) -> str:
    """``#`` becomes ``\\#``; ``1.`` becomes ``1\\.`` (a digit cannot be escaped)."""
    return opening[0] + "\\" if opening[0].isdigit() else "\\" + opening[0]


def title(text: str) -> str:
    """An issue title: plain text, so nothing is escaped, on one line and within GitHub's
    limit; a joiner after each ``@`` all the same, as GitHub has been seen to notify a name
    in a title."""
    return tracker.cut(tracker.one_line(text).replace("@", "@" + JOINER), TITLE_LIMIT)


def body(text: str, marker: str) -> str:
    """``text`` and the hidden marker that ends it, within GitHub's limit: the text is cut,
    never the marker."""
    tail = f"\n\n{marker}"
    return tracker.cut(text, BODY_LIMIT - len(tail), _ESCAPE_TAIL) + tail


def quoted(quote: str) -> str:
    """Someone else's words as a fenced block that nothing in them can close (the fence is
    longer than any run of backticks inside), mentioning nobody (a zero-width joiner after
    each ``@``) and hiding no marker of ours (nor after each ``<!``)."""
    inert_quote = quote.replace("@", "@" + JOINER).replace("<!", "<!" + JOINER)
    longest = max((len(run) for run in re.findall(r"`+", inert_quote)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{inert_quote}\n{fence}"


def comment(text: str, quote: str, key: str) -> str:
    """A comment: our ``text`` (plain, so written inert whole: it names outside things such
    as ticket ids), then ``quote`` fenced, then the marker; the quote is cut to fit."""
    said = inert(text)
    if not quote:
        return body(said, origin.hidden_marker(key))
    tail = f"\n\n{origin.hidden_marker(key)}"
    return tracker.fitted(lambda q: f"{said}\n\n{quoted(q)}{tail}", quote, BODY_LIMIT)


def waiting_body(waiting: WaitingList, marker: str) -> str:
    return tracker.markdown_waiting_body(waiting, marker, inert, BODY_LIMIT)
