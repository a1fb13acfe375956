"""Through the API, against the sandbox's Jira and GitHub: the SPAR and its AR carry the
severity agreed with the customer (004), and a plan the customer rejects is told on the AR, the
customer's reason set apart so that nothing in it is the tracker's markup or pings anyone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.config import load_settings
from bridge.connectors import retry
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate, tables
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from tests.helpers import API_REVIEW, API_TRIAGE
from webhooks.app import create_app

from ..services.conftest import add_ticket
from .test_spar_and_ar import drain_outbox, sandbox  # noqa: F401 - the fixture, shared

TOKEN = "api-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SEVERITY_FIELD = "customfield_10010"
ENGINEER = "U0ERIN0001"
# What a customer may write: wiki markup, a block that tries to end ours, a fence, a mention,
# and a marker of the bridge's own.
HOSTILE = (
    "Not before Q3 {noformat}{color:red}*URGENT*{color} [click|http://evil.example] "
    "{no{noformat}format} ````sh\nrm -rf /\n```` cc @security-team "
    "<!-- support-bridge:github:forged -->"
)


@pytest.fixture(params=["jira", "github"])
def tracker(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def runtime(
    sandbox: Sandbox,  # noqa: F811
    tracker: str,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    """SPARs and ARs routed to ``tracker``; Jira maps the severity to a field of its own."""
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    sandbox.jira.world.custom_fields[SEVERITY_FIELD] = "Severity"
    connectors = connector_settings(sandbox)
    config = {
        "routing": {
            "default_channel": sandbox.credentials["slack"]["channel"],
            "default_tracker": tracker,
        },
        "connectors": {name: connectors[name] for name in (tracker, "slack", "zendesk")},
        "field_mappings": {"jira": {"severity": SEVERITY_FIELD}},
    }
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    retry.set_testing(True, attempts=2)
    built = bootstrap(settings)
    yield built
    built.close()
    retry.set_testing(False)


@pytest.fixture
def client(runtime: Runtime) -> FlaskClient:
    return create_app(runtime=runtime).test_client()


def escalated(client: FlaskClient, sandbox: Sandbox) -> int:  # noqa: F811
    """The sandbox's Zendesk ticket, of severity 1, escalated and triaged through the API."""
    ticket = str(next(iter(sandbox.zendesk.tickets)))
    body = {
        "ticket": ticket,
        "reason": "data_loss",
        "requested_by": "U0ALICE001",
        "triage": API_TRIAGE,
        "review": API_REVIEW,
    }
    response = client.post("/api/escalations", json=body, headers=AUTH)
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def post(client: FlaskClient, escalation_id: int, path: str, **body: Any) -> Any:
    return client.post(
        f"/api/escalations/{escalation_id}/{path}", json={"by": ENGINEER, **body}, headers=AUTH
    )


def filed(runtime: Runtime) -> dict[str, str]:
    """The keys of the SPAR and the AR in the tracker, by kind."""
    with runtime.sessions() as session:
        rows = session.scalars(select(tables.ActionRequest))
        return {row.kind: row.external_key for row in rows}


def github_issue(sandbox: Sandbox, key: str) -> dict[str, Any]:  # noqa: F811
    repo, number = key.split("#")
    [issue] = [i for i in sandbox.github.snapshot()[repo]["issues"] if i["number"] == int(number)]
    return issue


def github_comments(sandbox: Sandbox, key: str) -> list[str]:  # noqa: F811
    repo, number = key.split("#")
    return [
        c["body"]
        for c in sandbox.github.snapshot()[repo]["comments"]
        if c["issue_url"].endswith(f"/issues/{number}")
    ]


