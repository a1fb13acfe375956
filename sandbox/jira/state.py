"""Jira's projects, issues, workflow and versions as the sandbox keeps them in memory."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


_ids = itertools.count(10_001)


def next_id() -> str:
    return str(next(_ids))


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: str  # "new", "indeterminate" or "done"


@dataclass(frozen=True)
class Transition:
    """A workflow transition; `required` names the screen fields Jira insists on."""

    id: str
    name: str
    to: str
    required: tuple[str, ...] = ()


DEFAULT_STATUSES = (
    Status("10000", "To Do", "new"),
    Status("3", "In Progress", "indeterminate"),
    Status("10001", "Done", "done"),
)
DEFAULT_TRANSITIONS = (
    Transition("11", "To Do", "To Do"),
    Transition("21", "In Progress", "In Progress"),
    Transition("31", "Done", "Done", required=("resolution",)),
)
RESOLUTIONS = ({"id": "10000", "name": "Done"}, {"id": "10001", "name": "Won't Do"})
ISSUE_TYPES = (
    {"id": "10001", "name": "Bug", "subtask": False},
    {"id": "10002", "name": "Task", "subtask": False},
    {"id": "10003", "name": "Story", "subtask": False},
)
PRIORITIES = (
    {"id": "1", "name": "Highest"},
    {"id": "2", "name": "High"},
    {"id": "3", "name": "Medium"},
    {"id": "4", "name": "Low"},
)
LINK_TYPES = (
    {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
    {"id": "10001", "name": "Relates", "inward": "relates to", "outward": "relates to"},
    {"id": "10002", "name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"},
)


@dataclass
class Version:
    id: str
    name: str
    project: str
    description: str = ""
    released: bool = False
    archived: bool = False
    release_date: str | None = None


@dataclass
class Comment:
    id: str
    body: Any  # wiki text (v2) or an ADF document (v3), as it was written
    author: str
    internal: bool = False
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)


@dataclass
class Change:
    """One changelog history: what a ``jira:issue_updated`` webhook told, kept for
    ``expand=changelog``; ``author`` is an account id."""

    id: str
    author: str
    items: list[dict[str, Any]]
    created: str = field(default_factory=now)


@dataclass
class RemoteLink:
    id: int
    global_id: str | None
    object: dict[str, Any]
    application: dict[str, Any] = field(default_factory=dict)
    relationship: str | None = None


@dataclass
class Issue:
    id: str
    key: str
    project: str
    fields: dict[str, Any]
    status: str = "To Do"
    resolution: str | None = None
    fix_versions: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    remote_links: list[RemoteLink] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    history: list[Change] = field(default_factory=list)
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)
    resolved: str | None = None
    born: float = field(default_factory=time.monotonic)  # for the search index's lag


@dataclass
class Project:
    id: str
    key: str
    name: str
    versions: dict[str, Version] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


@dataclass
class JiraWorld:
    email: str
    api_token: str
    # Jira Cloud: an Atlassian scoped API token (accepted only through the api.atlassian.com
    # gateway, /ex/jira/{cloud_id}); Data Center: a personal access token (Bearer).
    scoped_api_token: str = "sandbox-jira-scoped-token"
    personal_access_token: str = "sandbox-jira-personal-access-token"
    cloud_id: str = "3f1c0a9e-5b8d-4c7e-9a21-6d0e4b7f2c15"
    # Jira Cloud's search index lags: an issue younger than this many seconds is missing from
    # /search/jql unless the search names its id in reconcileIssues.
    search_lag_seconds: float = 0.0
    account_id: str = "5b10ac8d82e05b22cc7d4ef5"
    # A developer's own account, for acting as development does (never the bridge's).
    developer_email: str = "dana@example.com"
    developer_api_token: str = "sandbox-jira-developer-token"
    display_name: str = "Support Bridge"
    statuses: tuple[Status, ...] = DEFAULT_STATUSES
    transitions: tuple[Transition, ...] = DEFAULT_TRANSITIONS
    custom_fields: dict[str, str] = field(
        default_factory=lambda: {"customfield_10050": "Customer tickets"}
    )
    required_fields: set[str] = field(default_factory=set)  # custom fields made required
    # The site's issue link types; a test removes one to play a site without it.
    link_types: list[dict[str, str]] = field(default_factory=lambda: list(LINK_TYPES))
    projects: dict[str, Project] = field(default_factory=dict)
    issues: dict[str, Issue] = field(default_factory=dict)

    def add_project(self, key: str, name: str) -> Project:
        project = Project(next_id(), key, name)
        self.projects[key] = project
        return project

    def issue(self, id_or_key: str) -> Issue | None:
        found = self.issues.get(id_or_key.upper())
        return found or next((i for i in self.issues.values() if i.id == id_or_key), None)

    def status(self, name: str) -> Status:
        return next(s for s in self.statuses if s.name == name)

    def version(self, version_id: str) -> Version | None:
        for project in self.projects.values():
            if version_id in project.versions:
                return project.versions[version_id]
        return None

    def transitions_from(self, issue: Issue) -> list[Transition]:
        return [t for t in self.transitions if t.to != issue.status]

    def create_issue(self, project: Project, fields: dict[str, Any]) -> Issue:
        key = f"{project.key}-{next(project.counter)}"
        issue = Issue(next_id(), key, project.key, fields)
        self.issues[key] = issue
        return issue
