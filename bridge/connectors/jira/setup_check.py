"""``doctor``'s look at the projects, issue types and fields bridge.yaml names: a SPAR or AR
filed into a project or issue type that does not exist fails only when the first escalation
needs it, so the check asks Jira now."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import jira

from bridge.connectors.jira import createmeta
from bridge.connectors.jira.errors import absent_as_none
from bridge.connectors.jira.settings import JiraSettings
from bridge.services.ports import ConnectorError

Caller = Callable[[Callable[[], Any]], Any]


def project_problems(
    client: jira.JIRA, settings: JiraSettings, call: Caller
) -> list[tuple[str, str]]:
    """(problem, fix) for each project or issue type the bridge would file into and cannot."""
    found: list[tuple[str, str]] = []
    targets = (
        ("support_project", settings.support_project, "spar_issue_type", settings.spar_issue_type),
        (
            "development_project",
            settings.development_project,
            "ar_issue_type",
            settings.ar_issue_type,
        ),
    )
    for project_key, project, type_key, issue_type in targets:
        try:
            types = call(absent_as_none(lambda p=project: createmeta.issue_types(client, p)))
        except ConnectorError as exc:
            found.append(
                (
                    f"connectors.jira.{project_key}: cannot read project {project}: {exc.detail}",
                    "check the bridge account's permissions",
                )
            )
            continue
        if types is None:
            found.append(
                (
                    f"connectors.jira.{project_key}: no project {project!r} on this site (or the "
                    "bridge's account may not browse it)",
                    f"set connectors.jira.{project_key} to the key of an existing project",
                )
            )
            continue
        names = [str(t.get("name", "")) for t in types]
        if issue_type.lower() not in (name.lower() for name in names):
            found.append(
                (
                    f"connectors.jira.{type_key}: project {project} has no issue type "
                    f"{issue_type!r} the bridge may create",
                    f"set connectors.jira.{type_key} to one of: {', '.join(names) or '(none)'}",
                )
            )
    return found


def unknown_fields(
    client: jira.JIRA, wanted: Iterable[tuple[str, str]], call: Caller
) -> list[tuple[str, str]]:
    """(problem, fix) for each ``(key path, field id)`` naming no field of the site."""
    wanted = list(wanted)
    if not wanted:
        return []
    fields = call(lambda: client.fields())
    ids = {str(field.get("id")) for field in fields}
    return [
        (
            f"{path}: no field {field_id!r} on this site",
            f"set {path} to a field id such as "
            "customfield_10010 (Jira: Settings → Issues → Custom fields)",
        )
        for path, field_id in wanted
        if field_id not in ids
    ]
