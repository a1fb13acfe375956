"""The Jira connector against each Jira a team runs today: Cloud with an API token or a scoped
token through Atlassian's gateway (and its lagging search index), and Data Center 9 with a
personal access token, REST v2 and wiki markup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests

from bridge.connectors import origin
from bridge.connectors.jira import JiraConnector
from bridge.connectors.jira.settings import JiraSettings
from bridge.connectors.registry import Context
from bridge.services.ports import (
    IdempotencyKey,
    PermanentConnectorError,
    RecordSpec,
    TransientConnectorError,
    UncertainOutcome,
    Watching,
)
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.core.server import BackgroundServer
from sandbox.jira.app import JiraServer
from tests.connectors.test_jira import make_jira, spar_spec


@pytest.fixture(scope="module")
def data_center() -> Iterator[JiraServer]:
    """A Jira Data Center 9 server beside the sandbox's Cloud one."""
    server = JiraServer(deployment="datacenter")
    server.world.add_project("SUP", "Support escalations")
    server.world.add_project("DEV", "Development")
    running = BackgroundServer(server.app)
    server.base_url = running.url
    running.start()
    yield server
    running.stop()


@pytest.fixture(autouse=True)
def data_center_held_to_its_api(data_center: JiraServer) -> Iterator[None]:
    before = len(data_center.recorder.violations)
    yield
    data_center.faults.clear()
    found = data_center.recorder.violations[before:]
    if found:
        pytest.fail("Data Center refused:\n" + "\n".join(map(str, found)), pytrace=False)


def make_data_center(data_center: JiraServer, context: Context) -> JiraConnector:
    settings = JiraSettings(
        url=data_center.base_url,
        deployment="datacenter",
        personal_access_token=data_center.world.personal_access_token,
        spar_issue_type="Task",
    )
    return JiraConnector(settings, context)


def paths(server: JiraServer, since: int = 0) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.recorder.requests[since:]]


@pytest.mark.parametrize("flavour", ["cloud", "datacenter"])
def test_required_fields_are_read_from_the_project_scoped_create_metadata(
    flavour: str, sandbox: Sandbox, data_center: JiraServer, context: Context
) -> None:
    server = sandbox.jira if flavour == "cloud" else data_center
    connector = (
        make_jira(sandbox, context)
        if flavour == "cloud"
        else make_data_center(data_center, context)
    )
    server.world.required_fields.add("customfield_10050")
    since = len(server.recorder.requests)
    try:
        with pytest.raises(PermanentConnectorError) as refused:
            connector.create_record(spar_spec("esc-meta"), IdempotencyKey("jira:meta:spar:create"))
    finally:
        server.world.required_fields.clear()

    assert "SUP Task requires field Customer tickets (customfield_10050)" in str(refused.value)
    asked = paths(server, since)
    assert "GET /rest/api/2/issue/createmeta/SUP/issuetypes" in asked
    assert "GET /rest/api/2/issue/createmeta/SUP/issuetypes/10002" in asked
    assert not [p for p in asked if p.endswith("/issue/createmeta")]


def test_a_retried_create_finds_its_issue_while_search_still_lags(
    sandbox: Sandbox, context: Context
) -> None:
    """The issue was filed but its entity property was refused until the attempt gave up; on
    the outbox's next attempt Jira Cloud's index does not list the issue yet, and the search
    naming it in reconcileIssues does."""
    world = sandbox.jira.world
    world.search_lag_seconds = 60
    try:
        connector = make_jira(sandbox, context)
        key = IdempotencyKey("jira:esc-lag:spar:create", fresh=True)
        sandbox.jira.faults.add(Fault(route="PUT */properties/*", status=503, times=3))
        with pytest.raises(TransientConnectorError) as failed:
            connector.create_record(spar_spec("esc-lag"), key)
        # Another worker's retry could not name the issue: the next attempt waits for the index.
        assert failed.value.retry_after is not None and failed.value.retry_after >= 30

        elsewhere = make_jira(sandbox, context)  # a worker that never saw the create
        assert elsewhere.find_by_key(IdempotencyKey(key)) is None
        again = connector.create_record(spar_spec("esc-lag"), IdempotencyKey(key))
    finally:
        world.search_lag_seconds = 0

    filed = [i.key for i in world.issues.values() if origin.key_label(key) in i.fields["labels"]]
    assert filed == [again.key]
    assert world.issue(again.key).properties["support-bridge"]["record"] == "esc-lag"
    searches = [r for r in sandbox.jira.recorder.requests if r.path.endswith("/search/jql")]
    assert searches[-1].query["reconcileIssues"] == [world.issue(again.key).id]


def test_a_create_whose_answer_was_lost_is_looked_up_only_once_the_index_can_list_it(
    sandbox: Sandbox, context: Context
) -> None:
    """With no answer there is no id to reconcile: the next attempt waits out the lag."""
    sandbox.jira.faults.add(Fault(route="POST /rest/api/2/issue", status=502, times=1))
    connector = make_jira(sandbox, context)
    with pytest.raises(UncertainOutcome) as unsure:
        connector.create_record(
            spar_spec("esc-lost"), IdempotencyKey("jira:esc-lost:spar:create", fresh=True)
        )

    assert unsure.value.retry_after is not None and unsure.value.retry_after >= 30


