"""The slice of JQL the bridge uses: AND-ed clauses over keys, status, labels and properties,
and ``updated >= "-90m"`` (a time relative to now, as catch-up asks: no time zone involved)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from sandbox.jira.render import adf_to_text
from sandbox.jira.state import Issue, JiraWorld

_CLAUSE = re.compile(
    r"^\s*(?P<field>issue\.property\[[^\]]+\][\w.]*|[\w\"' ]+?)\s*"
    r"(?P<op>not in|in|!=|>=|=|~)\s*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
_PROPERTY = re.compile(r"issue\.property\[(?P<key>[^\]]+)\](?P<path>[\w.]*)", re.IGNORECASE)


class JqlError(ValueError):
    """Jira answers 400 with the message in errorMessages."""


_RELATIVE = re.compile(r"^-(?P<amount>\d+)(?P<unit>[mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _not_before(value: str) -> dt.datetime:
    match = _RELATIVE.match(value)
    if match is None:
        msg = f"Date value '{value}' for field 'updated' is invalid (the sandbox knows -Nm/h/d)."
        raise JqlError(msg)
    ago = dt.timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})
    return dt.datetime.now(dt.UTC) - ago


def _values(raw: str, op: str) -> list[str]:
    if op.endswith("in"):
        raw = raw.strip().removeprefix("(").removesuffix(")")
        return [v.strip().strip("\"'").lower() for v in raw.split(",")]
    return [raw.strip().strip("\"'").lower()]


def _property(issue: Issue, key: str, path: str) -> Any:
    value: Any = issue.properties.get(key.strip("\"'"))
    for part in filter(None, path.split(".")):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _text(issue: Issue) -> str:
    description = adf_to_text(issue.fields.get("description"))
    return f"{issue.fields.get('summary', '')} {description}".lower()


def _field_values(world: JiraWorld, issue: Issue, name: str) -> list[str]:
    name = name.strip().strip("\"'").lower()
    match = _PROPERTY.fullmatch(name)
    if match:
        return [str(_property(issue, match["key"], match["path"])).lower()]
    getters: dict[str, Callable[[], list[str]]] = {
        "project": lambda: [issue.project.lower(), world.projects[issue.project].id],
        "key": lambda: [issue.key.lower(), issue.id],
        "issuekey": lambda: [issue.key.lower(), issue.id],
        "status": lambda: [issue.status.lower()],
        "statuscategory": lambda: [world.status(issue.status).category],
        "labels": lambda: [str(x).lower() for x in issue.fields.get("labels") or []],
        "resolution": lambda: [(issue.resolution or "unresolved").lower()],
        "fixversion": lambda: [v.lower() for v in issue.fix_versions],
        "summary": lambda: [str(issue.fields.get("summary", "")).lower()],
        "text": lambda: [_text(issue)],
        "updated": lambda: [issue.updated],
    }
    if name not in getters:
        msg = f"Field '{name}' does not exist or you do not have permission to view it."
        raise JqlError(msg)
    return getters[name]()


def _known_keys(world: JiraWorld, field: str, keys: list[str]) -> None:
    """Jira refuses the whole query when it names an issue key it does not hold."""
    for key in keys:
        if world.issue(key) is None:
            raise JqlError(f"An issue with key '{key.upper()}' does not exist for field '{field}'.")


def compile_jql(world: JiraWorld, jql: str) -> Callable[[Issue], bool]:
    query = re.split(r"\border\s+by\b", jql, flags=re.IGNORECASE)[0].strip()
    clauses = [c for c in re.split(r"\s+and\s+", query, flags=re.IGNORECASE) if c.strip()]
    parsed = []
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if match is None:
            msg = f"Error in the JQL Query: cannot parse '{clause.strip()}'."
            raise JqlError(msg)
        op, values = match["op"].lower(), _values(match["value"], match["op"].lower())
        field = match["field"].strip().lower()
        if field in ("issuekey", "key") and op in ("in", "="):
            _known_keys(world, field, values)
        if op == ">=":
            values = [_not_before(values[0]).isoformat()]
        parsed.append((match["field"], op, values))

    def matches(issue: Issue) -> bool:
        for field, op, wanted in parsed:
            have = _field_values(world, issue, field)
            if op == "~":
                hit = any(w in h for w in wanted for h in have)
            elif op == ">=":
                since = dt.datetime.fromisoformat(wanted[0])
                hit = any(dt.datetime.fromisoformat(h) >= since for h in have)
            else:
                hit = any(w in have for w in wanted)
            if hit == (op in {"!=", "not in"}):
                return False
        return True

    for issue in list(world.issues.values())[:1]:
        matches(issue)  # surface unknown fields as a 400 even when nothing would match
    return matches
