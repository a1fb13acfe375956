"""`doctor` asks the sandbox's Jira and Zendesk whether the projects, issue types and fields
bridge.yaml names exist, instead of finding out when the first escalation needs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bridge_cli import main
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from tests.connectors.test_slack_routing_check import doctor_rows


@pytest.fixture(autouse=True)
def webhook_secrets(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_JIRA_WEBHOOK_SECRET", "jira-webhook-secret")
    monkeypatch.setenv("BRIDGE_ZENDESK_WEBHOOK_SECRET", "zendesk-webhook-secret")


def doctor(workdir: Path, config: dict[str, Any]) -> tuple[int, str]:
    (workdir / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["doctor"])
    return result.exit_code, result.output


def test_a_development_project_and_issue_type_jira_lacks_are_named_with_the_fix(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    jira = connector_settings(sandbox)["jira"] | {
        "development_project": "NOPE",
        "spar_issue_type": "Epic",
    }
    code, output = doctor(isolated_settings, {"connectors": {"jira": jira}})
    assert code == 1
    [(status, detail, fix)] = doctor_rows(output, "connector jira")
    assert status == "FAIL"
    assert detail == (
        "signed in as Support Bridge; connectors.jira.spar_issue_type: project SUP has no issue "
        "type 'Epic' the bridge may create; connectors.jira.development_project: no project "
        "'NOPE' on this site (or the bridge's account may not browse it)"
    )
    assert fix == (
        "set connectors.jira.spar_issue_type to one of: Bug, Task, Story; set "
        "connectors.jira.development_project to the key of an existing project"
    )
    assert jira["api_token"] not in output


def test_projects_and_issue_types_that_exist_pass(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    code, output = doctor(
        isolated_settings, {"connectors": {"jira": connector_settings(sandbox)["jira"]}}
    )
    assert code == 0, output
    assert [row[0] for row in doctor_rows(output, "connector jira")] == ["OK"]


def test_a_jira_field_mapping_to_no_field_is_named(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    config = {
        "connectors": {"jira": connector_settings(sandbox)["jira"]},
        "field_mappings": {"jira": {"severity": "customfield_99999"}},
    }
    code, output = doctor(isolated_settings, config)
    assert code == 1
    [(status, detail, fix)] = doctor_rows(output, "jira fields")
    assert status == "FAIL"
    assert detail == "field_mappings.jira.severity: no field 'customfield_99999' on this site"
    assert fix.startswith("set field_mappings.jira.severity to a field id such as")


def test_a_zendesk_ar_field_that_does_not_exist_is_named(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    zendesk = connector_settings(sandbox)["zendesk"] | {"ar_field_id": 4242}
    code, output = doctor(isolated_settings, {"connectors": {"zendesk": zendesk}})
    assert code == 1
    [(status, detail, fix)] = doctor_rows(output, "connector zendesk")
    assert status == "FAIL"
    assert detail == "connectors.zendesk.ar_field_id: no ticket field 4242"
    assert fix.startswith("set it to the id of one of the account's ticket fields")
