"""/_sandbox routes for acting as a developer on GitLab: open and merge a merge request (its
"Closes #N" closes those issues, as GitLab does on the default branch), publish a release,
comment on an issue, close or reopen it. Each sends the webhooks GitLab would."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request

from sandbox.gitlab.hooks import MERGE_REQUEST_HOOK, RELEASE_HOOK
from sandbox.gitlab.routes import add_note, change_state
from sandbox.gitlab.state import MergeRequest, Project, Release

if TYPE_CHECKING:
    from sandbox.gitlab.app import GitlabServer

P = "/projects/<path:project_ref>"
# GitLab's default issue closing pattern, for references within the project:
# "Closes #1", "Fixes #2, #3 and #4", "Resolves group/project#5".
_CLOSING = re.compile(
    r"\b(?:clos(?:e[sd]?|ing)|fix(?:e[sd]|ing)?|resolv(?:e[sd]?|ing)|implement(?:s|ed|ing)?)"
    r":? +(?:issues? +)?(?P<refs>(?:[\w./-]*#\d+(?: *,? +and +| *, *)?)+)",
    re.IGNORECASE,
)
_REF = re.compile(r"(?P<project>[\w./-]+)?#(?P<iid>\d+)")


def closed_by(project: Project, text: str) -> list[int]:
    found = []
    for match in _CLOSING.finditer(text):
        for ref in _REF.finditer(match["refs"]):
            other = ref["project"]
            if other and other.lower() != project.path_with_namespace.lower():
                continue
            found.append(int(ref["iid"]))
    return list(dict.fromkeys(found))


def register(bp: Blueprint, server: GitlabServer) -> None:
    def body() -> dict[str, Any]:
        return request.get_json(silent=True) or {}

    def project_or_404(project_ref: str) -> tuple[Project | None, Any]:
        project = server.world.project(project_ref)
        if project is None:
            return None, (jsonify({"error": f"no project {project_ref}"}), 404)
        return project, None

    @bp.post("/projects")
    def add_project() -> Any:
        project = server.world.add_project(body()["path"])
        return jsonify({"id": project.id, "path_with_namespace": project.path_with_namespace}), 201

    @bp.post(f"{P}/merge_requests")
    def open_merge_request(project_ref: str) -> Any:
        project, missing = project_or_404(project_ref)
        if project is None:
            return missing
        given = body()
        iid = max(project.merge_requests, default=0) + 1
        merge_request = MergeRequest(
            iid,
            str(given.get("title") or "A fix"),
            str(given.get("description") or ""),
            str(given.get("source_branch") or f"fix-{iid}"),
            str(given.get("target_branch") or project.default_branch),
            server.world.developer,
        )
        project.merge_requests[iid] = merge_request
        developer = server.world.developer
        hook = server.render.merge_request_hook(project, merge_request, developer, "open")
        server.emit(MERGE_REQUEST_HOOK, hook)
        return jsonify(server.render.merge_request(project, merge_request)), 201

    @bp.post(f"{P}/merge_requests/<int:iid>/merge")
    def merge(project_ref: str, iid: int) -> Any:
        project, missing = project_or_404(project_ref)
        if project is None:
            return missing
        if iid not in project.merge_requests or project.merge_requests[iid].state != "opened":
            return jsonify({"error": "merge request not open"}), 405
        developer = server.world.developer
        merged = project.merge(iid, developer)
        hook = server.render.merge_request_hook(project, merged, developer, "merge")
        server.emit(MERGE_REQUEST_HOOK, hook)
        if merged.target_branch == project.default_branch:
            for number in closed_by(project, f"{merged.title}\n{merged.description}"):
                if number in project.issues:
                    change_state(server, project, project.issues[number], "close", developer)
        return jsonify(server.render.merge_request(project, merged))

    @bp.post(f"{P}/releases")
    def publish_release(project_ref: str) -> Any:
        project, missing = project_or_404(project_ref)
        if project is None:
            return missing
        given = body()
        tag = str(given["tag_name"])
        if tag in project.releases:
            return jsonify({"message": "Release already exists"}), 409
        release = Release(
            tag,
            str(given.get("name") or tag),
            str(given.get("description") or ""),
            server.world.developer,
        )
        project.releases[tag] = release
        server.emit(RELEASE_HOOK, server.render.release_hook(project, release, "create"))
        return jsonify(server.render.release(project, release)), 201

    @bp.post(f"{P}/issues/<int:iid>/notes")
    def developer_note(project_ref: str, iid: int) -> Any:
        project, missing = project_or_404(project_ref)
        if project is None:
            return missing
        if iid not in project.issues:
            return jsonify({"error": f"no issue #{iid}"}), 404
        issue = project.issues[iid]
        note = add_note(server, project, issue, str(body()["body"]), server.world.developer)
        return jsonify(server.render.note(issue, note)), 201

    @bp.post(f"{P}/issues/<int:iid>/<any(close, reopen):event>")
    def developer_state(project_ref: str, iid: int, event: str) -> Any:
        project, missing = project_or_404(project_ref)
        if project is None:
            return missing
        if iid not in project.issues:
            return jsonify({"error": f"no issue #{iid}"}), 404
        change_state(server, project, project.issues[iid], event, server.world.developer)
        return jsonify(server.render.issue(project, project.issues[iid]))