def test_the_spar_and_its_ar_carry_the_severity_agreed_with_the_customer(
    runtime: Runtime,
    client: FlaskClient,
    sandbox: Sandbox,  # noqa: F811
    tracker: str,
) -> None:
    add_ticket(runtime, str(next(iter(sandbox.zendesk.tickets))))
    escalation_id = escalated(client, sandbox)

    refused = post(client, escalation_id, "spar", severity=5)
    assert refused.status_code == 422
    assert any(problem.startswith("severity") for problem in refused.json["problems"])
    response = post(client, escalation_id, "spar", severity=3)
    assert response.status_code == 201, response.json
    drain_outbox(runtime)

    records = filed(runtime)
    assert set(records) == {"spar", "ar"}
    for key in records.values():
        if tracker == "jira":
            issue = sandbox.jira.world.issue(key)
            assert issue is not None
            assert issue.fields[SEVERITY_FIELD] == "3"
            assert "|Severity|3 \\(minor\\)|" in issue.fields["description"]
            assert "|Ticket severity|1 \\(critical\\)|" in issue.fields["description"]
        else:
            labels = {label["name"] for label in github_issue(sandbox, key)["labels"]}
            assert "severity:3" in labels and "severity:1" not in labels
    # The timeline says it was agreed, and with whom.
    shown = client.get(
        f"/board/escalations/{escalation_id}", headers={**AUTH, "Accept": "application/json"}
    ).json
    [agreed] = [e for e in shown["events"] if e["step"] == "negotiate_severity"]
    assert (agreed["record"], agreed["actor"]) == ("spar 1", ENGINEER)
    assert agreed["note"] == "severity 1 -> 3 agreed with Customer Ltd"


def test_a_spar_filed_without_a_severity_carries_the_tickets(
    runtime: Runtime,
    client: FlaskClient,
    sandbox: Sandbox,  # noqa: F811
    tracker: str,
) -> None:
    add_ticket(runtime, str(next(iter(sandbox.zendesk.tickets))))
    escalation_id = escalated(client, sandbox)

    assert post(client, escalation_id, "spar").status_code == 201
    drain_outbox(runtime)

    ar = filed(runtime)["ar"]
    if tracker == "jira":
        issue = sandbox.jira.world.issue(ar)
        assert issue is not None and issue.fields[SEVERITY_FIELD] == "1"
        assert "Ticket severity" not in issue.fields["description"]
    else:
        assert "severity:1" in {label["name"] for label in github_issue(sandbox, ar)["labels"]}
    shown = client.get(
        f"/board/escalations/{escalation_id}", headers={**AUTH, "Accept": "application/json"}
    ).json
    assert "negotiate_severity" not in [e["step"] for e in shown["events"]]


def test_a_rejected_plan_is_told_on_the_ar_once_with_the_customers_words_inert(
    runtime: Runtime,
    client: FlaskClient,
    sandbox: Sandbox,  # noqa: F811
    tracker: str,
) -> None:
    add_ticket(runtime, str(next(iter(sandbox.zendesk.tickets))))
    escalation_id = escalated(client, sandbox)
    assert post(client, escalation_id, "spar").status_code == 201
    drain_outbox(runtime)
    assert post(client, escalation_id, "activate", engineer=ENGINEER).status_code == 200
    plan = {"kind": "workaround", "summary": "Pause the nightly export"}
    assert post(client, escalation_id, "plans", **plan).status_code == 201

    assert post(client, escalation_id, "plans/plan-1/reject", reason=HOSTILE).status_code == 200
    again = post(client, escalation_id, "plans/plan-1/reject", reason=HOSTILE)
    assert again.status_code == 409  # answered already: nothing more is told
    drain_outbox(runtime)

    ar = filed(runtime)["ar"]
    said = (
        f"The customer rejected action plan plan-1 of escalation {escalation_id}; the plan is "
        "to be renegotiated with support. The customer's reason:"
    )
    if tracker == "jira":
        issue = sandbox.jira.world.issue(ar)
        assert issue is not None
        [comment] = [c.body for c in issue.comments if "rejected action plan" in c.body]
        inside = HOSTILE.replace("{no{noformat}format}", "").replace("{noformat}", "")
        said = said.replace("plan-1", "plan\\-1")  # our words are plain text: escaped alike
        assert (
            comment == f"{said}\n{{noformat}}\n{inside}\n{{noformat}}\n\n(posted by Support Bridge)"
        )
        assert comment.count("{noformat}") == 2  # the customer's text cannot end the block
    else:
        [comment] = [c for c in github_comments(sandbox, ar) if "rejected action plan" in c]
        assert comment.startswith(f"{said}\n\n`````text\n")  # longer than the ```` inside
        assert "cc @\u200dsecurity-team" in comment and "@security-team" not in comment
        assert "<!\u200d-- support-bridge:github:forged -->" in comment
        assert comment.endswith(
            f"\n`````\n\n<!-- support-bridge:github:{ar}:comment:"
            f"escalation-{escalation_id}:plan-1:rejected -->"
        )
    assert sandbox.violations == []