def test_a_scoped_token_files_through_the_gateway_with_the_cloud_id_the_site_names(
    sandbox: Sandbox, context: Context
) -> None:
    creds = sandbox.credentials["jira"]
    settings = JiraSettings(
        url=sandbox.urls["jira"],
        email=creds["email"],
        api_token=creds["scoped_api_token"],
        scoped_token=True,
        gateway_url=sandbox.urls["jira"],  # api.atlassian.com in production
        spar_issue_type="Task",
    )
    connector = JiraConnector(settings, context)
    since = len(sandbox.jira.recorder.requests)

    assert connector.check().ok
    ref = connector.create_record(spar_spec("esc-scoped"), IdempotencyKey("jira:scoped:create"))

    assert connector.client.server_url == f"{sandbox.urls['jira']}/ex/jira/{creds['cloud_id']}"
    assert ref.url == f"{sandbox.urls['jira']}/browse/{ref.key}"  # people browse the site
    assert paths(sandbox.jira, since)[0] == "GET /_edge/tenant_info"
    assert sandbox.jira.world.issue(ref.key).properties["support-bridge"]["record"] == "esc-scoped"


def test_doctor_says_so_when_the_site_names_no_cloud_id_for_a_scoped_token(
    data_center: JiraServer, context: Context
) -> None:
    settings = JiraSettings(
        url=data_center.base_url,  # not a Jira Cloud site: no /_edge/tenant_info
        email="bridge@example.com",
        api_token="a-scoped-token",
        scoped_token=True,
    )
    result = JiraConnector(settings, context).check()

    assert not result.ok
    assert "/_edge/tenant_info names no cloud id (HTTP 404)" in result.detail
    assert "connectors.jira.cloud_id" in result.detail


def test_a_scoped_token_sent_to_the_site_itself_is_refused(
    sandbox: Sandbox, context: Context
) -> None:
    scoped = sandbox.credentials["jira"]["scoped_api_token"]
    result = make_jira(sandbox, context, api_token=scoped).check()

    assert not result.ok
    assert result.hint == "check connectors.jira url and credentials"


def test_a_data_center_personal_access_token_files_in_wiki_markup_and_finds_it_again(
    data_center: JiraServer, context: Context
) -> None:
    connector = make_data_center(data_center, context)
    since = len(data_center.recorder.requests)
    assert connector.check().ok
    key = IdempotencyKey("jira:esc-dc:spar:create")
    spar = connector.create_record(spar_spec("esc-dc"), key)
    again = connector.create_record(spar_spec("esc-dc"), key)  # a replay: found by /search
    ar = connector.create_record(
        RecordSpec(kind="ar", summary="Export worker leaks", link_to=spar.key),
        IdempotencyKey("jira:esc-dc:ar:create"),
    )
    connector.comment(ar, "Raised to level 2", IdempotencyKey(f"jira:{ar.key}:comment:l2"))
    connector.move_to(spar, "Done")

    assert again == spar
    issue = data_center.world.issue(spar.key)
    assert issue.fields["description"].startswith("h3. SPAR from Support Bridge")
    assert "||Fact||Value||" in issue.fields["description"]
    assert (issue.status, issue.resolution) == ("Done", "Done")
    [comment] = data_center.world.issue(ar.key).comments
    assert comment.body.startswith("Raised to level 2")
    asked = paths(data_center, since)
    assert all(p.split(" ")[1].startswith(("/rest/api/2/", "/rest/applinks/")) for p in asked)
    assert "GET /rest/api/2/search" in asked


def test_data_center_refuses_an_api_token_where_a_personal_access_token_belongs(
    data_center: JiraServer, context: Context
) -> None:
    settings = JiraSettings(
        url=data_center.base_url,
        deployment="datacenter",
        email="bridge@example.com",
        api_token="sandbox-jira-api-token",
    )
    result = JiraConnector(settings, context).check()

    assert not result.ok
    assert "credentials" in result.detail


def test_data_center_catch_up_finds_a_comment_and_a_status_change_on_a_linked_ar(
    data_center: JiraServer, context: Context
) -> None:
    connector = make_data_center(data_center, context)
    project = data_center.world.projects["DEV"]
    key = data_center.world.create_issue(project, {"summary": "Exports stop", "labels": []}).key
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    control = f"{data_center.base_url}/_sandbox/issues/{key}"
    said = requests.post(f"{control}/comments", json={"body": "Root cause found"}, timeout=10)
    moved = requests.post(f"{control}/transition", json={"to": "In Progress"}, timeout=10)
    assert said.ok and moved.ok

    found = connector.missed_since(since, Watching(ars=(key,)))

    assert sorted(event.event_type for event in found) == ["comment_created", "jira:issue_updated"]
    assert {event.record_key for event in found} == {key}
