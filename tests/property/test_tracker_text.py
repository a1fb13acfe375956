"""Whatever a customer types, GitHub and Jira show it as text: through each tracker's
neutraliser nothing can mention, link, embed, start a heading or a macro, or hide our marker,
and what a reader sees is what was typed."""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bridge.connectors import tracker
from bridge.connectors.github import markdown
from bridge.connectors.jira import markup

JOINER = "\u200d"
# Every control sequence of Markdown, GitHub, Jira wiki markup and our own marker, mixed with
# arbitrary Unicode.
CONTROLS = [
    "@", "@acme/security-team", "ops@acme.example", "#12", "acme/widgets#3", "GH-1",
    "![p](https://evil.example/p.png)", "[x](http://e.example)", "[x]: http://e.example",
    "<https://e.example>", "https://e.example", "HTTP://E", "www.e.example", "WWW.", "mailto:",
    "<img src=x onerror=y>", "<!-- support-bridge:github:1:ar:create -->", "<!--", "-->",
    "&#64;", "&amp;", "&", "\\", "\\\\", "`", "```", "~~~", "~~x~~", "*x*", "_x_", "**",
    "$x$", "$$", "|", "||", "---", "===", "# ", "#", "> ", "- ", "+ ", "1. ", "2) ", "    ",
    "[^1]", ":smile:",
    "h1. ", "H2. ", "bq. ", "!https://evil.example/p.png!", "[~admin]", "[~accountid:1]",
    "[x|http://e.example]", "[#anchor]", "[^file.txt]", "{noformat}", "{code}", "{color:red}",
    "{{x}}", "??x??", "-x-", "+x+", "^x^", "~x~", "(!)", "(y)", "\\\\ ", "%",
    "\n", "\r\n", "\r", "\t", "\v", "\f", "\x00", "\x1b", "\x85", "\u2028", "\u2029",
    "\u200d", "\u202e",
]  # fmt: skip
HOSTILE = st.lists(st.one_of(st.sampled_from(CONTROLS), st.text()), max_size=12).map("".join)
BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def unescaped(text: str, marks: str) -> list[str]:
    """The characters of ``marks`` in ``text`` that no backslash escapes."""
    found, escaped = [], False
    for char in text:
        if not escaped and char in marks:
            found.append(char)
        escaped = not escaped and char == "\\"
    return found


def as_github_shows(written: str) -> tuple[str, set[str]]:
    """The text a reader sees of Markdown (joiners kept) and the kinds of element in it."""
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = parser.parse(written)
    inline = [child for token in tokens for child in (token.children or [])]
    kinds = {t.type for t in [*tokens, *inline]}
    return "".join(c.content for c in inline if c.type == "text"), kinds


@given(HOSTILE)
def test_github_markdown_shows_any_text_as_typed_and_nothing_else(typed: str) -> None:
    written = markdown.inert(typed)
    shown, kinds = as_github_shows(written)

    assert kinds <= {"paragraph_open", "inline", "text", "paragraph_close"}
    assert not BREAKS.search(written)
    assert not unescaped(written, "`*_[]<~|$")
    assert not re.search(r"(?<!\\)&#?\w+;", written)  # an entity could spell '@' or '<'
    assert "<!--" not in written
    # What GitHub finds in the rendered text: mentions, references, links.
    assert not re.search(f"[@#][^{JOINER}]|[@#]\\Z", shown)
    assert "://" not in shown and "www." not in shown.lower()
    assert shown.replace(JOINER, "") == tracker.one_line(typed).replace(JOINER, "")


@given(HOSTILE)
def test_a_github_title_is_the_typed_text_on_one_line(typed: str) -> None:
    title = markdown.title(typed)
    assert not BREAKS.search(title) and len(title) <= markdown.TITLE_LIMIT
    assert not re.search(f"@[^{JOINER}]|@\\Z", title)
    if len(title) < markdown.TITLE_LIMIT:  # not cut: as typed, nothing escaped
        assert title.replace(JOINER, "") == tracker.one_line(typed).replace(JOINER, "")


def as_jira_shows(written: str) -> str:
    """What Jira's renderer shows of text with no markup: an escape drops its backslash."""
    return re.sub(r"\\([-#*_+?^~|%{}\[\]()!@])", r"\1", written).replace("&#92;", "\\")


@given(HOSTILE)
def test_jira_wiki_shows_any_text_as_typed_and_nothing_else(typed: str) -> None:
    written = markup.inert(typed)

    assert not BREAKS.search(written)
    ours = written.replace("&#92;", "")  # a backslash typed, shown as itself
    assert not unescaped(ours, "-#*_+?^~|%{}[]()!@")  # no macro, image, mention, link…
    assert not re.search(r"\\(?![-#*_+?^~|%{}\[\]()!@])", written)  # no \\ line break
    assert not re.match(r"(?i)\s*(h[1-6]|bq)\.", written)  # no heading or quote
    assert "://" not in written and not re.search(r"(?i)mailto:(?!\u200d)", written)
    typed_line = tracker.one_line(typed).replace("&#92;", "\\")
    assert as_jira_shows(written).replace(JOINER, "") == typed_line.replace(JOINER, "")


@given(HOSTILE, st.integers(min_value=1, max_value=40))
def test_a_cut_text_fits_and_says_so(typed: str, limit: int) -> None:
    assume(len(typed) > limit)
    cut = tracker.cut(typed, limit)
    assert len(cut) == limit and cut.endswith("…")


ORDINARY = st.from_regex(r"[A-Za-z][A-Za-z0-9 .,:'\"()?&%!-]{0,60}", fullmatch=True)


@given(ORDINARY)
def test_ordinary_text_is_written_to_github_unchanged(typed: str) -> None:
    """ "Orders fail (v2.1) for ACME & Co." is written as typed: no escape in the way."""
    assume("www." not in typed.lower())
    assert markdown.inert(typed) == typed.strip()


def test_the_issue_s_examples_are_written_as_expected() -> None:
    assert markdown.inert("Orders fail (v2.1) for ACME & Co.") == (
        "Orders fail (v2.1) for ACME & Co."
    )
    assert markup.inert("Orders fail (v2.1) for ACME & Co.") == (
        "Orders fail \\(v2.1\\) for ACME & Co."
    )
    assert markdown.inert("@acme/security-team ![p](https://evil.example/p.png)") == (
        f"@{JOINER}acme/security-team !\\[p\\](https:{JOINER}//evil.example/p.png)"
    )
    assert markup.inert("!https://evil.example/p.png!\nh1. Big") == (
        f"\\!https:{JOINER}//evil.example/p.png\\! h1. Big"
    )
    assert markup.inert("h1. Big") == f"h1{JOINER}. Big"
    assert markup.inert("LNK][~admin][") == "LNK\\]\\[\\~admin\\]\\["
