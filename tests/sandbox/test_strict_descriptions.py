"""The sandbox answers only what the vendors' published descriptions describe: an unknown
path or method, or a deprecated operation, is refused with a 4xx naming it and recorded as a
violation; a run's journal of vendor requests is judged again by the audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from openapi_spec_validator import validate

from sandbox import Sandbox
from sandbox.core import journal
from sandbox.openapi import audit, manifest, trim
from sandbox.openapi.operations import OTHER_PATHS, load_description
from sandbox.openapi.trim import OPERATIONS


@pytest.fixture
def journal_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "run.jsonl"
    previous = journal.record_to(path)
    yield path
    journal.record_to(previous)


def _github(sandbox: Sandbox, method: str, path: str, **kwargs: object) -> requests.Response:
    token = sandbox.credentials["github"]["token"]
    return requests.request(
        method,
        sandbox.urls["github"] + path,
        headers={"Authorization": f"token {token}"},
        timeout=10,
        **kwargs,  # type: ignore[arg-type]
    )


def test_an_unknown_github_path_is_refused_naming_it(sandbox: Sandbox) -> None:
    before = len(sandbox.violations)
    answer = _github(sandbox, "GET", "/repos/acme/widgets/no-such-thing")
    assert answer.status_code == 422
    assert "GET /repos/acme/widgets/no-such-thing is not an operation" in answer.json()["message"]
    assert [str(v) for v in sandbox.violations[before:]]


def test_an_undescribed_method_on_a_described_path_is_refused(sandbox: Sandbox) -> None:
    answer = _github(sandbox, "PUT", "/repos/acme/widgets/issues")
    assert answer.status_code == 422
    assert "unknown path or method" in answer.json()["message"]


def test_jira_cloud_refuses_the_deprecated_offset_search(sandbox: Sandbox) -> None:
    creds = sandbox.credentials["jira"]
    before = len(sandbox.violations)
    answer = requests.get(
        f"{sandbox.urls['jira']}/rest/api/3/search",
        params={"jql": "project = SUP"},
        auth=(creds["email"], creds["api_token"]),
        timeout=10,
    )
    assert answer.status_code == 400
    (message,) = answer.json()["errorMessages"]
    assert "GET /rest/api/3/search (searchForIssuesUsingJql) is deprecated" in message
    assert any("deprecated" in str(v) for v in sandbox.violations[before:])


def test_slack_answers_an_unknown_method_as_slack_does(sandbox: Sandbox) -> None:
    answer = requests.post(
        f"{sandbox.urls['slack']}/api/chat.shout",
        json={"channel": "C0SUPPORT01"},
        headers={"Authorization": f"Bearer {sandbox.credentials['slack']['token']}"},
        timeout=10,
    )
    assert answer.json()["ok"] is False
    assert answer.json()["error"] == "unknown_method"


def test_the_journal_keeps_operations_not_bodies_and_the_audit_counts_them(
    sandbox: Sandbox, journal_file: Path
) -> None:
    secret_title = "customer says: password hunter2"
    created = _github(sandbox, "POST", "/repos/acme/widgets/issues", json={"title": secret_title})
    assert created.status_code == 201
    _github(sandbox, "GET", "/repos/acme/widgets/no-such-thing")
    text = journal_file.read_text("utf-8")
    assert "hunter2" not in text and sandbox.credentials["github"]["token"] not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["template"] == "/repos/{owner}/{repo}/issues"
    assert lines[0]["operation_id"] == "issues/create"

    verdict = audit.judge(lines)
    assert verdict.requests == 2
    assert list(verdict.operations) == ["github POST /repos/{owner}/{repo}/issues"]
    assert len(verdict.violations) == 1 and "not described" in verdict.violations[0]


def _entry(vendor: str, method: str, template: str, route: str = "described") -> dict[str, object]:
    return {
        "vendor": vendor,
        "method": method,
        "template": template,
        "operation_id": None,
        "deprecated": False,
        "route": route,
        "status": 200,
        "violations": 0,
    }


def test_the_audit_fails_an_unknown_path_and_a_deprecated_operation() -> None:
    verdict = audit.judge(
        [
            _entry("github", "GET", "/repos/{owner}/{repo}/issues"),
            _entry("github", "GET", "/no/such/path", route="undescribed"),
            _entry("jira", "GET", "/rest/api/3/issue/createmeta"),  # deprecated, not kept
            _entry("jira", "DELETE", "/rest/api/3/version/{id}"),  # kept, and deprecated
            _entry("zendesk", "GET", "/api/v2/tickets/{id}.json", "no published description"),
        ]
    )
    assert verdict.requests == 5
    assert sorted(verdict.violations) == [
        "github GET /no/such/path: not described",
        "jira GET /rest/api/3/issue/createmeta: not described",
    ]
    assert verdict.deprecated == ["jira DELETE /rest/api/3/version/{id} (deleteVersion)"]
    assert verdict.apart == {"zendesk: no published description": 1}
    assert not verdict.clean


def test_the_audit_command_exits_non_zero_on_a_violation(tmp_path: Path) -> None:
    run = tmp_path / "run.jsonl"
    run.write_text(json.dumps(_entry("slack", "POST", "/chat.shout", "undescribed")) + "\n")
    assert audit.main([str(run)]) == 1
    run.write_text(json.dumps(_entry("slack", "POST", "/chat.postMessage")) + "\n")
    assert audit.main([str(run)]) == 0


def test_only_the_refusals_of_tests_named_on_purpose_are_set_apart(tmp_path: Path) -> None:
    refused = _entry("slack", "POST", "/chat.shout", "undescribed")
    proving = refused | {"test": "tests/sandbox/test_strict_descriptions.py::test_x"}
    elsewhere = refused | {"test": "tests/closure/test_end_to_end.py::test_y"}
    fine = _entry("slack", "POST", "/chat.postMessage") | {"test": "tests/sandbox/test_z"}
    run = tmp_path / "run.jsonl"
    run.write_text("".join(json.dumps(e) + "\n" for e in (proving, fine)))
    assert audit.main([str(run), "--on-purpose", "tests/sandbox/"]) == 0
    verdict = audit.judge([proving, elsewhere, fine], on_purpose=("tests/sandbox/",))
    assert verdict.apart == {"made on purpose by tests/sandbox/": 1}
    assert verdict.violations == ["slack POST /chat.shout: not described"]
    assert verdict.operations == {"slack POST /chat.postMessage": 1}


@pytest.mark.parametrize("vendor", ["github", "jira", "slack"])
def test_each_committed_description_is_valid_and_says_where_it_was_cut_from(vendor: str) -> None:
    document = load_description(vendor)
    if vendor == "slack":
        # Slack's 2021 Swagger document fails the validator as published (tuple `items`):
        # only its references are checked to resolve.
        for ref in trim.references(document):
            assert trim.resolve(document, ref) is not None
    else:
        validate(document)
    source = manifest.SOURCES[vendor]
    provenance = document["info"]["x-trimmed-from"]
    assert provenance["sha256"] == source.sha256 and provenance["path"] == source.path
    kept = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }
    assert kept == set(OPERATIONS[vendor])
    assert not set(document[OTHER_PATHS]) & set(document["paths"])


def test_a_field_the_schema_closes_off_is_refused_naming_it(sandbox: Sandbox) -> None:
    creds = sandbox.credentials["jira"]
    answer = requests.post(
        f"{sandbox.urls['jira']}/rest/api/3/search/jql",
        json={"jql": "project = SUP", "maxResults": 5, "sortBy": "created"},
        auth=(creds["email"], creds["api_token"]),
        timeout=10,
    )
    assert answer.status_code == 400
    (message,) = answer.json()["errorMessages"]
    assert "'sortBy' was unexpected" in message
