"""Which fields Jira insists on for an issue type, read from its create metadata."""

from __future__ import annotations

from typing import Any

from bridge.services.ports import PermanentConnectorError

# Fields the connector always fills in itself.
_ALWAYS_SET = {"project", "issuetype", "summary", "reporter", "description", "labels"}


def required_fields_of(meta: dict[str, Any], project: str, issue_type: str) -> dict[str, str]:
    """Field id -> name of what createmeta says the bridge must fill in itself."""
    types = [
        t
        for p in meta.get("projects", [])
        for t in p.get("issuetypes", [])
        if str(t.get("name", "")).lower() == issue_type.lower()
    ]
    if not types:
        msg = (
            f"project {project} has no issue type {issue_type!r} you may create; "
            "check connectors.jira project and issue type settings"
        )
        raise PermanentConnectorError("jira", msg)
    return {
        fid: str(f.get("name", fid))
        for fid, f in types[0].get("fields", {}).items()
        if f.get("required") and not f.get("hasDefaultValue") and fid not in _ALWAYS_SET
    }
