"""The sandbox's Jira as each real Jira behaves today, seen through the `jira` library: Cloud
refuses the deprecated global createmeta, lags in search unless asked to reconcile, and takes
a scoped token only through Atlassian's gateway; Data Center 9 takes a personal access token,
serves REST v2 only and has no global createmeta at all."""

from __future__ import annotations

from collections.abc import Iterator

import jira
import pytest
import requests

from sandbox import Sandbox
from sandbox.core.server import BackgroundServer
from sandbox.jira.app import JiraServer


@pytest.fixture(scope="module")
def data_center() -> Iterator[JiraServer]:
    server = JiraServer(deployment="datacenter")
    server.world.add_project("SUP", "Support escalations")
    running = BackgroundServer(server.app)
    server.base_url = running.url
    running.start()
    yield server
    running.stop()


def cloud(sandbox: Sandbox, credential: str = "api_token", server: str = "") -> jira.JIRA:
    creds = sandbox.credentials["jira"]
    client = jira.JIRA(
        server=server or sandbox.urls["jira"],
        basic_auth=(creds["email"], creds[credential]),
        max_retries=0,
        get_server_info=False,
    )
    client.deploymentType = "Cloud"  # as the connector does, saving a serverInfo call
    return client


def dc(server: JiraServer) -> jira.JIRA:
    return jira.JIRA(
        server=server.base_url, token_auth=server.world.personal_access_token, max_retries=0
    )


def test_cloud_refuses_the_deprecated_global_createmeta(sandbox: Sandbox) -> None:
    before = len(sandbox.violations)
    with pytest.raises(jira.JIRAError) as refused:
        cloud(sandbox).createmeta(projectKeys="SUP", expand="projects.issuetypes.fields")

    assert refused.value.status_code == 400
    assert "deprecated" in str(refused.value.text)
    assert [v for v in sandbox.violations[before:] if "createmeta" in str(v)]


def test_data_center_9_has_project_scoped_create_metadata_only(data_center: JiraServer) -> None:
    client = dc(data_center)
    assert client.server_info()["versionNumbers"][0] == 9

    assert {t.name for t in client.project_issue_types("SUP")} >= {"Bug", "Task"}
    fields = {f.fieldId: f for f in client.project_issue_fields("SUP", "10001")}
    assert fields["summary"].required is True
    with pytest.raises(jira.JIRAError, match="Use 'project_issue_types'"):
        client.createmeta(projectKeys="SUP")  # the library refuses it for Data Center 9
    assert (
        requests.get(
            f"{data_center.base_url}/rest/api/2/issue/createmeta",
            headers={"Authorization": f"Bearer {data_center.world.personal_access_token}"},
            timeout=5,
        ).status_code
        == 404
    )


def test_data_center_takes_a_personal_access_token_and_no_cloud_api_token(
    data_center: JiraServer,
) -> None:
    assert dc(data_center).myself()["displayName"] == "Support Bridge"
    answer = requests.get(
        f"{data_center.base_url}/rest/api/2/myself",
        auth=(data_center.world.email, data_center.world.api_token),
        timeout=5,
    )
    assert answer.status_code == 401


def test_a_new_issue_is_missing_from_cloud_search_until_reconciled(sandbox: Sandbox) -> None:
    client = cloud(sandbox)
    lag = f"{sandbox.urls['jira']}/_sandbox/search_lag"
    requests.put(lag, json={"seconds": 60}, timeout=5).raise_for_status()
    try:
        issue = client.create_issue(
            project="SUP", summary="Lagging", issuetype={"name": "Task"}, labels=["lagging"]
        )
        jql = "labels = lagging"
        unseen = client.enhanced_search_issues(jql)
        seen = client.enhanced_search_issues(jql, reconcileIssues=[int(issue.id)])
    finally:
        requests.put(lag, json={"seconds": 0}, timeout=5).raise_for_status()
    settled = client.enhanced_search_issues(jql)

    assert [i.key for i in unseen] == []
    assert [i.key for i in seen] == [issue.key]
    assert [i.key for i in settled] == [issue.key]


def test_a_scoped_token_works_through_the_gateway_only(sandbox: Sandbox) -> None:
    site = sandbox.urls["jira"]
    cloud_id = requests.get(f"{site}/_edge/tenant_info", timeout=5).json()["cloudId"]
    through = cloud(sandbox, "scoped_api_token", f"{site}/ex/jira/{cloud_id}")
    direct = cloud(sandbox, "scoped_api_token")

    assert through.myself()["emailAddress"] == "bridge@example.com"
    with pytest.raises(jira.JIRAError) as refused:
        direct.myself()
    assert refused.value.status_code == 401
    wrong = requests.get(f"{site}/ex/jira/{'0' * 36}/rest/api/3/myself", timeout=5)
    assert wrong.status_code == 404
