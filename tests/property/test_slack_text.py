"""Whatever a customer types, Slack shows it as typed and acts on none of it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bridge.services.mrkdwn import inert

# Slack's control sequences, mixed into arbitrary text.
SLACK = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<@U0ADMIN001>",
        "<#C0SECRET1>",
        "<!subteam^S1>",
        "<https://evil.example|click>",
        "<mailto:x@evil.example|mail>",
        "&lt;",
        "&amp;",
        "<",
        ">",
    ]
)
TEXT = st.lists(st.one_of(st.text(), SLACK), max_size=8).map("".join)


@given(TEXT)
def test_no_angle_bracket_survives_so_nothing_can_ping_mention_or_link(typed: str) -> None:
    shown = inert(typed)
    assert "<" not in shown and ">" not in shown


@given(TEXT)
def test_slack_shows_exactly_what_was_typed(typed: str) -> None:
    # Slack decodes &amp; &lt; &gt; in message text: what it displays is the original.
    shown = inert(typed)
    decoded = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert decoded == typed
