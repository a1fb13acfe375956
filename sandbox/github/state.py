"""GitHub's objects as the sandbox keeps them in memory."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_ids = itertools.count(1_000_001)


def next_id() -> int:
    return next(_ids)


@dataclass
class Label:
    name: str
    color: str = "ededed"
    description: str | None = None
    id: int = field(default_factory=next_id)


@dataclass
class Milestone:
    number: int
    title: str
    state: str = "open"
    description: str | None = None
    due_on: str | None = None
    id: int = field(default_factory=next_id)
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None


@dataclass
class Issue:
    number: int
    title: str
    body: str | None
    user: str
    state: str = "open"
    state_reason: str | None = None
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    milestone: int | None = None
    comments: int = 0
    id: int = field(default_factory=next_id)
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None
    closed_by: str | None = None
    is_pull: bool = False


@dataclass
class Pull:
    number: int
    head: str
    base: str
    merged: bool = False
    merged_at: str | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    id: int = field(default_factory=next_id)


@dataclass
class Comment:
    issue_number: int
    body: str
    user: str
    id: int = field(default_factory=next_id)
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class Release:
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    author: str
    id: int = field(default_factory=next_id)
    created_at: str = field(default_factory=now)
    published_at: str | None = None


@dataclass
class IssueEvent:
    """One entry of an issue's timeline as ``GET …/issues/events`` lists it."""

    issue_number: int
    event: str  # "closed", "reopened", "assigned", "unassigned"
    actor: str
    assignee: str | None = None
    state_reason: str | None = None
    id: int = field(default_factory=next_id)
    created_at: str = field(default_factory=now)


@dataclass
class Repo:
    owner: str
    name: str
    default_branch: str = "main"
    id: int = field(default_factory=next_id)
    issues: dict[int, Issue] = field(default_factory=dict)
    pulls: dict[int, Pull] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    milestones: dict[int, Milestone] = field(default_factory=dict)
    releases: dict[int, Release] = field(default_factory=dict)
    issue_events: list[IssueEvent] = field(default_factory=list)
    created_at: str = field(default_factory=now)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def next_number(self) -> int:
        return max(self.issues, default=0) + 1

    def ensure_labels(self, names: list[str]) -> None:
        for name in names:
            self.labels.setdefault(name, Label(name))

    def open_pull(self, title: str, head: str, user: str, body: str | None = None) -> Issue:
        """A pull request, as a developer would open one (it is an issue too)."""
        issue = Issue(self.next_number(), title, body, user, is_pull=True)
        self.issues[issue.number] = issue
        self.pulls[issue.number] = Pull(issue.number, head, self.default_branch)
        return issue

    def merge_pull(self, number: int, user: str) -> Pull:
        pull = self.pulls[number]
        pull.merged, pull.merged_at, pull.merged_by = True, now(), user
        pull.merge_commit_sha = hashlib.sha1(  # noqa: S324 - a commit id, not a secret
            f"{self.full_name}#{number}".encode()
        ).hexdigest()
        issue = self.issues[number]
        issue.state, issue.closed_at, issue.updated_at = "closed", pull.merged_at, pull.merged_at
        return pull


@dataclass
class GithubWorld:
    token: str
    login: str
    repos: dict[str, Repo] = field(default_factory=dict)

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def add_repo(self, full_name: str) -> Repo:
        owner, name = full_name.split("/", 1)
        repo = Repo(owner, name)
        self.repos[full_name.lower()] = repo
        return repo
