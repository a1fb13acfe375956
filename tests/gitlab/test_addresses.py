"""Where GitLab is: the page of an AR people open, the same for an API URL of an issue stored
before, and the API ``doctor`` tries to reach."""

from __future__ import annotations

import requests

from bridge.connectors.gitlab import GitLabConnector
from bridge.connectors.registry import titles
from bridge.services.ports import IdempotencyKey, RecordSpec
from sandbox import Sandbox

from .conftest import PROJECT, gitlab_settings


def test_an_ars_page_is_its_issue_page(sandbox: Sandbox) -> None:
    config = gitlab_settings(sandbox)
    page = GitLabConnector.issue_page(config, f"{PROJECT}#1")
    assert page == f"{sandbox.urls['gitlab']}/{PROJECT}/-/issues/1"
    assert GitLabConnector.issue_page(config, "not-an-issue") is None


def test_an_issues_api_url_is_mended_to_its_page_and_anothers_is_left() -> None:
    api = "https://gitlab.example.com/api/v4/projects/acme%2Fwidgets/issues/12"
    assert GitLabConnector.mend_page(api) == "https://gitlab.example.com/acme/widgets/-/issues/12"
    assert (
        GitLabConnector.mend_page("https://gitlab.example.com/api/v4/projects/7/issues/1") is None
    )
    assert GitLabConnector.mend_page("https://acme.atlassian.net/rest/api/2/issue/DEV-7") is None


def test_doctor_reaches_the_api_and_says_so_plainly_when_it_cannot(sandbox: Sandbox) -> None:
    assert GitLabConnector.probe(gitlab_settings(sandbox)).ok
    unreachable = GitLabConnector.probe(gitlab_settings(sandbox, url="http://127.0.0.1:9"))
    assert not unreachable.ok and "cannot reach" in unreachable.detail
    assert titles()["gitlab"] == "GitLab"


def test_the_issue_page_the_sandbox_serves_is_a_page(
    sandbox: Sandbox, connector: GitLabConnector
) -> None:
    ref = connector.create_record(
        RecordSpec(kind="ar", summary="Exports <b>fail</b>", record_id="page-1"),
        IdempotencyKey("gitlab:page-1:ar"),
    )
    page = requests.get(ref.url, timeout=10)
    assert page.status_code == 200 and "Exports &lt;b&gt;fail&lt;/b&gt;" in page.text
