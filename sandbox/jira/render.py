"""Jira's JSON for the sandbox's objects, in REST v2 (wiki text) or v3 (ADF) flavour."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sandbox.jira.state import (
    ISSUE_TYPES,
    PRIORITIES,
    RESOLUTIONS,
    Comment,
    Issue,
    JiraWorld,
    RemoteLink,
    Version,
)

ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
# Fields Jira returns on every issue even when the sandbox keeps nothing for them.
SYSTEM_FIELDS: dict[str, Any] = {
    "components": [],
    "versions": [],
    "subtasks": [],
    "attachment": [],
    "duedate": None,
    "timetracking": {},
    "timespent": None,
    "timeestimate": None,
    "timeoriginalestimate": None,
    "aggregatetimespent": None,
    "aggregatetimeestimate": None,
    "aggregatetimeoriginalestimate": None,
    "workratio": -1,
    "security": None,
    "lastViewed": None,
    "progress": {"progress": 0, "total": 0},
    "aggregateprogress": {"progress": 0, "total": 0},
}
CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}

# Who the current change is made by: the API's account (the bridge), or a developer acting
# through the control API — so webhooks say who did what, as Jira's do.
ACTING_AS: ContextVar[str] = ContextVar("acting_as", default="api")
DEVELOPER_ACCOUNT = "712020:dana-developer"


def to_adf(text: str) -> dict[str, Any]:
    paragraphs = text.split("\n\n") if text else []
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": p}]} for p in paragraphs
        ],
    }


def adf_to_text(node: Any) -> str:
    if not isinstance(node, dict):
        return "" if node is None else str(node)
    if node.get("type") == "text":
        return str(node.get("text", ""))
    parts = [adf_to_text(child) for child in node.get("content", [])]
    joiner = "\n\n" if node.get("type") == "doc" else ""
    return joiner.join(parts)


class JiraRenderer:
    def __init__(self, world: JiraWorld, base_url: str) -> None:
        self.world = world
        self.base = base_url.rstrip("/")

    def rest(self, version: str) -> str:
        return f"{self.base}/rest/api/{version}"

    def text(self, value: Any, version: str) -> Any:
        if value is None:
            return None
        if version == "2":
            return adf_to_text(value) if isinstance(value, dict) else value
        return value if isinstance(value, dict) else to_adf(str(value))

    def user(self, version: str = "2") -> dict[str, Any]:
        """Who is acting now: the developer (control API) or the API's account (the bridge)."""
        return self.person(ACTING_AS.get() == "developer", version)

    def person(self, developer: bool, version: str = "2") -> dict[str, Any]:
        world = self.world
        if developer:
            return {
                "self": f"{self.rest(version)}/user?accountId={DEVELOPER_ACCOUNT}",
                "accountId": DEVELOPER_ACCOUNT,
                "accountType": "atlassian",
                "displayName": "Dana Developer",
                "active": True,
                "timeZone": "Europe/Paris",
            }
        return {
            "self": f"{self.rest(version)}/user?accountId={world.account_id}",
            "accountId": world.account_id,
            "accountType": "atlassian",
            "emailAddress": world.email,
            "avatarUrls": {"48x48": f"{self.base}/avatar/48.png"},
            "displayName": world.display_name,
            "active": True,
            "timeZone": "Etc/UTC",
        }

    def status(self, name: str, version: str = "2") -> dict[str, Any]:
        status = self.world.status(name)
        category = CATEGORIES[status.category]
        return {
            "self": f"{self.rest(version)}/status/{status.id}",
            "description": "",
            "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": {"self": f"{self.rest(version)}/statuscategory/{category['id']}"}
            | category,
        }

    def resolution(self, name: str | None, version: str = "2") -> dict[str, Any] | None:
        found = next((r for r in RESOLUTIONS if r["name"] == name), None)
        if found is None:
            return None
        return found | {"self": f"{self.rest(version)}/resolution/{found['id']}", "description": ""}

    def version(self, version: Version, api: str = "2") -> dict[str, Any]:
        project = self.world.projects[version.project]
        data: dict[str, Any] = {
            "self": f"{self.rest(api)}/version/{version.id}",
            "id": version.id,
            "description": version.description,
            "name": version.name,
            "archived": version.archived,
            "released": version.released,
            "projectId": int(project.id),
            "overdue": False,
        }
        if version.release_date:
            data["releaseDate"] = version.release_date
        return data

    def comment(self, issue: Issue, comment: Comment, version: str = "2") -> dict[str, Any]:
        author = self.person(comment.author == DEVELOPER_ACCOUNT, version)
        return {
            "self": f"{self.rest(version)}/issue/{issue.id}/comment/{comment.id}",
            "id": comment.id,
            "author": author,
            "body": self.text(comment.body, version),
            "updateAuthor": author,
            "created": comment.created,
            "updated": comment.updated,
            "jsdPublic": not comment.internal,
        }

    def remote_link(self, issue: Issue, link: RemoteLink, version: str = "2") -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": link.id,
            "self": f"{self.rest(version)}/issue/{issue.key}/remotelink/{link.id}",
            "object": link.object,
        }
        if link.global_id is not None:
            data["globalId"] = link.global_id
        if link.application:
            data["application"] = link.application
        if link.relationship:
            data["relationship"] = link.relationship
        return data

    def issue_ref(self, issue: Issue, version: str = "2") -> dict[str, Any]:
        return {
            "id": issue.id,
            "key": issue.key,
            "self": f"{self.rest(version)}/issue/{issue.id}",
            "fields": {"summary": issue.fields.get("summary"), "status": self.status(issue.status)},
        }

    def fields(self, issue: Issue, version: str = "2") -> dict[str, Any]:
        project = self.world.projects[issue.project]
        rest = self.rest(version)
        issuetype = issue.fields.get("issuetype") or {}
        kind = next(
            (
                t
                for t in ISSUE_TYPES
                if issuetype.get("name") == t["name"] or issuetype.get("id") == t["id"]
            ),
            ISSUE_TYPES[1],
        )
        wanted_priority = issue.fields.get("priority") or {"name": "Medium"}
        priority = next(
            (
                p
                for p in PRIORITIES
                if wanted_priority.get("name") == p["name"] or wanted_priority.get("id") == p["id"]
            ),
            PRIORITIES[2],
        )
        comments = [self.comment(issue, c, version) for c in issue.comments]
        shown: dict[str, Any] = dict(SYSTEM_FIELDS)
        shown["watches"] = {
            "self": f"{rest}/issue/{issue.key}/watchers",
            "watchCount": 0,
            "isWatching": False,
        }
        shown["votes"] = {"self": f"{rest}/issue/{issue.key}/votes", "votes": 0, "hasVoted": False}
        shown.update({k: v for k, v in issue.fields.items() if k.startswith("customfield_")})
        shown.update(
            summary=issue.fields.get("summary"),
            description=self.text(issue.fields.get("description"), version),
            environment=self.text(issue.fields.get("environment"), version),
            issuetype=kind | {"self": f"{rest}/issuetype/{kind['id']}", "description": ""},
            project={
                "self": f"{rest}/project/{project.id}",
                "id": project.id,
                "key": project.key,
                "name": project.name,
                "projectTypeKey": "software",
            },
            priority=priority | {"self": f"{rest}/priority/{priority['id']}"},
            status=self.status(issue.status, version),
            resolution=self.resolution(issue.resolution, version),
            resolutiondate=issue.resolved,
            labels=list(issue.fields.get("labels") or []),
            fixVersions=[
                self.version(v, version)
                for v in self.world.projects[issue.project].versions.values()
                if v.name in issue.fix_versions
            ],
            issuelinks=issue.links,
            reporter=self.user(version),
            creator=self.user(version),
            assignee=None,
            created=issue.created,
            updated=issue.updated,
            comment={
                "comments": comments,
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
                "self": f"{rest}/issue/{issue.id}/comment",
            },
        )
        return shown

    def issue(
        self, issue: Issue, version: str = "2", only: list[str] | None = None, expand: str = ""
    ) -> dict[str, Any]:
        fields = self.fields(issue, version)
        if only and not {"*all", "*navigable"} & set(only):
            fields = {k: v for k, v in fields.items() if k in only}
        shown = {
            "expand": ISSUE_EXPAND,
            "id": issue.id,
            "self": f"{self.rest(version)}/issue/{issue.id}",
            "key": issue.key,
            "fields": fields,
        }
        if "changelog" in expand.split(","):
            shown["changelog"] = self.changelog(issue, version)
        return shown

    def history(self, issue: Issue, start: int, size: int, version: str = "2") -> list[Any]:
        """Histories ``start`` to ``start + size`` of the issue's, oldest first."""
        return [
            {
                "id": change.id,
                "author": self.person(change.author == DEVELOPER_ACCOUNT, version),
                "created": change.created,
                # The REST API leaves out what a webhook sends as null (no old value, say).
                "items": [{k: v for k, v in i.items() if v is not None} for i in change.items],
            }
            for change in issue.history[start : start + size]
        ]

    def changelog(self, issue: Issue, version: str = "2") -> dict[str, Any]:
        """``expand=changelog``: Jira lists at most the 100 newest histories, oldest first."""
        histories = self.history(issue, max(0, len(issue.history) - 100), 100, version)
        return {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(issue.history),
            "histories": histories,
        }
