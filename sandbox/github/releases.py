"""GitHub REST v3 routes for what ships: milestones, pull requests and releases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request

from sandbox.github import events
from sandbox.github.state import Milestone, Pull, Release, Repo, now

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer

R = "/repos/<owner>/<name>"


def register(app: Flask, server: GithubServer, with_repo: Callable[..., Any]) -> None:

    def body() -> dict[str, Any]:
        return request.get_json(silent=True) or {}

    @app.get(f"{R}/milestones")
    @with_repo
    def list_milestones(repo: Repo) -> Any:
        state = request.args.get("state", "open")
        found = [m for m in repo.milestones.values() if state == "all" or m.state == state]
        return jsonify([server.render.milestone(repo, m) for m in found])

    @app.post(f"{R}/milestones")
    @with_repo
    def create_milestone(repo: Repo) -> Any:
        data = body()
        if any(m.title == data["title"] for m in repo.milestones.values()):
            return server.validation_failed("Milestone", "title", "already_exists")
        number = max(repo.milestones, default=0) + 1
        milestone = Milestone(
            number,
            data["title"],
            data.get("state", "open"),
            data.get("description"),
            data.get("due_on"),
        )
        repo.milestones[number] = milestone
        return jsonify(server.render.milestone(repo, milestone)), 201

    @app.get(f"{R}/milestones/<int:number>")
    @with_repo
    def get_milestone(repo: Repo, number: int) -> Any:
        milestone = repo.milestones.get(number)
        if milestone is None:
            return server.not_found()
        return jsonify(server.render.milestone(repo, milestone))

    @app.patch(f"{R}/milestones/<int:number>")
    @with_repo
    def edit_milestone(repo: Repo, number: int) -> Any:
        milestone = repo.milestones.get(number)
        if milestone is None:
            return server.not_found()
        data = body()
        for key in ("title", "state", "description", "due_on"):
            if key in data:
                setattr(milestone, key, data[key])
        milestone.updated_at = now()
        milestone.closed_at = now() if milestone.state == "closed" else None
        return jsonify(server.render.milestone(repo, milestone))

    def page_of(items: list[Any]) -> list[Any]:
        size = min(int(request.args.get("per_page", 30)), 100)
        start = (max(int(request.args.get("page", 1)), 1) - 1) * size
        return items[start : start + size]

    @app.get(f"{R}/pulls")
    @with_repo
    def list_pulls(repo: Repo) -> Any:
        """State and ``sort=updated`` (newest first, or ``direction=asc``), paged as GitHub."""
        state = request.args.get("state", "open")
        shown = [server.render.pull(repo, p) for p in repo.pulls.values()]
        found = [p for p in shown if state == "all" or p["state"] == state]
        if request.args.get("sort") == "updated":
            descending = request.args.get("direction", "desc") == "desc"
            found.sort(key=lambda p: str(p["updated_at"]), reverse=descending)
        return jsonify(page_of(found))

    @app.get(f"{R}/pulls/<int:number>")
    @with_repo
    def get_pull(repo: Repo, number: int) -> Any:
        pull = repo.pulls.get(number)
        return jsonify(server.render.pull(repo, pull)) if pull else server.not_found()

    @app.put(f"{R}/pulls/<int:number>/merge")
    @with_repo
    def merge_pull(repo: Repo, number: int) -> Any:
        if number not in repo.pulls:
            return server.not_found()
        if repo.pulls[number].merged or repo.issues[number].state == "closed":
            return server.error(405, "Pull Request is not mergeable")
        pull = merge(server, repo, number, server.actor)
        return jsonify(
            {
                "sha": pull.merge_commit_sha,
                "merged": True,
                "message": "Pull Request successfully merged",
            }
        )

    @app.get(f"{R}/releases")
    @with_repo
    def list_releases(repo: Repo) -> Any:
        newest = [server.render.release(repo, r) for r in reversed(repo.releases.values())]
        return jsonify(page_of(newest))

    @app.post(f"{R}/releases")
    @with_repo
    def create_release(repo: Repo) -> Any:
        data = body()
        if any(r.tag_name == data["tag_name"] for r in repo.releases.values()):
            return server.validation_failed("Release", "tag_name", "already_exists")
        release = Release(
            data["tag_name"],
            data.get("target_commitish") or repo.default_branch,
            data.get("name"),
            data.get("body"),
            bool(data.get("draft", False)),
            bool(data.get("prerelease", False)),
            server.actor,
        )
        repo.releases[release.id] = release
        if not release.draft:
            publish(server, repo, release, server.actor)
        return jsonify(server.render.release(repo, release)), 201

    @app.get(f"{R}/releases/<int:release_id>")
    @with_repo
    def get_release(repo: Repo, release_id: int) -> Any:
        release = repo.releases.get(release_id)
        return jsonify(server.render.release(repo, release)) if release else server.not_found()

    @app.get(f"{R}/releases/tags/<tag>")
    @with_repo
    def release_by_tag(repo: Repo, tag: str) -> Any:
        found = next((r for r in repo.releases.values() if r.tag_name == tag), None)
        return jsonify(server.render.release(repo, found)) if found else server.not_found()


def merge(server: GithubServer, repo: Repo, number: int, user: str) -> Pull:
    pull = repo.merge_pull(number, user)
    events.pull_closed(server, repo, pull, user)
    return pull


def publish(server: GithubServer, repo: Repo, release: Release, user: str) -> None:
    release.draft, release.published_at = False, now()
    events.release_published(server, repo, release, user)
