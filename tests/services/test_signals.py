"""Reading development's events: which ARs a change closes, and what it means for the customer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bridge.config.resolution import ShippedSignals
from bridge.connectors.github import events as github_events
from bridge.connectors.jira import events as jira_events

FIXTURES = Path(__file__).parents[1] / "fixtures"


def pull(body: str, *, merged: bool = True, base: str = "release/4.2") -> dict[str, Any]:
    return {
        "repository": {"full_name": "acme/app"},
        "pull_request": {
            "number": 40,
            "merged": merged,
            "title": "Sync fix",
            "body": body,
            "base": {"ref": base},
        },
    }


def test_a_merged_pr_into_a_release_branch_closes_the_issues_its_keywords_name() -> None:
    signal = github_events.ship_signal(
        "pull_request.closed", pull("Fixes #12, resolves acme/lib#3. Related to #99.")
    )

    assert signal is not None
    assert signal.keys == ("acme/app#12", "acme/lib#3")
    assert signal.signal == github_events.PR_MERGED


def test_a_pr_closed_without_merging_ships_nothing() -> None:
    assert github_events.ship_signal("pull_request.closed", pull("Fixes #12", merged=False)) is None


@given(st.text(alphabet=st.characters(blacklist_characters="#"), max_size=200))
def test_a_pr_body_without_an_issue_reference_closes_nothing(body: str) -> None:
    assert github_events.ship_signal("pull_request.closed", pull(body)) is None


def test_a_published_release_fixes_the_issues_its_notes_reference() -> None:
    payload = json.loads((FIXTURES / "github/webhooks/release/published.json").read_text())
    payload["release"]["body"] = "## Fixed\n- orders sync (#12)\n- see other/repo#5"
    repo = payload["repository"]["full_name"]

    signal = github_events.ship_signal("release.published", payload)

    assert signal is not None
    assert signal.keys == (f"{repo}#12", "other/repo#5")
    assert signal.ref.startswith(f"{repo} release ")


def test_a_jira_version_release_names_the_version() -> None:
    payload = json.loads((FIXTURES / "jira/webhooks/jira_version_released.json").read_text())

    signal = jira_events.ship_signal("jira:version_released", payload)

    assert signal is not None
    assert (signal.version, signal.ref) == ("10000", "version 1.0")


def test_an_ar_done_with_a_fix_version_is_fixed_in_code_until_the_version_is_released() -> None:
    payload = json.loads((FIXTURES / "jira/webhooks/jira_issue_updated.resolved.json").read_text())
    payload["issue"]["fields"]["fixVersions"] = [{"id": "7", "name": "4.3", "released": False}]
    done = jira_events.ship_signal("jira:issue_updated", payload)
    payload["issue"]["fields"]["fixVersions"][0]["released"] = True
    released = jira_events.ship_signal("jira:issue_updated", payload)

    assert done is not None and released is not None
    mapping = ShippedSignals()
    assert mapping.meaning(done.signal, done.project) == "fixed_in_code"
    assert mapping.meaning(released.signal, released.project) == "fix_available"
    assert released.ref == "version 4.3"


def test_a_project_can_make_a_merged_pr_mean_the_fix_is_available() -> None:
    mapping = ShippedSignals.model_validate(
        {"per_project": {"acme/app": {"fix_available": [github_events.PR_MERGED]}}}
    )

    assert mapping.meaning(github_events.PR_MERGED, "acme/app") == "fix_available"
    assert mapping.meaning(github_events.PR_MERGED, "acme/other") == "fixed_in_code"


def test_a_closed_milestone_ships_the_ars_it_holds_by_milestone() -> None:
    payload = {
        "action": "closed",
        "milestone": {"number": 3, "title": "4.2.1", "state": "closed"},
        "repository": {"full_name": "acme/app"},
    }
    signal = github_events.ship_signal("milestone.closed", payload)
    assert signal is not None
    assert (signal.signal, signal.version, signal.keys) == (
        github_events.MILESTONE_CLOSED,
        "milestone:3",
        (),
    )
    assert signal.ref == "acme/app milestone 4.2.1"


def test_an_issue_event_naming_an_already_closed_milestone_ships_that_issue() -> None:
    closed = {"number": 3, "title": "4.2.1", "state": "closed"}
    payload = {
        "issue": {"number": 12, "milestone": closed},
        "repository": {"full_name": "acme/app"},
    }
    signal = github_events.ship_signal("issues.milestoned", payload)
    assert signal is not None
    assert signal.keys == ("acme/app#12",)
    open_one = {
        "issue": {"number": 12, "milestone": closed | {"state": "open"}},
        "repository": {"full_name": "acme/app"},
    }
    assert github_events.ship_signal("issues.milestoned", open_one) is None
