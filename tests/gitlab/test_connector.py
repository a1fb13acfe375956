"""The GitLab connector files SPARs and ARs as issues through python-gitlab, finds them again
by their hidden marker, links the AR to its SPAR, comments, closes and keeps the waiting list."""

from __future__ import annotations

import pytest
from limits.storage import MemoryStorage

from bridge.connectors import origin
from bridge.connectors.gitlab import GitLabConnector
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context
from bridge.services.ports import (
    ConnectorAuthError,
    IdempotencyKey,
    PermanentConnectorError,
    RecordSpec,
    TransientConnectorError,
    Waiting,
    WaitingList,
)
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.gitlab.app import GitlabServer

from .conftest import PROJECT, gitlab_settings


def spec(kind: str, escalation: str, link_to: str = "") -> RecordSpec:
    return RecordSpec(
        kind=kind,
        summary=f"Export worker leaks memory ({escalation})",
        facts={"Customer": "ACME"},
        severity="2",
        ticket_url="https://acme.zendesk.com/agent/tickets/812",
        ticket_id="812",
        record_id=escalation,
        link_to=link_to,
    )


def issue(server: GitlabServer, key: str) -> dict:
    iid = int(key.rsplit("#", 1)[1])
    [found] = [i for i in server.snapshot()[PROJECT]["issues"] if i["iid"] == iid]
    return found


def notes(server: GitlabServer, key: str) -> list[str]:
    return [n["body"] for n in server.snapshot()[PROJECT]["notes"][key.rsplit("#", 1)[1]]]


def test_a_spar_and_its_ar_are_filed_labelled_and_linked(
    connector: GitLabConnector, gitlab_server: GitlabServer
) -> None:
    spar = connector.create_record(spec("spar", "gl-1"), IdempotencyKey("gitlab:gl-1:spar"))
    ar = connector.create_record(spec("ar", "gl-1", spar.key), IdempotencyKey("gitlab:gl-1:ar"))

    assert spar.key.startswith(f"{PROJECT}#") and ar.url.endswith(f"/-/issues/{ar.id}")
    filed = issue(gitlab_server, ar.key)
    assert filed["labels"] == ["support-bridge", "bug", "severity::2"]
    assert issue(gitlab_server, spar.key)["labels"] == ["support-bridge", "spar", "severity::2"]
    assert "[812](https://acme.zendesk.com/agent/tickets/812)" in filed["description"]
    assert origin.marker_in(filed["description"]) == "gitlab:gl-1:ar"
    links = gitlab_server.snapshot()[PROJECT]["links"]
    assert {"source": int(ar.id), "target": int(spar.id), "type": "relates_to"} in links
    assert ar.vendor_id == str(filed["id"])


def test_filing_again_after_a_lost_answer_finds_the_issue_and_links_it_once(
    connector: GitLabConnector, gitlab_server: GitlabServer
) -> None:
    spar = connector.create_record(spec("spar", "gl-2"), IdempotencyKey("gitlab:gl-2:spar"))
    key = IdempotencyKey("gitlab:gl-2:ar")
    first = connector.create_record(spec("ar", "gl-2", spar.key), key)
    before = len(gitlab_server.snapshot()[PROJECT]["issues"])

    again = connector.create_record(spec("ar", "gl-2", spar.key), IdempotencyKey(key))

    assert again == first
    assert len(gitlab_server.snapshot()[PROJECT]["issues"]) == before
    links = gitlab_server.snapshot()[PROJECT]["links"]
    assert len([link for link in links if link["source"] == int(first.id)]) == 1


