"""GitHub's content limit: what GitHub counts against it, the bridge's budget counts too.

GitHub counts every write (POST, PATCH, PUT, DELETE) against its limit of 80 content-creating
requests a minute and 500 an hour; the sandbox does the same. A write the budget does not see
is a write that can draw a 429 however well the budget paces the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from github.Requester import HTTPRequestsConnectionClass
from limits import parse_many
from limits.storage import MemoryStorage

from bridge.connectors.github.connector import GitHubConnector
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context
from bridge.connectors.results import EarlierResults
from bridge.runtime import Runtime
from bridge.services.ports import IdempotencyKey, RecordSpec, TransientConnectorError
from sandbox import Sandbox
from tests.connectors.test_github import REPO, issues, make_github

# GitHub's published secondary limits on content-creating requests: (requests, seconds).
GITHUB_CONTENT_LIMITS = [(80, 60), (500, 3600)]


def fresh(name: str) -> IdempotencyKey:
    return IdempotencyKey(f"github:{name}:ar:create", fresh=True)


def spec(name: str) -> RecordSpec:
    return RecordSpec(kind="ar", summary=f"Budget check ({name})", record_id=name)


@pytest.fixture
def github_allows_two_writes(sandbox: Sandbox) -> Iterator[None]:
    sandbox.github.limits.enable("content", "2 per 3600 seconds")
    sandbox.github.recorder.clear()
    yield
    sandbox.github.limits.disable("content")


def test_the_default_content_budget_stays_inside_both_of_githubs_limits() -> None:
    budget = [
        (item.amount, item.get_expiry())
        for item in parse_many(GitHubConnector.budgets["github:content"])
    ]

    for allowed, seconds in GITHUB_CONTENT_LIMITS:
        assert any(amount < allowed and window > seconds for amount, window in budget), (
            f"no budget keeps below {allowed} per {seconds} s: {budget}"
        )


def test_edits_take_a_content_slot_so_the_budget_runs_out_before_github_refuses(
    sandbox: Sandbox, runtime: Runtime, github_allows_two_writes: None
) -> None:
    gate = RateGate(MemoryStorage(), rates={"github:content": "2 per hour"}, max_wait=0)
    connector = make_github(sandbox, Context(gate=gate, earlier=EarlierResults(runtime.sessions)))

    ref = connector.create_record(spec("budget-1"), fresh("budget-1"))
    connector.move_to(ref, "closed")  # a PATCH: GitHub's second write
    with pytest.raises(TransientConnectorError, match="our own rate budget github:content"):
        connector.comment(ref, "Still on it.", fresh("budget-1-comment"))

    answered = [(r.method, r.status) for r in sandbox.github.recorder.requests]
    assert ("PATCH", 200) in answered
    assert [status for _, status in answered if status == 429] == []


def test_two_workers_filing_at_once_each_file_their_own_issue(
    sandbox: Sandbox, context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both workers have handed PyGithub their create before either is sent (a barrier holds
    the first at the transport): each must still send its own."""
    both_ready = threading.Barrier(2, timeout=10)
    send = HTTPRequestsConnectionClass.getresponse

    def send_when_both_ready(connection: HTTPRequestsConnectionClass) -> object:
        if connection.verb == "POST":
            both_ready.wait()
        return send(connection)

    monkeypatch.setattr(HTTPRequestsConnectionClass, "getresponse", send_when_both_ready)
    connector = make_github(sandbox, context)
    filed: dict[str, str] = {}

    def file(name: str) -> None:
        filed[name] = connector.create_record(spec(name), fresh(name)).id

    workers = [threading.Thread(target=file, args=(name,)) for name in ("race-a", "race-b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    titles = {str(i["number"]): i["title"] for i in issues(sandbox) if "(race-" in i["title"]}
    assert sorted(titles.values()) == ["Budget check (race-a)", "Budget check (race-b)"]
    assert {name: titles[number] for name, number in filed.items()} == {
        "race-a": "Budget check (race-a)",
        "race-b": "Budget check (race-b)",
    }
    assert REPO in sandbox.github.snapshot()
