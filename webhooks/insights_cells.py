"""The week-by-week cells of the insights tables, written here rather than cell by cell in the
template: two years of weeks are some ten thousand cells, and a Jinja expression, filter or
macro call per cell costs more than the page's counting. Only numbers and fixed words go into
these cells; the names of groups (hostile text) stay in the template, escaped there."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from bridge.domain.insights import Week
from bridge.services.showing.insights import Share, Spread

NOTHING = "—"


def _ours(html: str) -> Markup:
    """Cells written here from numbers (``:d`` refuses anything else) and words of ours."""
    return Markup(html)  # noqa: S704 - no outside text reaches these cells


def percent(share: Share) -> str:
    return NOTHING if not share.whole else f"{share.part / share.whole:.0%}"


def duration(seconds: float | None) -> str:
    """``3h 20m``, ``2d 4h`` or ``45m``: how long, as people say it."""
    if seconds is None:
        return NOTHING
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def heads(weeks: Sequence[Week], current: Sequence[bool]) -> Markup:
    """One column heading per week; the running one marked *so far*."""
    return _ours(
        "".join(
            f'<th class="n current" scope="col">{week.label} (so far)</th>'
            if running
            else f'<th class="n" scope="col">{week.label}</th>'
            for week, running in zip(weeks, current, strict=True)
        )
    )


def shares(weekly: Sequence[Share]) -> Markup:
    """``33%`` over ``1 of 3`` per week; ``—`` for a week with nothing to divide by."""
    return _ours(
        "".join(
            f'<td class="n">{share.part / share.whole:.0%}'
            f'<span class="of">{share.part:d} of {share.whole:d}</span></td>'
            if share.whole
            else f'<td class="n">{NOTHING}</td>'
            for share in weekly
        )
    )


def counts(weekly: Sequence[int]) -> Markup:
    return _ours("".join(f'<td class="n">{count:d}</td>' for count in weekly))


def spreads(weekly: Sequence[Spread]) -> Markup:
    """The median and 90th percentile per week, over how many escalations."""
    return _ours(
        "".join(
            f'<td class="n">{duration(spread.median)} · p90 {duration(spread.p90)}'
            f'<span class="of">{spread.count:d} escalation{"" if spread.count == 1 else "s"}'
            "</span></td>"
            for spread in weekly
        )
    )
