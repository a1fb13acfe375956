"""Jira REST routes around an issue: comments, remote links, issue links and properties."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request

from sandbox.jira.edits import create_comment, edit_comment
from sandbox.jira.state import Issue, RemoteLink, next_id

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer

API = '/rest/api/<any("2","3","latest"):v>'


def _api(v: str) -> str:
    return "3" if v == "3" else "2"


def add_link(server: JiraServer, kind: dict[str, str], inward: Issue, outward: Issue) -> None:
    """Jira's issueLink: the inward issue reads "<outward text> outward issue" (for Duplicate,
    "inward duplicates outward"), and each issue lists the other."""
    link_id = next_id()
    outward.links.append(
        {"id": link_id, "type": kind, "inwardIssue": server.render.issue_ref(inward)}
    )
    inward.links.append(
        {"id": link_id, "type": kind, "outwardIssue": server.render.issue_ref(outward)}
    )


def link_as_duplicate(server: JiraServer, duplicate: Issue, survivor: Issue) -> None:
    kind = next(t for t in server.world.link_types if t["name"] == "Duplicate")
    add_link(server, kind, duplicate, survivor)


def register(app: Flask, server: JiraServer) -> None:
    def body() -> Any:
        return request.get_json(silent=True) or {}

    @app.get(f"{API}/issue/<id_or_key>/changelog")
    def list_changelog(v: str, id_or_key: str) -> Any:
        """Every history of the issue, oldest first, a page of at most 100 at a time."""
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        start = max(0, request.args.get("startAt", 0, type=int))
        size = min(max(1, request.args.get("maxResults", 100, type=int)), 100)
        values = server.render.history(issue, start, size, _api(v))
        total = len(issue.history)
        return jsonify(
            {
                "self": f"{server.base_url}{request.full_path}",
                "maxResults": size,
                "startAt": start,
                "total": total,
                "isLast": start + len(values) >= total,
                "values": values,
            }
        )

    @app.get(f"{API}/issue/<id_or_key>/comment")
    def list_comments(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        shown = [server.render.comment(issue, c, _api(v)) for c in issue.comments]
        return jsonify(
            {"comments": shown, "maxResults": len(shown), "total": len(shown), "startAt": 0}
        )

    @app.post(f"{API}/issue/<id_or_key>/comment")
    def add_comment(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        data = body()
        if not data.get("body"):
            return server.errors([], {"comment": "Comment body can not be empty!"})
        internal = any(
            p.get("key") == "sd.public.comment" and p.get("value", {}).get("internal")
            for p in data.get("properties") or []
        )
        comment = create_comment(server, issue, data["body"], internal=internal)
        return jsonify(server.render.comment(issue, comment, _api(v))), 201

    @app.get(f"{API}/issue/<id_or_key>/comment/<comment_id>")
    def get_comment(v: str, id_or_key: str, comment_id: str) -> Any:
        issue = server.world.issue(id_or_key)
        comment = next((c for c in issue.comments if c.id == comment_id), None) if issue else None
        if issue is None or comment is None:
            return server.not_found("Can not find a comment for the id")
        return jsonify(server.render.comment(issue, comment, _api(v)))

    @app.put(f"{API}/issue/<id_or_key>/comment/<comment_id>")
    def update_comment(v: str, id_or_key: str, comment_id: str) -> Any:
        issue = server.world.issue(id_or_key)
        comment = next((c for c in issue.comments if c.id == comment_id), None) if issue else None
        if issue is None or comment is None:
            return server.not_found("Can not find a comment for the id")
        data = body()
        if not data.get("body"):
            return server.errors([], {"comment": "Comment body can not be empty!"})
        edit_comment(server, issue, comment, data["body"])
        return jsonify(server.render.comment(issue, comment, _api(v)))

    @app.get(f"{API}/issue/<id_or_key>/remotelink")
    def list_remote_links(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        links = issue.remote_links
        if "globalId" in request.args:
            links = [x for x in links if x.global_id == request.args["globalId"]]
            if not links:
                return server.not_found("No remote link with that globalId")
            return jsonify(server.render.remote_link(issue, links[0], _api(v)))
        return jsonify([server.render.remote_link(issue, x, _api(v)) for x in links])

    @app.get(f"{API}/issue/<id_or_key>/remotelink/<int:link_id>")
    def get_remote_link(v: str, id_or_key: str, link_id: int) -> Any:
        issue = server.world.issue(id_or_key)
        link = next((x for x in issue.remote_links if x.id == link_id), None) if issue else None
        if issue is None or link is None:
            return server.not_found("Remote link does not exist")
        return jsonify(server.render.remote_link(issue, link, _api(v)))

    @app.post(f"{API}/issue/<id_or_key>/remotelink")
    def upsert_remote_link(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        data = body()
        global_id = data.get("globalId")
        link = next((x for x in issue.remote_links if global_id and x.global_id == global_id), None)
        created = link is None
        if link is None:
            link = RemoteLink(int(next_id()), global_id, {})
            issue.remote_links.append(link)
        link.object = data["object"]
        link.application = data.get("application") or {}
        link.relationship = data.get("relationship")
        self_url = f"{server.render.rest(_api(v))}/issue/{issue.key}/remotelink/{link.id}"
        return jsonify({"id": link.id, "self": self_url}), 201 if created else 200

    @app.get(f"{API}/issueLinkType")
    def link_types(v: str) -> Any:
        rest = server.render.rest(_api(v))
        return jsonify(
            {
                "issueLinkTypes": [
                    t | {"self": f"{rest}/issueLinkType/{t['id']}"} for t in server.world.link_types
                ]
            }
        )

    @app.post(f"{API}/issueLink")
    def link_issues(v: str) -> Any:
        data = body()
        wanted = data["type"]
        by_name = wanted.get("name") is not None
        kind = next(
            (
                t
                for t in server.world.link_types
                if (wanted.get("name") == t["name"] if by_name else wanted.get("id") == t["id"])
            ),
            None,
        )
        if kind is None:
            # Jira's own words (IssueLinkResource): a 404, naming what it looked for.
            named = wanted.get("name") if by_name else wanted.get("id")
            return server.not_found(
                f"No issue link type with {'name' if by_name else 'id'} '{named}' found."
            )
        inward = server.world.issue(data["inwardIssue"].get("key") or data["inwardIssue"]["id"])
        outward = server.world.issue(data["outwardIssue"].get("key") or data["outwardIssue"]["id"])
        if inward is None or outward is None:
            return server.not_found()
        add_link(server, kind, inward, outward)
        return "", 201

    @app.get(f"{API}/issue/<id_or_key>/properties")
    def property_keys(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        rest = server.render.rest(_api(v))
        return jsonify(
            {
                "keys": [
                    {"key": k, "self": f"{rest}/issue/{issue.id}/properties/{k}"}
                    for k in issue.properties
                ]
            }
        )

    @app.put(f"{API}/issue/<id_or_key>/properties/<prop>")
    def set_property(v: str, id_or_key: str, prop: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        existed = prop in issue.properties
        issue.properties[prop] = request.get_json(force=True)
        return "", 200 if existed else 201

    @app.get(f"{API}/issue/<id_or_key>/properties/<prop>")
    def get_property(v: str, id_or_key: str, prop: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None or prop not in issue.properties:
            return server.not_found(f"The property with key '{prop}' does not exist.")
        return jsonify({"key": prop, "value": issue.properties[prop]})
