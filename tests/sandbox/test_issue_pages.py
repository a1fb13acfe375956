"""The pages a tracker record's link opens: Jira's ``/browse/KEY`` and a GitHub issue's
``html_url`` are served as HTML to a browser (no API credentials), their text escaped."""

from __future__ import annotations

import requests
from jira import JIRA

from sandbox import Sandbox

from .clients import github_client


def test_a_github_issue_s_html_url_opens_its_page(sandbox: Sandbox) -> None:
    issue = github_client(sandbox).get_repo("acme/widgets").create_issue(title="<b>Sync</b> fails")

    page = requests.get(issue.html_url, timeout=10)

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert f"&lt;b&gt;Sync&lt;/b&gt; fails #{issue.number}" in page.text
    assert requests.get(f"{issue.html_url}0", timeout=10).status_code == 404


def test_a_jira_issue_s_browse_page_opens_without_api_credentials(sandbox: Sandbox) -> None:
    credentials = sandbox.credentials["jira"]
    jira = JIRA(
        server=sandbox.urls["jira"],
        basic_auth=(credentials["email"], credentials["api_token"]),
    )
    issue = jira.create_issue(
        project="SUP", summary="<i>Orders</i> lost", issuetype={"name": "Task"}
    )

    page = requests.get(f"{sandbox.urls['jira']}/browse/{issue.key}", timeout=10)

    assert page.status_code == 200
    assert f"{issue.key}: &lt;i&gt;Orders&lt;/i&gt; lost" in page.text
    assert requests.get(f"{sandbox.urls['jira']}/browse/NOPE-1", timeout=10).status_code == 404
