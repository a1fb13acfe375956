"""The sandbox's GitLab refuses what GitLab refuses: another token (401), an operation it does
not serve or a project path not URL-encoded (404, recorded as a violation), and parameters
outside the API reference's rules (400 in GitLab's shape)."""

from __future__ import annotations

import requests

from sandbox import Sandbox
from sandbox.gitlab.app import GitlabServer

ENCODED = "/api/v4/projects/acme%2Fwidgets"


def call(
    sandbox: Sandbox, method: str, path: str, token: str = "", **body: object
) -> requests.Response:
    headers = {"PRIVATE-TOKEN": token or sandbox.credentials["gitlab"]["token"]}
    url = sandbox.urls["gitlab"] + path
    return requests.request(method, url, headers=headers, json=body or None, timeout=10)


def refused(server: GitlabServer) -> list[str]:
    """The violations recorded so far, then forgotten (this test makes them on purpose)."""
    found = [v.message for v in server.recorder.violations]
    server.recorder.clear()
    return found


def test_another_token_is_refused_as_gitlab_does(sandbox: Sandbox) -> None:
    answer = call(sandbox, "GET", ENCODED, token="glpat-someone-else")
    assert (answer.status_code, answer.json()) == (401, {"message": "401 Unauthorized"})
    bearer = requests.get(
        sandbox.urls["gitlab"] + ENCODED,
        headers={"Authorization": f"Bearer {sandbox.credentials['gitlab']['token']}"},
        timeout=10,
    )
    assert bearer.status_code == 200 and bearer.json()["path_with_namespace"] == "acme/widgets"


def test_an_unserved_operation_or_an_unencoded_path_is_a_404_and_a_violation(
    sandbox: Sandbox, gitlab_server: GitlabServer
) -> None:
    assert call(sandbox, "DELETE", f"{ENCODED}/issues/1").status_code == 404
    assert call(sandbox, "GET", "/api/v4/projects/acme/widgets/issues").status_code == 404
    problems = refused(gitlab_server)
    assert len(problems) == 2 and all("not an operation" in p for p in problems)


def test_parameters_are_held_to_the_documented_rules(
    sandbox: Sandbox, gitlab_server: GitlabServer
) -> None:
    missing = call(sandbox, "POST", f"{ENCODED}/issues", description="no title")
    assert (missing.status_code, missing.json()) == (400, {"error": "title is missing"})
    long_title = call(sandbox, "POST", f"{ENCODED}/issues", title="x" * 256)
    assert long_title.status_code == 400 and "too long" in long_title.json()["error"]
    created = call(sandbox, "POST", f"{ENCODED}/issues", title="Fine", labels="a,b")
    assert created.status_code == 201 and created.json()["labels"] == ["a", "b"]
    iid = created.json()["iid"]
    bad_event = call(sandbox, "PUT", f"{ENCODED}/issues/{iid}", state_event="resolve")
    assert bad_event.json() == {"error": "state_event does not have a valid value"}
    assert call(sandbox, "GET", f"{ENCODED}/issues?per_page=101").status_code == 400
    bad_link = call(sandbox, "POST", f"{ENCODED}/issues/{iid}/links", target_issue_iid=1)
    assert bad_link.json() == {"error": "target_project_id is missing"}
    assert len(refused(gitlab_server)) == 5


def test_the_project_hooks_list_where_the_sandbox_sends_and_what(sandbox: Sandbox) -> None:
    server = sandbox.vendors["gitlab"]
    server.webhooks.unregister_all()
    try:
        added = call(sandbox, "POST", f"{ENCODED}/hooks", url="http://127.0.0.1:9/hook")
        assert added.status_code == 201 and added.json()["push_events"] is True
        assert added.json()["issues_events"] is False  # GitLab's default: push events only
        sandbox.register_webhook("gitlab", "http://127.0.0.1:9/webhooks/gitlab")
        listed = call(sandbox, "GET", f"{ENCODED}/hooks").json()
        assert [hook["url"] for hook in listed] == [
            "http://127.0.0.1:9/hook",
            "http://127.0.0.1:9/webhooks/gitlab",
        ]
        assert all(listed[1][name] for name in ("issues_events", "note_events"))
    finally:
        server.webhooks.unregister_all()
