"""/_sandbox routes for acting as a developer on GitHub: open and merge PRs, publish, comment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request

from sandbox.github import events, timeline
from sandbox.github.releases import merge, publish
from sandbox.github.routes import add_comment
from sandbox.github.state import Issue, Release, now

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer

R = "/repos/<owner>/<name>"


def register(bp: Blueprint, server: GithubServer) -> None:
    timeline.register_control(bp, server)

    def body() -> dict[str, Any]:
        return request.get_json(silent=True) or {}

    def repo_or_404(owner: str, name: str) -> Any:
        repo = server.world.repo(owner, name)
        if repo is None:
            return None, (jsonify({"error": f"no repository {owner}/{name}"}), 404)
        return repo, None

    @bp.get("/app")
    def app_credentials() -> Any:
        registered = server.app_registration
        return jsonify(
            {
                "app_id": registered.id,
                "installation_id": registered.installation_id,
                "slug": registered.slug,
                "private_key": registered.private_key_pem,
                "exchanges": registered.exchanges,
            }
        )

    @bp.post("/app/expire-tokens")
    def expire_installation_tokens() -> Any:
        """An hour passes for the App's installation tokens (other clocks stay put)."""
        server.app_registration.expire_tokens()
        return jsonify({"exchanges": server.app_registration.exchanges})

    @bp.post("/repos")
    def add_repo() -> Any:
        repo = server.world.add_repo(body()["full_name"])
        return jsonify({"full_name": repo.full_name}), 201

    @bp.post(f"{R}/pulls")
    def open_pull(owner: str, name: str) -> Any:
        repo, missing = repo_or_404(owner, name)
        if missing:
            return missing
        data = body()
        with server.lock:
            issue = repo.open_pull(
                data["title"],
                data.get("head", "fix-branch"),
                data.get("user", "developer"),
                data.get("body"),
            )
            events.issue_changed(server, repo, issue, "opened", issue.user)
            return jsonify(server.render.pull(repo, repo.pulls[issue.number])), 201

    @bp.post(f"{R}/pulls/<int:number>/merge")
    def merge_pull(owner: str, name: str, number: int) -> Any:
        repo, missing = repo_or_404(owner, name)
        if missing:
            return missing
        with server.lock:
            if number not in repo.pulls or repo.pulls[number].merged:
                return jsonify({"error": "no open pull request with that number"}), 409
            pull = merge(server, repo, number, body().get("user", "developer"))
            return jsonify(server.render.pull(repo, pull))

    @bp.post(f"{R}/releases")
    def publish_release(owner: str, name: str) -> Any:
        repo, missing = repo_or_404(owner, name)
        if missing:
            return missing
        data = body()
        with server.lock:
            release = next(
                (r for r in repo.releases.values() if r.tag_name == data["tag_name"]), None
            )
            if release is None:
                release = Release(
                    data["tag_name"],
                    repo.default_branch,
                    data.get("name", data["tag_name"]),
                    data.get("body"),
                    True,
                    False,
                    data.get("user", "developer"),
                )
                repo.releases[release.id] = release
            if release.draft:
                publish(server, repo, release, release.author)
            return jsonify(server.render.release(repo, release)), 201

    @bp.post(f"{R}/issues/<int:number>/comments")
    def comment_as_developer(owner: str, name: str, number: int) -> Any:
        repo, missing = repo_or_404(owner, name)
        if missing:
            return missing
        data = body()
        with server.lock:
            if number not in repo.issues:
                return jsonify({"error": "no such issue"}), 404
            comment = add_comment(
                server, repo, repo.issues[number], data["body"], data.get("user", "developer")
            )
            return jsonify(server.render.comment(repo, comment)), 201

    @bp.post(f"{R}/issues")
    def open_issue(owner: str, name: str) -> Any:
        """Body: {"title": "...", "body": "..."}: a developer opens an issue."""
        repo, missing = repo_or_404(owner, name)
        if missing:
            return missing
        data = body()
        with server.lock:
            issue = Issue(repo.next_number(), data["title"], data.get("body"), "developer")
            repo.issues[issue.number] = issue
            events.issue_changed(server, repo, issue, "opened", "developer")
            return jsonify(server.render.issue(repo, issue)), 201

    @bp.post(f"{R}/issues/<int:number>/close")
    def close_issue(owner: str, name: str, number: int) -> Any:
        """Body: {"reason": "completed" | "not_planned" | "duplicate", "duplicate_of": 5}. As
        GitHub's "Close as duplicate", the webhook says ``state_reason: duplicate`` and does not
        name the canonical issue (GitHub shows it on the issue's timeline only)."""
        repo, missing = repo_or_404(owner, name)
        if missing:
            return missing
        with server.lock:
            issue = repo.issues.get(number)
            if issue is None:
                return jsonify({"error": "no such issue"}), 404
            canonical = body().get("duplicate_of")
            if canonical is not None and canonical not in repo.issues:
                return jsonify({"error": f"no issue #{canonical} to be a duplicate of"}), 422
            issue.state, issue.closed_at, issue.updated_at = "closed", now(), now()
            issue.state_reason = body().get("reason", "completed")
            issue.closed_by = body().get("user", "developer")
            timeline.record(server, repo, issue, "closed", issue.closed_by)
            return jsonify(server.render.issue(repo, issue))
