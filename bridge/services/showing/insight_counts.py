"""One week's insights as plain JSON, the form a finished week is kept in (``insight_weeks``):
counted by ``bridge.store.insights``, rolled up per dimension, with customers by their raw
helpdesk id so that a name learnt later shows in old weeks too."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from bridge.domain.insights import nearest_rank
from bridge.store.insights import ACCEPTS, REJECTS, RENEGOTIATION_STEPS, InsightCounts

DIMENSIONS = ("all", "severity", "region", "level", "customer")
STEPS = ("close", ACCEPTS, REJECTS, *RENEGOTIATION_STEPS)
NO_VALUE = "(none)"


def spread(seconds: Sequence[float]) -> list[int | None]:
    """[how many, median, 90th percentile] in whole seconds (nearest rank)."""
    whole = [round(value) for value in seconds]
    median, p90 = nearest_rank(whole, 50), nearest_rank(whole, 90)
    return [len(whole), None if median is None else int(median), None if p90 is None else int(p90)]


# -- one week's figures, as kept ----------------------------------------------------------------
# attainment[dimension][clock kind][group key] = [met, decided]; the group key is the raw value
# (a customer as "helpdesk:organisation"), named when shown so a name learnt later shows too.
WeekPart = dict[str, Any]


def count_week(counts: InsightCounts) -> WeekPart:
    """The figures of the one week ``counts`` is bounded by, as plain JSON."""
    attainment: dict[str, dict[str, dict[str, list[int]]]] = {d: {} for d in DIMENSIONS}
    for verdict in counts.clock_verdicts():
        if verdict.by_customer:
            keys = {"customer": f"{verdict.helpdesk or ''}:{verdict.customer or ''}"}
        else:
            keys = {
                "all": "all",
                "severity": str(verdict.severity or ""),
                "region": verdict.region or "",
                "level": str(verdict.level or ""),
            }
        for dimension, key in keys.items():
            slot = attainment[dimension].setdefault(verdict.kind, {}).setdefault(key, [0, 0])
            slot[0] += verdict.met
            slot[1] += verdict.decided
    durations = {
        "acknowledge": counts.to_acknowledge(),
        "first_reply": counts.to_first_reply(),
        "accepted_fix": counts.to_accepted_fix(),
    }
    steps = {found.step: found.count for found in counts.steps(STEPS)}
    first = {found.step: found.count for found in counts.first_answers()}
    accepts, rejects = steps.get(ACCEPTS, 0), steps.get(REJECTS, 0)
    first_accepts = first.get(ACCEPTS, 0)
    spreads = {m: spread([seconds for _, seconds in found]) for m, found in durations.items()}
    return {
        "attainment": attainment,
        "durations": spreads,
        "opened": sum(counts.opened().values()),
        "closed": steps.get("close", 0),
        "first_time_acceptance": [first_accepts, first_accepts + first.get(REJECTS, 0)],
        "still_broken": [rejects, accepts + rejects],
        "renegotiations": steps.get("renegotiate", 0),
        "flagged": steps.get("plan_needs_renegotiation", 0),
    }


def top_customers(parts: list[WeekPart], most: int) -> list[WeekPart]:
    """The weeks with only the ``most`` customers with the most clocks decided over them."""
    decided: dict[str, int] = defaultdict(int)
    for part in parts:
        for groups in part["attainment"]["customer"].values():
            for key, (_, whole) in groups.items():
                decided[key] += whole
    kept = set(sorted(sorted(decided), key=lambda key: -decided[key])[:most])
    return [
        {
            **part,
            "attainment": {
                **part["attainment"],
                "customer": {
                    kind: {key: share for key, share in groups.items() if key in kept}
                    for kind, groups in part["attainment"]["customer"].items()
                },
            },
        }
        for part in parts
    ]


def group_name(dimension: str, key: str, customers: dict[str, str]) -> str:
    if dimension == "customer":
        return customers.get(key) or NO_VALUE
    if not key:
        return NO_VALUE
    return {"severity": f"sev {key}", "level": f"level {key}"}.get(dimension, key)
