"""GitLab's objects as the sandbox keeps them in memory: projects with their issues, notes,
issue links, merge requests and releases, and the users acting on them."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta


def now() -> str:
    """GitLab's REST API writes times in UTC with milliseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_ids = itertools.count(5_000_001)
YEAR = timedelta(days=365)


def next_id() -> int:
    return next(_ids)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    name: str
    bot: bool = False


@dataclass
class Note:
    body: str
    author: User
    id: int = field(default_factory=next_id)
    system: bool = False
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class Issue:
    iid: int
    title: str
    description: str | None
    author: User
    labels: list[str] = field(default_factory=list)
    state: str = "opened"  # or "closed"
    id: int = field(default_factory=next_id)
    notes: list[Note] = field(default_factory=list)
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None
    closed_by: User | None = None


@dataclass(frozen=True)
class IssueLink:
    source_iid: int
    target_iid: int
    link_type: str
    id: int = field(default_factory=next_id)
    created_at: str = field(default_factory=now)


@dataclass
class MergeRequest:
    iid: int
    title: str
    description: str
    source_branch: str
    target_branch: str
    author: User
    state: str = "opened"  # "merged", "closed"
    id: int = field(default_factory=next_id)
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    merged_at: str | None = None
    merged_by: User | None = None
    merge_commit_sha: str | None = None


@dataclass
class Release:
    tag_name: str
    name: str
    description: str
    author: User
    id: int = field(default_factory=next_id)
    created_at: str = field(default_factory=now)
    released_at: str = field(default_factory=now)


@dataclass
class Project:
    path_with_namespace: str
    default_branch: str = "main"
    id: int = field(default_factory=next_id)
    issues: dict[int, Issue] = field(default_factory=dict)
    links: list[IssueLink] = field(default_factory=list)
    merge_requests: dict[int, MergeRequest] = field(default_factory=dict)
    releases: dict[str, Release] = field(default_factory=dict)
    created_at: str = field(default_factory=now)

    @property
    def name(self) -> str:
        return self.path_with_namespace.rsplit("/", 1)[-1]

    @property
    def namespace(self) -> str:
        return self.path_with_namespace.rsplit("/", 1)[0]

    def next_iid(self) -> int:
        return max(self.issues, default=0) + 1

    def merge(self, iid: int, user: User) -> MergeRequest:
        merge_request = self.merge_requests[iid]
        merge_request.state, merge_request.merged_by = "merged", user
        merge_request.merged_at = merge_request.updated_at = now()
        merge_request.merge_commit_sha = hashlib.sha1(  # noqa: S324 - a commit id, not a secret
            f"{self.path_with_namespace}!{iid}".encode()
        ).hexdigest()
        return merge_request


@dataclass
class GitlabWorld:
    """The projects and who acts: the bridge's project access token is its project's bot user
    (GitLab names it ``project_<id>_bot_<hex>``); a developer acts through the control API."""

    token: str
    bot: User
    developer: User
    projects: dict[str, Project] = field(default_factory=dict)
    # GitLab 16.0+ gives every access token a date, a year at most; it is refused from that day.
    token_expires_at: date = field(default_factory=lambda: datetime.now(UTC).date() + YEAR)
    token_revoked: bool = False
    token_created_at: str = field(default_factory=now)

    def token_refusal(self) -> str | None:
        """Why GitLab refuses the token (its ``error_description``), None while it works."""
        if self.token_revoked:
            return "Token has been revoked."
        if self.token_expires_at <= datetime.now(UTC).date():
            return "Token has expired."
        return None

    def add_project(self, path: str) -> Project:
        project = Project(path)
        self.projects[path.lower()] = project
        return project

    def project(self, id_or_path: str) -> Project | None:
        """By its numeric id or its full path, as the API takes either."""
        if id_or_path.isdigit():
            return next((p for p in self.projects.values() if p.id == int(id_or_path)), None)
        return self.projects.get(id_or_path.lower())