def test_a_comment_is_written_once_and_a_quoted_quick_action_does_nothing(
    connector: GitLabConnector, gitlab_server: GitlabServer
) -> None:
    ar = connector.create_record(spec("ar", "gl-3"), IdempotencyKey("gitlab:gl-3:ar"))
    quote = "It still fails.\n```\n/close\n/label ~wontfix\n```\n/assign @boss"
    key = IdempotencyKey("gitlab:gl-3:comment")
    connector.comment(ar, "The customer says the fix did not help.", key, quote)
    connector.comment(ar, "The customer says the fix did not help.", IdempotencyKey(key))

    [written] = notes(gitlab_server, ar.key)
    assert origin.marker_in(written) == "gitlab:gl-3:comment"
    assert not [line for line in written.splitlines() if line.startswith("/")]
    assert "@boss" not in written
    assert issue(gitlab_server, ar.key)["state"] == "opened"


def test_moving_closes_and_reopens_and_refuses_a_status_gitlab_has_not(
    connector: GitLabConnector, gitlab_server: GitlabServer
) -> None:
    ar = connector.create_record(spec("ar", "gl-4"), IdempotencyKey("gitlab:gl-4:ar"))
    connector.move_to(ar, "Done")
    assert issue(gitlab_server, ar.key)["state"] == "closed"
    connector.move_to(ar, "Done")  # already closed: nothing sent
    connector.move_to(ar, "reopened")
    assert issue(gitlab_server, ar.key)["state"] == "opened"
    with pytest.raises(PermanentConnectorError):
        connector.move_to(ar, "In Review")


def waiting(*tickets: str, digest: str, as_of: str) -> WaitingList:
    return WaitingList(
        tuple(
            Waiting(t, "ACME @everyone", "1", "2026-12-08 09:00 UTC", "Exports #1 fail", "")
            for t in tickets
        ),
        digest,
        as_of,
    )


def test_the_waiting_list_is_one_note_edited_in_place(
    connector: GitLabConnector, gitlab_server: GitlabServer
) -> None:
    ar = connector.create_record(spec("ar", "gl-5"), IdempotencyKey("gitlab:gl-5:ar"))
    connector.upsert_waiting_list(ar, waiting("zendesk:1", digest="a", as_of="2026-12-07T10"))
    connector.upsert_waiting_list(
        ar, waiting("zendesk:1", "zendesk:2", digest="b", as_of="2026-12-07T11")
    )
    connector.upsert_waiting_list(ar, waiting("zendesk:1", digest="c", as_of="2026-12-07T09"))

    [listed] = notes(gitlab_server, ar.key)
    assert "Tickets waiting on this AR (2)" in listed
    assert "@everyone" not in listed and "#1" not in listed


def test_a_refused_token_is_an_auth_error_and_a_429_waits_as_gitlab_says(
    sandbox: Sandbox, connector: GitLabConnector, gitlab_server: GitlabServer
) -> None:
    context = Context(gate=RateGate(MemoryStorage(), rates={}))
    wrong = GitLabConnector.from_settings(gitlab_settings(sandbox, token="glpat-wrong"), context)
    with pytest.raises(ConnectorAuthError):
        wrong.create_record(spec("ar", "gl-6"), IdempotencyKey("gitlab:gl-6:ar", fresh=True))
    assert not wrong.check().ok
    assert connector.check().ok

    ar = connector.create_record(spec("ar", "gl-6"), IdempotencyKey("gitlab:gl-6:ar"))
    gitlab_server.faults.add(Fault(route="GET /api/v4/projects/*", status=429, retry_after=7))
    try:
        with pytest.raises(TransientConnectorError) as raised:
            connector.move_to(ar, "closed")
    finally:
        gitlab_server.faults.clear()
    assert raised.value.retry_after == 7.0 and raised.value.rate_limited


def test_our_own_writes_are_recognised(connector: GitLabConnector) -> None:
    assert connector.username.startswith("project_")
    assert connector.is_own_write(
        {"object_kind": "issue", "user": {"username": connector.username}}
    )
    assert not connector.is_own_write({"object_kind": "issue", "user": {"username": "dana.dev"}})
    ours = {"object_kind": "note", "object_attributes": {"note": "x\n\n<!-- support-bridge:k -->"}}
    assert connector.is_own_write(ours)
    assert not connector.is_own_write({"object_kind": "note", "object_attributes": {"note": "x"}})
