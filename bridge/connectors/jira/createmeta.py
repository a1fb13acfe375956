"""Which fields Jira insists on for an issue type, read from the project-scoped create metadata.

``GET /issue/createmeta/{project}/issuetypes[/{issueTypeId}]`` works on Jira Cloud and on Data
Center 8.4 and later; the global ``/issue/createmeta`` is deprecated on Cloud and gone from
Data Center 9. The ``jira`` library's ``project_issue_types``/``project_issue_fields`` read
these pages on Data Center but refuse Cloud (where the library still uses the global call),
and Cloud names its lists ``issueTypes``/``fields`` where Data Center says ``values``, so on
Cloud the pages are read here.
"""

from __future__ import annotations

from typing import Any

import jira

from bridge.services.ports import PermanentConnectorError

# Fields the connector always fills in itself.
_ALWAYS_SET = {"project", "issuetype", "summary", "reporter", "description", "labels"}
PAGE = 50


def _cloud_pages(client: jira.JIRA, path: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client._get_json(path, params={"startAt": len(items), "maxResults": PAGE})
        got = list(page.get(key) or [])
        items += got
        if not got or len(items) >= int(page.get("total", len(items))):
            return items


def issue_types(client: jira.JIRA, project: str) -> list[dict[str, Any]]:
    """The issue types one may create in the project."""
    if client.deploymentType == "Cloud":
        return _cloud_pages(client, f"issue/createmeta/{project}/issuetypes", "issueTypes")
    return [t.raw for t in client.project_issue_types(project, maxResults=0)]


def fields(client: jira.JIRA, project: str, issue_type_id: str) -> list[dict[str, Any]]:
    """The fields of the create screen for one issue type of the project."""
    if client.deploymentType == "Cloud":
        path = f"issue/createmeta/{project}/issuetypes/{issue_type_id}"
        return _cloud_pages(client, path, "fields")
    return [f.raw for f in client.project_issue_fields(project, issue_type_id, maxResults=0)]


def issue_type_id(types: list[dict[str, Any]], project: str, issue_type: str) -> str:
    named = [t for t in types if str(t.get("name", "")).lower() == issue_type.lower()]
    if not named:
        msg = (
            f"project {project} has no issue type {issue_type!r} you may create; "
            "check connectors.jira project and issue type settings"
        )
        raise PermanentConnectorError("jira", msg)
    return str(named[0]["id"])


def required_fields_of(screen: list[dict[str, Any]]) -> dict[str, str]:
    """Field id -> name of what the create screen says the bridge must fill in itself."""
    return {
        str(f.get("fieldId") or f.get("key")): str(f.get("name", f.get("fieldId")))
        for f in screen
        if f.get("required")
        and not f.get("hasDefaultValue")
        and (f.get("fieldId") or f.get("key")) not in _ALWAYS_SET
    }
