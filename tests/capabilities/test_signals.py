"""resolution.signals starts from the ship signals every installed tracker declares."""

from __future__ import annotations

import pytest

from bridge.config.resolution import ShippedSignals
from bridge.connectors.registry import trackers_events


def test_the_defaults_are_the_jira_and_github_signals_as_before_and_gitlabs() -> None:
    signals = ShippedSignals()

    assert signals.signals_meaning("fix_available") == [
        "github.release_published",
        "gitlab.release_published",
        "jira.version_released",
    ]
    assert signals.signals_meaning("fixed_in_code") == [
        "github.pull_request_merged",
        "github.milestone_closed",
        "gitlab.merge_request_merged",
        "jira.issue_done",
    ]


def test_every_signal_a_tracker_declares_has_a_known_meaning() -> None:
    for source, events in trackers_events().items():
        assert events.signal_meanings, source
        assert set(events.signal_meanings.values()) <= {"fix_available", "fixed_in_code"}
        assert all(name.startswith(f"{source}.") for name in events.signal_meanings)


@pytest.mark.usefixtures("unheard_of")
def test_a_tracker_the_core_never_named_brings_its_signals_meanings() -> None:
    signals = ShippedSignals()

    assert signals.meaning("acme.deployed", "OPS") == "fix_available"
    assert signals.meaning("acme.merged", "OPS") == "fixed_in_code"
    assert signals.meaning("jira.version_released", "DEV") == "fix_available"
    assert signals.meaning("acme.rebooted", "OPS") is None


@pytest.mark.usefixtures("unheard_of")
def test_a_list_set_in_bridge_yaml_replaces_the_installed_defaults_of_its_meaning() -> None:
    signals = ShippedSignals.model_validate(
        {"fix_available": ["acme.merged"], "per_project": {"OPS": {"fixed_in_code": []}}}
    )

    assert signals.meaning("acme.merged", "DEV") == "fix_available"
    assert signals.meaning("acme.deployed", "DEV") is None
    assert signals.meaning("jira.issue_done", "DEV") == "fixed_in_code"
    assert signals.meaning("acme.merged", "OPS") is None
