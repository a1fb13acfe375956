"""Insights at ``/board/insights`` (and ``/board/insights.csv``), for escalation managers:
behind the board's own access (its login or the bearer token), server-rendered with inline
SVG charts, the figures of ``bridge.services.showing.insights`` over the last ``?weeks=`` weeks.

The CSV carries customer names, which are hostile text: a cell a spreadsheet would read as a
formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) starts with an
apostrophe instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, g, render_template, request

from bridge.services.showing.insights import DIMENSIONS, KINDS, MEASURES, Report, Share, Spread
from webhooks import board_access as access
from webhooks import insights_cells as cells
from webhooks import insights_charts as charts
from webhooks.context import current_runtime
from webhooks.page_headers import protect

insights = Blueprint("insights", __name__, url_prefix="/board", template_folder="templates")
insights.record_once(access.configure)

DEFAULT_WEEKS, MOST_WEEKS = 12, 104
CUSTOMERS_SHOWN = 10
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "week",
    "week_starts",
    "figure",
    "clock",
    "dimension",
    "group",
    "value",
    "numerator",
    "denominator",
)
MEASURE_NAMES = {
    "acknowledge": "Time to acknowledge",
    "first_reply": "Time to first reply",
    "accepted_fix": "Time to accepted fix",
}


class BadWeeks(ValueError):
    pass


@insights.before_request
def _authorised() -> Any:
    return access.authorise(frozenset())


@insights.after_request
def _protected(response: Response) -> Response:
    return protect(response, g.get("board_nonce"))


def weeks_asked(args: Any) -> int:
    raw = args.get("weeks", "").strip()
    if not raw:
        return DEFAULT_WEEKS
    if not raw.isdigit() or not 1 <= int(raw) <= MOST_WEEKS:
        msg = f"weeks must be a whole number from 1 to {MOST_WEEKS}"
        raise BadWeeks(msg)
    return int(raw)


def _report(customers: int | None = None) -> Report | tuple[Any, int]:
    try:
        weeks = weeks_asked(request.args)
    except BadWeeks as bad:
        return access.problem(400, "bad_filter", str(bad), parameter="weeks")
    runtime = current_runtime()
    return runtime.services.insights.report(weeks, runtime.clock(), customers=customers)


@insights.get("/insights")
def page() -> Any:
    report = _report(customers=CUSTOMERS_SHOWN)
    if not isinstance(report, Report):
        return report
    page = render_template(
        "board/insights.html",
        report=report,
        weeks=len(report.weeks),
        kinds=[kind for kind in KINDS if report.groups("all", kind)],
        dimensions=DIMENSIONS[1:],
        measures=MEASURES,
        measure_names=MEASURE_NAMES,
        charts=_charts(report),
        groups_shown=_groups_shown,
        cells=cells,
        week_heads=cells.heads(
            report.weeks, [report.is_current(index) for index in range(len(report.weeks))]
        ),
        nonce=g.get("board_nonce", ""),
        logged_in=g.get("board_session", False),
    )
    return page, 200


def _groups_shown(report: Report, dimension: str, kind: str) -> list[str]:
    """The customers (the ten with the most clocks decided) most decided first; others by name."""
    groups = report.groups(dimension, kind)
    if dimension != "customer":
        return groups
    rows = report.attainment[dimension]
    decided = {group: sum(share.whole for share in rows[kind, group]) for group in groups}
    return sorted(groups, key=lambda group: -decided[group])


def _charts(report: Report) -> dict[str, charts.Chart]:
    labels = [week.label for week in report.weeks]
    overall = report.attainment["all"]
    hours = {
        measure: [None if s.median is None else s.median / 3600 for s in spreads]
        for measure, spreads in report.durations.items()
    }
    return {
        "flow": charts.bars(
            "Escalations opened and closed per week",
            labels,
            [("opened", report.opened), ("closed", report.closed)],
        ),
        "attainment": charts.lines(
            "SLA attainment per week",
            labels,
            [
                (kind, [share.ratio for share in overall[kind, "all"]])
                for kind in KINDS
                if (kind, "all") in overall
            ],
            top=1.0,
        ),
        "durations": charts.lines(
            "Median hours per week",
            labels,
            [(MEASURE_NAMES[measure], hours[measure]) for measure in MEASURES],
            shown="{:.1f} h",
        ),
        "answers": charts.lines(
            "Answers to fixes per week",
            labels,
            [
                ("first-time acceptance", [s.ratio for s in report.first_time_acceptance]),
                ("still broken", [s.ratio for s in report.still_broken]),
            ],
            top=1.0,
        ),
    }


@insights.get("/insights.csv")
def table() -> Any:
    report = _report()
    if not isinstance(report, Report):
        return report
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(csv_rows(report))
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="insights.csv"'
    return response


def inert(cell: object) -> str:
    """A cell no spreadsheet runs as a formula."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_rows(report: Report) -> Iterator[tuple[object, ...]]:
    """One row per figure, group and week, as the page shows them. The groups (customers'
    names among them) and the AR keys come from outside: those cells are made inert; every
    other cell is a number or a word of ours."""
    groups = [
        (dimension, kind, inert(group), weekly)
        for dimension in DIMENSIONS
        for (kind, group), weekly in sorted(report.attainment[dimension].items())
    ]
    for index, week in enumerate(report.weeks):
        when = (week.label, week.first_day.isoformat())
        for dimension, kind, group, weekly in groups:
            if weekly[index].whole:
                yield (*when, "sla_attainment", kind, dimension, group, *_share(weekly[index]))
        for measure in MEASURES:
            spread: Spread = report.durations[measure][index]
            figure = f"time_to_{measure}_seconds"
            for name, value in (("median", spread.median), ("p90", spread.p90)):
                yield (*when, figure, "", "", name, _number(value), "", spread.count)
        yield (*when, "escalations_opened", "", "", "", report.opened[index], "", "")
        yield (*when, "escalations_closed", "", "", "", report.closed[index], "", "")
        acceptance = report.first_time_acceptance[index]
        yield (*when, "first_time_acceptance", "", "", "", *_share(acceptance))
        yield (*when, "still_broken", "", "", "", *_share(report.still_broken[index]))
        yield (*when, "renegotiations", "", "", "", report.renegotiations[index], "", "")
        flagged = report.flagged[index]
        yield (*when, "plans_flagged_by_development", "", "", "", flagged, "", "")
    for ar in report.waiting:  # as it stands now: numerator = tickets waiting
        waiting = len(ar.customers)
        system, key = inert(ar.system), inert(ar.key)
        yield ("now", "", "customers_waiting_on_ar", "", system, key, waiting, ar.tickets, "")


def _share(share: Share) -> tuple[object, object, object]:
    return _number(share.part / share.whole if share.whole else None), share.part, share.whole


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"
