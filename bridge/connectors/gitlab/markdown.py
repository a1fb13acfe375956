"""Outside text in what the bridge writes to GitLab (issue descriptions and comments in GitLab
Flavored Markdown, titles in plain text): shown as written, never markup or a command.

GitLab reads more into text than GitHub does. Besides Markdown, it turns references into links
or notifications wherever they stand in the rendered text: ``@user`` and ``@group``, issues
``#12`` and ``group/project#12``, merge requests ``!3``, milestones ``%4.2``, labels ``~bug``,
snippets ``$7``, epics ``&5``, alerts ``^alert#2``, and ``[[_TOC_]]``. And a line of a
description or comment that starts with ``/`` is a quick action (``/close``, ``/label ~x``,
``/assign @me``, ``/duplicate #3``) that GitLab carries out for the author, here the bridge.

So outside text is put on one line, every Markdown character escaped as for GitHub
(``bridge/connectors/github/markdown.py``), a zero-width joiner after each character that opens
a reference (escaping does not help there: references are found in the rendered text), and a
``/`` opening the text escaped, so nothing from a customer can start a line with a command. A
quoted comment goes in a fence, each of its lines that would start with ``/`` given a joiner
first: GitLab's quick-action scan does not read fences as Markdown does, and a line of three
backticks inside a longer fence would end its idea of the code block.
"""

from __future__ import annotations

import re

from bridge.connectors import origin, tracker
from bridge.services.ports import WaitingList

DESCRIPTION_LIMIT = 1_048_576  # characters in an issue description (GitLab's documented limit)
NOTE_LIMIT = 1_000_000  # characters in a comment
TITLE_LIMIT = 255
JOINER = "\u200d"  # zero-width: invisible to a reader, breaks what GitLab would recognise

_INLINE = re.compile(r"[\\`*_\[\]<~|${}]|&(?=#?\w+;)")
_BLOCK_START = re.compile(r"\A(?:[#>+=/-]|[0-9]{1,9}(?=[.)]))")
# What opens a reference (user, issue, merge request, milestone, label, snippet, epic, alert,
# iteration: a sigil before a name, a number or a quote; a wiki link), a bare link, or our
# marker's "<!--". A sigil before a space ("50% off", "ACME & Co.") is left as written.
_RECOGNISED = re.compile(r"(?i)([@#!%~$&^](?=[\w\"])|(?<=<)!|\[|:(?=//)|www(?=\.)|\*(?=iteration))")
_COMMAND_LINE = re.compile(r"(?m)^([ \t]*)/")
_ESCAPE_TAIL = tracker.MARKDOWN_ESCAPE_TAIL
SHOWN = re.compile(r"<!-- support-bridge-waiting digest=(?P<digest>\S+) as_of=(?P<as_of>\S+) -->")


def inert(text: str) -> str:
    """Outside text for a Markdown description or comment: on one line, every Markdown
    character escaped, no reference GitLab would link or notify, and no quick action."""
    linkless = _RECOGNISED.sub(lambda m: m[0] + JOINER, tracker.one_line(text))
    escaped = _INLINE.sub(lambda m: "\\" + m[0], linkless)
    return _BLOCK_START.sub(_escape_block_start, escaped)


def _escape_block_start(opening: re.Match[str]) -> str:
    return opening[0] + "\\" if opening[0].isdigit() else "\\" + opening[0]


def title(text: str) -> str:
    """An issue title: plain text on one line within GitLab's limit; a joiner after each
    ``@`` all the same, so no name in it is taken for a mention."""
    return tracker.cut(tracker.one_line(text).replace("@", "@" + JOINER), TITLE_LIMIT)


def body(text: str, marker: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` and the hidden marker that ends it: the text is cut, never the marker."""
    tail = f"\n\n{marker}"
    return tracker.cut(text, limit - len(tail), _ESCAPE_TAIL) + tail


def quoted(quote: str) -> str:
    """Someone else's words as a fenced block that nothing in them can close, mentioning
    nobody, hiding no marker of ours and starting no line with a quick action."""
    inert_quote = quote.replace("@", "@" + JOINER).replace("<!", "<!" + JOINER)
    inert_quote = _COMMAND_LINE.sub(lambda m: m[1] + JOINER + "/", inert_quote)
    longest = max((len(run) for run in re.findall(r"`+", inert_quote)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{inert_quote}\n{fence}"


def comment(text: str, quote: str, key: str) -> str:
    """Our ``text`` written inert whole, then ``quote`` fenced, then the marker."""
    said = inert(text)
    if not quote:
        return body(said, origin.hidden_marker(key), NOTE_LIMIT)
    tail = f"\n\n{origin.hidden_marker(key)}"
    return tracker.fitted(lambda q: f"{said}\n\n{quoted(q)}{tail}", quote, NOTE_LIMIT)


def waiting_body(waiting: WaitingList, marker: str) -> str:
    return tracker.markdown_waiting_body(waiting, marker, inert, NOTE_LIMIT)
