"""Applying Jira's `fields` / `update` edit format to an issue, with its changelog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.jira import events
from sandbox.jira.render import ACTING_AS, DEVELOPER_ACCOUNT, adf_to_text
from sandbox.jira.state import Comment, Issue, next_id, now

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer

FIXED_ON_CREATE = {"project", "issuetype"}


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return " ".join(str(_shown(v)) for v in value)
    if isinstance(value, dict):
        return adf_to_text(value) if value.get("type") == "doc" else str(value.get("name", value))
    return str(value)


def create_comment(
    server: JiraServer, issue: Issue, body: Any, *, internal: bool = False
) -> Comment:
    developer = ACTING_AS.get() == "developer"
    author = DEVELOPER_ACCOUNT if developer else server.world.account_id
    comment = Comment(next_id(), body, author, internal=internal)
    issue.comments.append(comment)
    issue.updated = now()
    events.comment_created(server, issue, comment)
    return comment


def edit_comment(server: JiraServer, issue: Issue, comment: Comment, body: Any) -> None:
    comment.body = body
    comment.updated = now()
    issue.updated = comment.updated
    events.comment_updated(server, issue, comment)


def _version_names(server: JiraServer, issue: Issue, refs: list[Any]) -> list[str] | None:
    versions = server.world.projects[issue.project].versions.values()
    names = []
    for ref in refs:
        found = next(
            (v for v in versions if ref.get("name") == v.name or ref.get("id") == v.id), None
        )
        if found is None:
            return None
        names.append(found.name)
    return names


def _apply_op(server: JiraServer, issue: Issue, name: str, verb: str, arg: Any) -> str | None:
    if name == "comment" and verb == "add":
        create_comment(server, issue, arg["body"])
        return None
    if name == "fixVersions":
        names = _version_names(server, issue, arg if isinstance(arg, list) else [arg])
        if names is None:
            return "Version is not valid"
        current = list(issue.fix_versions)
        issue.fix_versions = {
            "set": names,
            "add": current + [n for n in names if n not in current],
            "remove": [n for n in current if n not in names],
        }[verb]
        return None
    current_value = issue.fields.get(name)
    if name == "labels":
        labels = list(current_value or [])
        issue.fields[name] = {
            "set": list(arg) if isinstance(arg, list) else [arg],
            "add": labels + ([arg] if arg not in labels else []),
            "remove": [x for x in labels if x != arg],
        }[verb]
        return None
    if verb == "set":
        issue.fields[name] = arg
    return None


def apply_update(
    server: JiraServer, issue: Issue, data: dict[str, Any], *, creating: bool = False
) -> dict[str, str] | None:
    """Apply an edit; returns Jira's per-field errors, or None when it was accepted."""
    before = {k: _shown(v) for k, v in issue.fields.items()}
    before_versions = list(issue.fix_versions)
    for name, value in (data.get("fields") or {}).items():
        if name in FIXED_ON_CREATE and not creating:
            continue
        problem = _apply_op(server, issue, name, "set", value)
        if problem:
            return {name: problem}
    for name, operations in (data.get("update") or {}).items():
        for operation in operations:
            for verb, arg in operation.items():
                problem = _apply_op(server, issue, name, verb, arg)
                if problem:
                    return {name: problem}
    if creating:
        return None
    items = [
        events.change(name, before.get(name), _shown(value))
        for name, value in issue.fields.items()
        if before.get(name) != _shown(value)
    ]
    if before_versions != issue.fix_versions:
        items.append(
            events.change(
                "Fix Version",
                " ".join(before_versions) or None,
                " ".join(issue.fix_versions) or None,
            )
        )
    issue.updated = now()
    events.issue_updated(server, issue, items)
    return None
