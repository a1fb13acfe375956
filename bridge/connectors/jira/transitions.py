"""Planning a status move through a Jira workflow, one hop at a time.

Jira shows only the transitions out of the current status (with ``expand=transitions.fields``
telling which screen fields each one insists on), so the plan is made hop by hop: take a
transition straight to the target when there is one; otherwise step to a status not yet visited,
preferring "in progress" ones, which lie between the workflow's start and its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.services.ports import PermanentConnectorError

MAX_HOPS = 4
_PREFERENCE = {"indeterminate": 0, "new": 1, "done": 2}


@dataclass(frozen=True)
class Hop:
    transition_id: str
    name: str
    to: str
    fields: dict[str, Any] = field(default_factory=dict)


def _to(transition: dict[str, Any]) -> tuple[str, str]:
    to = transition.get("to") or {}
    return str(to.get("name", "")), str((to.get("statusCategory") or {}).get("key", ""))


def required_fields(transition: dict[str, Any], resolution: str) -> dict[str, Any]:
    """Values for the fields this transition's screen requires, or a clear error."""
    values: dict[str, Any] = {}
    for name, meta in (transition.get("fields") or {}).items():
        if not meta.get("required") or meta.get("hasDefaultValue"):
            continue
        allowed = [str(v.get("name")) for v in meta.get("allowedValues") or []]
        if name == "resolution" and allowed:
            values[name] = {"name": resolution if resolution in allowed else allowed[0]}
            continue
        msg = (
            f"the transition {transition.get('name')!r} requires the field "
            f"{meta.get('name', name)!r} ({name}), which the bridge cannot fill; "
            "make it optional on that transition's screen"
        )
        raise PermanentConnectorError("jira", msg)
    return values


def next_hop(
    transitions: list[dict[str, Any]], target: str, visited: set[str], resolution: str = "Done"
) -> Hop | None:
    direct = [t for t in transitions if _to(t)[0].lower() == target.lower()]
    if direct:
        chosen = direct[0]
    else:
        onward = [t for t in transitions if _to(t)[0].lower() not in visited]
        if not onward:
            return None
        chosen = min(onward, key=lambda t: _PREFERENCE.get(_to(t)[1], 3))
    return Hop(
        str(chosen["id"]),
        str(chosen.get("name", "")),
        _to(chosen)[0],
        required_fields(chosen, resolution),
    )


def no_path(key: str, current: str, target: str, seen: list[str]) -> PermanentConnectorError:
    offered = ", ".join(sorted(set(seen))) or "none"
    msg = (
        f"no workflow path moves {key} from {current!r} to {target!r} "
        f"(transitions seen on the way lead to: {offered}); check the project's workflow"
    )
    return PermanentConnectorError("jira", msg)
