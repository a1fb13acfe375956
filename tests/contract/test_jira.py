"""The `jira` library, pointed at the sandbox, sees Jira Cloud's REST API and its webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json

import jira
import pytest
import requests

from sandbox import Sandbox
from sandbox.core.server import BackgroundServer
from sandbox.jira.app import JiraServer
from sandbox.receiver import WebhookReceiver

PROJECT = "SUP"
ADF = {
    "type": "doc",
    "version": 1,
    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Steps in ADF"}]}],
}


def _events(receiver: WebhookReceiver, name: str) -> list[dict]:
    found = [json.loads(hit.body) for hit in receiver.at("/jira")]
    return [payload for payload in found if payload["webhookEvent"] == name]


def _new_issue(client: jira.JIRA, summary: str = "Export fails") -> jira.Issue:
    return client.create_issue(
        project=PROJECT,
        summary=summary,
        description="h2. Steps\n\nClick export",
        issuetype={"name": "Bug"},
        labels=["customer"],
    )


def test_connecting_reads_a_cloud_server_and_the_calling_user(jira_client: jira.JIRA) -> None:
    assert jira_client.server_info()["deploymentType"] == "Cloud"
    assert jira_client.myself()["emailAddress"] == "bridge@example.com"


def test_wrong_credentials_are_refused(sandbox: Sandbox) -> None:
    with pytest.raises(jira.JIRAError) as refused:
        jira.JIRA(
            server=sandbox.urls["jira"], basic_auth=("bridge@example.com", "nope"), max_retries=0
        )
    assert refused.value.status_code == 401


def test_fields_include_the_configured_custom_field(jira_client: jira.JIRA) -> None:
    names = {field["id"]: field["name"] for field in jira_client.fields()}
    assert names["customfield_10050"] == "Customer tickets"
    assert names["summary"] == "Summary"


def test_project_issue_types_and_create_metadata_are_listed(jira_client: jira.JIRA) -> None:
    assert jira_client.project(PROJECT).key == PROJECT
    assert {t.name for t in jira_client.issue_types()} >= {"Bug", "Task"}
    # Jira Cloud's project-scoped create metadata (the global createmeta is deprecated); the
    # library's project_issue_types refuses Cloud, so its plain GET reads the pages.
    types = jira_client._get_json(f"issue/createmeta/{PROJECT}/issuetypes")["issueTypes"]
    bug = next(t for t in types if t["name"] == "Bug")
    screen = jira_client._get_json(f"issue/createmeta/{PROJECT}/issuetypes/{bug['id']}")
    fields = {f["fieldId"]: f for f in screen["fields"]}
    assert fields["summary"]["required"] is True
    assert "customfield_10050" in fields


def test_created_issue_reads_back_with_its_wiki_description(jira_client: jira.JIRA) -> None:
    issue = _new_issue(jira_client)
    again = jira_client.issue(issue.key)
    assert again.key.startswith(f"{PROJECT}-")
    assert again.fields.summary == "Export fails"
    assert again.fields.description == "h2. Steps\n\nClick export"
    assert again.fields.status.name == "To Do"
    assert again.fields.labels == ["customer"]


def test_the_v3_api_takes_and_returns_adf_descriptions(jira_v3: jira.JIRA) -> None:
    issue = jira_v3.create_issue(
        project=PROJECT, summary="ADF issue", description=ADF, issuetype={"name": "Task"}
    )
    assert jira_v3.issue(issue.key).fields.description.content[0].content[0].text == (
        "Steps in ADF"
    )


def test_editing_fields_and_labels_changes_the_issue(jira_client: jira.JIRA) -> None:
    issue = _new_issue(jira_client)
    issue.update(fields={"summary": "Export fails for big files", "customfield_10050": "ZD-4411"})
    issue.update(update={"labels": [{"add": "escalated"}]})
    again = jira_client.issue(issue.key)
    assert again.fields.summary == "Export fails for big files"
    assert again.fields.customfield_10050 == "ZD-4411"
    assert again.fields.labels == ["customer", "escalated"]


def test_done_needs_a_resolution_as_the_workflow_screen_says(jira_client: jira.JIRA) -> None:
    issue = _new_issue(jira_client)
    offered = jira_client.transitions(issue, expand="transitions.fields")
    done = next(t for t in offered if t["name"] == "Done")
    assert done["fields"]["resolution"]["required"] is True
    with pytest.raises(jira.JIRAError) as refused:
        jira_client.transition_issue(issue, done["id"])
    assert refused.value.status_code == 400
    assert "resolution" in refused.value.response.json()["errors"]
    jira_client.transition_issue(issue, done["id"], fields={"resolution": {"name": "Done"}})
    again = jira_client.issue(issue.key)
    assert (again.fields.status.name, again.fields.resolution.name) == ("Done", "Done")


def test_comments_are_added_and_listed(jira_client: jira.JIRA) -> None:
    issue = _new_issue(jira_client)
    jira_client.add_comment(issue, "Looking into it")
    jira_client.add_comment(issue, "Fixed on main")
    assert [c.body for c in jira_client.comments(issue)] == ["Looking into it", "Fixed on main"]


def test_remote_links_are_upserted_by_global_id(jira_client: jira.JIRA) -> None:
    issue = _new_issue(jira_client)
    target = {"url": "https://help.example.com/tickets/4411", "title": "ZD 4411"}
    jira_client.add_remote_link(issue, target, globalId="zendesk:4411")
    jira_client.add_remote_link(
        issue, target | {"title": "ZD 4411 (urgent)"}, globalId="zendesk:4411"
    )
    links = jira_client.remote_links(issue)
    assert [link.object.title for link in links] == ["ZD 4411 (urgent)"]


def test_issue_links_show_on_both_issues(jira_client: jira.JIRA) -> None:
    first, second = _new_issue(jira_client, "First"), _new_issue(jira_client, "Second")
    jira_client.create_issue_link("Relates", first.key, second.key)
    assert len(jira_client.issue(first.key).fields.issuelinks) == 1
    assert len(jira_client.issue(second.key).fields.issuelinks) == 1


def test_search_by_jql_finds_issues_by_label_and_property(jira_client: jira.JIRA) -> None:
    tagged = _new_issue(jira_client, "Tagged")
    jira_client.add_issue_property(tagged, "bridge", {"ticket": "zd-99"})
    tagged.update(update={"labels": [{"add": "searchable"}]})
    by_label = jira_client.search_issues(f"project = {PROJECT} AND labels = searchable")
    by_property = jira_client.search_issues('issue.property[bridge].ticket = "zd-99"')
    assert [i.key for i in by_label] == [tagged.key]
    assert [i.key for i in by_property] == [tagged.key]
    assert jira_client.issue_property(tagged.key, "bridge").value.ticket == "zd-99"


def test_unknown_jql_field_is_refused_like_jira(jira_client: jira.JIRA) -> None:
    with pytest.raises(jira.JIRAError) as refused:
        jira_client.search_issues("nosuchfield = 1")
    assert refused.value.status_code == 400


def test_versions_are_created_released_and_listed(jira_client: jira.JIRA) -> None:
    version = jira_client.create_version("3.1.0", PROJECT, description="Fix train")
    version.update(released=True)
    listed = {v.name: v.released for v in jira_client.project_versions(PROJECT)}
    assert listed["3.1.0"] is True


def test_status_change_sends_a_signed_issue_updated_with_changelog(
    jira_client: jira.JIRA, sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    issue = _new_issue(jira_client)
    jira_client.transition_issue(issue, "31", fields={"resolution": {"name": "Done"}})
    hit = next(
        h
        for h in receiver.at("/jira")
        if json.loads(h.body).get("issue", {}).get("key") == issue.key
        and json.loads(h.body)["webhookEvent"] == "jira:issue_updated"
    )
    secret = sandbox.webhook_secrets["jira"].encode()
    expected = "sha256=" + hmac.new(secret, hit.body, hashlib.sha256).hexdigest()
    assert hit.headers["X-Hub-Signature"] == expected
    assert hit.headers["X-Atlassian-Webhook-Identifier"]
    items = {i["field"]: i["toString"] for i in json.loads(hit.body)["changelog"]["items"]}
    assert items == {"resolution": "Done", "status": "Done"}


def test_comments_and_releases_send_their_webhooks(
    jira_client: jira.JIRA, sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    issue = _new_issue(jira_client)
    jira_client.add_comment(issue, "Webhook me")
    version = jira_client.create_version("4.0.0", PROJECT)
    requests.post(f"{sandbox.urls['jira']}/_sandbox/versions/{version.id}/release", timeout=5)
    comments = _events(receiver, "comment_created")
    assert any(
        p["comment"]["body"] == "Webhook me" and p["issue"]["key"] == issue.key for p in comments
    )
    released = _events(receiver, "jira:version_released")
    assert any(p["version"]["name"] == "4.0.0" and p["version"]["released"] for p in released)


def test_the_data_center_offset_search_finds_the_same_issues() -> None:
    server = JiraServer(deployment="datacenter")
    server.world.add_project(PROJECT, "Support escalations")
    running = BackgroundServer(server.app)
    server.base_url = running.url
    running.start()
    try:
        client = jira.JIRA(server=running.url, token_auth=server.world.personal_access_token)
        assert client.deploymentType == "Server"
        issue = client.create_issue(
            fields={
                "project": {"key": PROJECT},
                "summary": "DC search",
                "issuetype": {"name": "Bug"},
                "labels": ["dc-search"],
            },
            prefetch=False,
        )
        found = client.search_issues('labels = "dc-search"', maxResults=5, fields="summary")
        assert [i.key for i in found] == [issue.key]
        assert found.total == 1
        assert server.recorder.violations == []
    finally:
        running.stop()
