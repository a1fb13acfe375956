"""GitLab's objects as its REST API v4 answers them and as its webhooks carry them (shapes as
GitLab's API reference and its "Webhook events" page give them)."""

from __future__ import annotations

import hashlib
from typing import Any

from sandbox.gitlab.state import Issue, IssueLink, MergeRequest, Note, Project, Release, User


class Renderer:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def web_url(self, project: Project) -> str:
        return f"{self.base}/{project.path_with_namespace}"

    def user(self, user: User) -> dict[str, Any]:
        return {
            "id": user.id,
            "username": user.username,
            "name": user.name,
            "state": "active",
            "locked": False,
            "avatar_url": None,
            "web_url": f"{self.base}/{user.username}",
        }

    def project(self, project: Project) -> dict[str, Any]:
        return {
            "id": project.id,
            "name": project.name,
            "path": project.name,
            "path_with_namespace": project.path_with_namespace,
            "name_with_namespace": project.path_with_namespace.replace("/", " / "),
            "default_branch": project.default_branch,
            "web_url": self.web_url(project),
            "created_at": project.created_at,
            "issues_enabled": True,
            "merge_requests_enabled": True,
            "namespace": {"path": project.namespace, "full_path": project.namespace},
        }

    def issue(self, project: Project, issue: Issue) -> dict[str, Any]:
        web_url = f"{self.web_url(project)}/-/issues/{issue.iid}"
        return {
            "id": issue.id,
            "iid": issue.iid,
            "project_id": project.id,
            "title": issue.title,
            "description": issue.description,
            "state": issue.state,
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "closed_by": self.user(issue.closed_by) if issue.closed_by else None,
            "labels": list(issue.labels),
            "author": self.user(issue.author),
            "assignees": [],
            "type": "ISSUE",
            "issue_type": "issue",
            "user_notes_count": sum(1 for n in issue.notes if not n.system),
            "confidential": False,
            "web_url": web_url,
            "references": {
                "short": f"#{issue.iid}",
                "relative": f"#{issue.iid}",
                "full": f"{project.path_with_namespace}#{issue.iid}",
            },
            "_links": {
                "self": f"{self.base}/api/v4/projects/{project.id}/issues/{issue.iid}",
                "notes": f"{self.base}/api/v4/projects/{project.id}/issues/{issue.iid}/notes",
                "project": f"{self.base}/api/v4/projects/{project.id}",
            },
        }

    def note(self, issue: Issue, note: Note) -> dict[str, Any]:
        return {
            "id": note.id,
            "type": None,
            "body": note.body,
            "author": self.user(note.author),
            "created_at": note.created_at,
            "updated_at": note.updated_at,
            "system": note.system,
            "noteable_id": issue.id,
            "noteable_type": "Issue",
            "noteable_iid": issue.iid,
            "confidential": False,
            "internal": False,
            "resolvable": False,
        }

    def link(self, project: Project, link: IssueLink) -> dict[str, Any]:
        """A linked issue as ``GET …/issues/:iid/links`` lists it: the other issue, with the
        link's id and type."""
        other = project.issues[link.target_iid]
        return self.issue(project, other) | {
            "issue_link_id": link.id,
            "link_type": link.link_type,
            "link_created_at": link.created_at,
            "link_updated_at": link.created_at,
        }

    def merge_request(self, project: Project, merge_request: MergeRequest) -> dict[str, Any]:
        return {
            "id": merge_request.id,
            "iid": merge_request.iid,
            "project_id": project.id,
            "title": merge_request.title,
            "description": merge_request.description,
            "state": merge_request.state,
            "source_branch": merge_request.source_branch,
            "target_branch": merge_request.target_branch,
            "author": self.user(merge_request.author),
            "created_at": merge_request.created_at,
            "updated_at": merge_request.updated_at,
            "merged_at": merge_request.merged_at,
            "merged_by": self.user(merge_request.merged_by) if merge_request.merged_by else None,
            "merge_commit_sha": merge_request.merge_commit_sha,
            "web_url": f"{self.web_url(project)}/-/merge_requests/{merge_request.iid}",
            "references": {"full": f"{project.path_with_namespace}!{merge_request.iid}"},
        }

    def release(self, project: Project, release: Release) -> dict[str, Any]:
        return {
            "tag_name": release.tag_name,
            "name": release.name,
            "description": release.description,
            "created_at": release.created_at,
            "released_at": release.released_at,
            "upcoming_release": False,
            "author": self.user(release.author),
            "commit": {"id": _sha(project, release.tag_name)},
            "_links": {"self": f"{self.web_url(project)}/-/releases/{release.tag_name}"},
        }

    # -- webhooks ----------------------------------------------------------------------------
    def hook_user(self, user: User) -> dict[str, Any]:
        return {"id": user.id, "name": user.name, "username": user.username, "avatar_url": None}

    def hook_project(self, project: Project) -> dict[str, Any]:
        web = self.web_url(project)
        return {
            "id": project.id,
            "name": project.name,
            "description": "",
            "web_url": web,
            "avatar_url": None,
            "git_ssh_url": f"git@sandbox:{project.path_with_namespace}.git",
            "git_http_url": f"{web}.git",
            "namespace": project.namespace,
            "visibility_level": 0,
            "path_with_namespace": project.path_with_namespace,
            "default_branch": project.default_branch,
            "homepage": web,
            "url": f"{web}.git",
        }

    def hook_repository(self, project: Project) -> dict[str, Any]:
        web = self.web_url(project)
        return {"name": project.name, "url": f"{web}.git", "description": "", "homepage": web}

    def hook_labels(self, project: Project, names: list[str]) -> list[dict[str, Any]]:
        return [
            {"id": _label_id(name), "title": name, "color": "#ededed", "project_id": project.id}
            for name in names
        ]

    def hook_issue(self, project: Project, issue: Issue) -> dict[str, Any]:
        """An issue's ``object_attributes`` (an Issue Hook) or ``issue`` (a Note Hook)."""
        return {
            "id": issue.id,
            "iid": issue.iid,
            "title": issue.title,
            "description": issue.description,
            "author_id": issue.author.id,
            "project_id": project.id,
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "state": issue.state,
            "state_id": 1 if issue.state == "opened" else 2,
            "type": "Issue",
            "confidential": False,
            "url": f"{self.web_url(project)}/-/issues/{issue.iid}",
            "labels": self.hook_labels(project, issue.labels),
        }

    def issue_hook(
        self, project: Project, issue: Issue, user: User, action: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "object_kind": "issue",
            "event_type": "issue",
            "user": self.hook_user(user),
            "project": self.hook_project(project),
            "object_attributes": self.hook_issue(project, issue) | {"action": action},
            "repository": self.hook_repository(project),
            "labels": self.hook_labels(project, issue.labels),
            "changes": changes,
        }

    def note_hook(self, project: Project, issue: Issue, note: Note, action: str) -> dict[str, Any]:
        web = self.web_url(project)
        return {
            "object_kind": "note",
            "event_type": "note",
            "user": self.hook_user(note.author),
            "project_id": project.id,
            "project": self.hook_project(project),
            "repository": self.hook_repository(project),
            "object_attributes": {
                "id": note.id,
                "note": note.body,
                "noteable_type": "Issue",
                "author_id": note.author.id,
                "created_at": note.created_at,
                "updated_at": note.updated_at,
                "project_id": project.id,
                "noteable_id": issue.id,
                "system": note.system,
                "action": action,
                "url": f"{web}/-/issues/{issue.iid}#note_{note.id}",
            },
            "issue": self.hook_issue(project, issue),
        }

    def merge_request_hook(
        self, project: Project, merge_request: MergeRequest, user: User, action: str
    ) -> dict[str, Any]:
        attributes = {
            "id": merge_request.id,
            "iid": merge_request.iid,
            "target_branch": merge_request.target_branch,
            "source_branch": merge_request.source_branch,
            "source_project_id": project.id,
            "target_project_id": project.id,
            "author_id": merge_request.author.id,
            "title": merge_request.title,
            "description": merge_request.description,
            "created_at": merge_request.created_at,
            "updated_at": merge_request.updated_at,
            "state": merge_request.state,
            "merge_commit_sha": merge_request.merge_commit_sha,
            "url": f"{self.web_url(project)}/-/merge_requests/{merge_request.iid}",
            "source": self.hook_project(project),
            "target": self.hook_project(project),
            "labels": [],
            "action": action,
        }
        return {
            "object_kind": "merge_request",
            "event_type": "merge_request",
            "user": self.hook_user(user),
            "project": self.hook_project(project),
            "repository": self.hook_repository(project),
            "object_attributes": attributes,
            "labels": [],
            "changes": {"state_id": {"previous": 1, "current": 3}} if action == "merge" else {},
        }

    def release_hook(self, project: Project, release: Release, action: str) -> dict[str, Any]:
        sha = _sha(project, release.tag_name)
        web = self.web_url(project)
        return {
            "id": release.id,
            "created_at": release.created_at,
            "description": release.description,
            "name": release.name,
            "released_at": release.released_at,
            "tag": release.tag_name,
            "object_kind": "release",
            "project": self.hook_project(project),
            "url": f"{web}/-/releases/{release.tag_name}",
            "action": action,
            "assets": {"count": 0, "links": [], "sources": []},
            "commit": {"id": sha, "message": f"Release {release.tag_name}", "url": web},
        }


def _sha(project: Project, tag: str) -> str:
    seed = f"{project.path_with_namespace}@{tag}".encode()
    return hashlib.sha1(seed).hexdigest()  # noqa: S324 - a commit id, not a secret


def _label_id(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)
