"""GitHub's JSON for the sandbox's objects.

Every object starts from GitHub's own example in the REST description (so it carries every
field GitHub documents) and is then filled with the sandbox's state and URLs.
"""

from __future__ import annotations

import copy
import json
import zlib
from typing import Any

from sandbox.core.contract import load_description
from sandbox.github.state import Comment, Issue, Label, Milestone, Pull, Release, Repo

EXAMPLE_REPO = "octocat/Hello-World"


def example(name: str) -> Any:
    value = load_description("github")["components"]["examples"][name]["value"]
    return copy.deepcopy(value)


def reactions(url: str) -> dict[str, Any]:
    counts = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")
    return {"url": url + "/reactions", "total_count": 0} | dict.fromkeys(counts, 0)


class Renderer:
    def __init__(self, base_url: str) -> None:
        self.api = base_url.rstrip("/")
        self.html = self.api  # issue pages are served on the API host too (pages.py)

    def _rebase(self, value: Any, repo: Repo | None = None) -> Any:
        text = json.dumps(value)
        if repo is not None:
            api_repo = f"api.github.com/repos/{EXAMPLE_REPO}"
            text = text.replace(api_repo, f"API/repos/{repo.full_name}")
            text = text.replace(f"github.com/{EXAMPLE_REPO}", f"HTML/{repo.full_name}")
        text = text.replace("https://api.github.com", self.api).replace("https://API", self.api)
        text = text.replace("https://github.com", self.html).replace("https://HTML", self.html)
        return json.loads(text)

    def user(self, login: str) -> dict[str, Any]:
        user = example("issue")["user"]
        text = json.dumps(user).replace("/octocat", f"/{login}")
        data: dict[str, Any] = self._rebase(json.loads(text))
        data.update(login=login, id=zlib.crc32(login.encode()) % 10**7, node_id=f"U_{login}")
        if login.endswith("[bot]"):
            data["type"] = "Bot"  # an App installation acts as its bot account
        return data

    def repository(self, repo: Repo) -> dict[str, Any]:
        data: dict[str, Any] = self._rebase(example("full-repository-default-response"), repo)
        open_issues = sum(1 for i in repo.issues.values() if i.state == "open")
        data.update(
            id=repo.id,
            node_id=f"R_{repo.id}",
            name=repo.name,
            full_name=repo.full_name,
            owner=self.user(repo.owner),
            private=False,
            default_branch=repo.default_branch,
            open_issues=open_issues,
            open_issues_count=open_issues,
            created_at=repo.created_at,
            organization=self.user(repo.owner) | {"type": "Organization"},
        )
        data.setdefault("language", None)  # GitHub's own example omits this required field
        data.pop("template_repository", None)
        data.pop("parent", None)
        data.pop("source", None)
        data["fork"] = False
        return data

    def label(self, repo: Repo, label: Label) -> dict[str, Any]:
        return {
            "id": label.id,
            "node_id": f"LA_{label.id}",
            "url": f"{self.api}/repos/{repo.full_name}/labels/{label.name}",
            "name": label.name,
            "description": label.description,
            "color": label.color,
            "default": False,
        }

    def milestone(self, repo: Repo, milestone: Milestone) -> dict[str, Any]:
        data: dict[str, Any] = self._rebase(example("milestone"), repo)
        issues = [i for i in repo.issues.values() if i.milestone == milestone.number]
        data.update(
            id=milestone.id,
            node_id=f"MI_{milestone.id}",
            number=milestone.number,
            url=f"{self.api}/repos/{repo.full_name}/milestones/{milestone.number}",
            html_url=f"{self.html}/{repo.full_name}/milestone/{milestone.number}",
            labels_url=f"{self.api}/repos/{repo.full_name}/milestones/{milestone.number}/labels",
            title=milestone.title,
            state=milestone.state,
            description=milestone.description,
            due_on=milestone.due_on,
            creator=self.user(repo.owner),
            open_issues=sum(1 for i in issues if i.state == "open"),
            closed_issues=sum(1 for i in issues if i.state == "closed"),
            created_at=milestone.created_at,
            updated_at=milestone.updated_at,
            closed_at=milestone.closed_at,
        )
        return data

    def issue(self, repo: Repo, issue: Issue) -> dict[str, Any]:
        data: dict[str, Any] = self._rebase(example("issue"), repo)
        url = f"{self.api}/repos/{repo.full_name}/issues/{issue.number}"
        assignees = [self.user(login) for login in issue.assignees]
        milestone = repo.milestones.get(issue.milestone) if issue.milestone else None
        data.update(
            id=issue.id,
            node_id=f"I_{issue.id}",
            url=url,
            labels_url=url + "/labels{/name}",
            comments_url=url + "/comments",
            events_url=url + "/events",
            html_url=f"{self.html}/{repo.full_name}/issues/{issue.number}",
            number=issue.number,
            state=issue.state,
            state_reason=issue.state_reason,
            title=issue.title,
            body=issue.body,
            user=self.user(issue.user),
            labels=[self.label(repo, repo.labels[name]) for name in issue.labels],
            assignee=assignees[0] if assignees else None,
            assignees=assignees,
            milestone=self.milestone(repo, milestone) if milestone else None,
            locked=False,
            comments=issue.comments,
            closed_at=issue.closed_at,
            created_at=issue.created_at,
            updated_at=issue.updated_at,
            closed_by=(
                self.user(issue.closed_by or issue.user) if issue.state == "closed" else None
            ),
            author_association="MEMBER",
            pinned_comment=None,
            reactions=reactions(url),
        )
        if issue.state_reason is None:
            # nullable in GitHub's schema, but its enum forgets null; GitHub omits it then
            data.pop("state_reason", None)
        if issue.is_pull:
            pulls = f"{self.api}/repos/{repo.full_name}/pulls/{issue.number}"
            data["pull_request"] = {
                "url": pulls,
                "html_url": f"{self.html}/{repo.full_name}/pull/{issue.number}",
                "diff_url": f"{self.html}/{repo.full_name}/pull/{issue.number}.diff",
                "patch_url": f"{self.html}/{repo.full_name}/pull/{issue.number}.patch",
                "merged_at": repo.pulls[issue.number].merged_at,
            }
        else:
            data.pop("pull_request", None)
        return data

    def comment(self, repo: Repo, comment: Comment) -> dict[str, Any]:
        data: dict[str, Any] = self._rebase(example("issue-comment"), repo)
        data.update(
            id=comment.id,
            node_id=f"IC_{comment.id}",
            url=f"{self.api}/repos/{repo.full_name}/issues/comments/{comment.id}",
            html_url=f"{self.html}/{repo.full_name}/issues/{comment.issue_number}"
            f"#issuecomment-{comment.id}",
            issue_url=f"{self.api}/repos/{repo.full_name}/issues/{comment.issue_number}",
            body=comment.body,
            user=self.user(comment.user),
            created_at=comment.created_at,
            updated_at=comment.updated_at,
            author_association="MEMBER",
            performed_via_github_app=None,
        )
        data["reactions"] = reactions(data["url"])
        return data

    def pull(self, repo: Repo, pull: Pull) -> dict[str, Any]:
        issue = repo.issues[pull.number]
        data: dict[str, Any] = self._rebase(example("pull-request"), repo)
        shown = self.issue(repo, issue)
        for key in (
            "id",
            "node_id",
            "number",
            "state",
            "title",
            "body",
            "user",
            "labels",
            "milestone",
            "assignee",
            "assignees",
            "created_at",
            "updated_at",
            "closed_at",
            "locked",
        ):
            data[key] = shown[key]
        url = f"{self.api}/repos/{repo.full_name}/pulls/{pull.number}"
        data.update(
            url=url,
            html_url=f"{self.html}/{repo.full_name}/pull/{pull.number}",
            issue_url=shown["url"],
            comments_url=shown["comments_url"],
            commits_url=url + "/commits",
            review_comments_url=url + "/comments",
            merged=pull.merged,
            merged_at=pull.merged_at,
            merge_commit_sha=pull.merge_commit_sha,
            merged_by=self.user(pull.merged_by) if pull.merged_by else None,
            mergeable=not pull.merged,
            mergeable_state="clean",
            draft=False,
            comments=issue.comments,
            requested_reviewers=[],
            requested_teams=[],  # GitHub's example team lacks its required "type"
        )
        repository = self.repository(repo)
        for side, ref in (("head", pull.head), ("base", pull.base)):
            data[side].update(
                label=f"{repo.owner}:{ref}", ref=ref, repo=repository, user=self.user(repo.owner)
            )
        return data

    def release(self, repo: Repo, release: Release) -> dict[str, Any]:
        data: dict[str, Any] = self._rebase(example("release"), repo)
        url = f"{self.api}/repos/{repo.full_name}/releases/{release.id}"
        data.update(
            id=release.id,
            node_id=f"RE_{release.id}",
            url=url,
            assets_url=url + "/assets",
            upload_url=f"{self.api}/repos/{repo.full_name}/releases/{release.id}"
            "/assets{?name,label}",
            html_url=f"{self.html}/{repo.full_name}/releases/tag/{release.tag_name}",
            tarball_url=f"{self.api}/repos/{repo.full_name}/tarball/{release.tag_name}",
            zipball_url=f"{self.api}/repos/{repo.full_name}/zipball/{release.tag_name}",
            tag_name=release.tag_name,
            target_commitish=release.target_commitish,
            name=release.name,
            body=release.body,
            draft=release.draft,
            prerelease=release.prerelease,
            author=self.user(release.author),
            created_at=release.created_at,
            published_at=release.published_at,
            updated_at=release.published_at or release.created_at,
            assets=[],
        )
        data.pop("discussion_url", None)
        return data
