"""routing.default_tracker and routing.rules[].tracker take any installed tracker, and refuse a
name that is not one, listing those that are."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.config import ConfigError, load_settings
from bridge.config.settings import Settings
from bridge.domain.records import Severity, Ticket
from bridge.services.escalation.routing import route


def ticket(severity: int) -> Ticket:
    return Ticket(
        "ZD-1",
        "casey@customer.example",
        "Customer Corp",
        "Export fails",
        severity=Severity(severity),
    )


def settings_with(workdir: Path, routing: str) -> Settings:
    (workdir / "bridge.yaml").write_text(f"routing:\n{routing}", encoding="utf-8")
    return load_settings()


def problems(workdir: Path, routing: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        settings_with(workdir, routing)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.usefixtures("unheard_of")
def test_an_installed_tracker_the_core_never_named_takes_the_routed_escalations(
    isolated_settings: Path,
) -> None:
    settings = settings_with(
        isolated_settings,
        "  default_tracker: acme\n"
        "  rules:\n  - match: {severity: [1]}\n    channel: '#sev1'\n    tracker: github\n",
    )

    assert route(settings.routing, ticket(2)).tracker == "acme"
    assert route(settings.routing, ticket(1)).tracker == "github"


@pytest.mark.usefixtures("unheard_of")
def test_a_name_that_is_no_installed_tracker_is_refused_with_the_installed_ones(
    isolated_settings: Path,
) -> None:
    installed = "installed: acme, github, gitlab, jira"
    assert problems(isolated_settings, "  default_tracker: gitea\n") == [
        f"routing.default_tracker: 'gitea' is not an installed tracker ({installed})"
    ]
    rule = "  rules:\n  - match: {}\n    channel: '#x'\n    tracker: acmedesk\n"
    assert problems(isolated_settings, rule) == [
        f"routing.rules.0.tracker: 'acmedesk' is not an installed tracker ({installed})"
    ]


def test_a_tracker_that_is_not_installed_is_refused(isolated_settings: Path) -> None:
    assert problems(isolated_settings, "  default_tracker: acme\n") == [
        "routing.default_tracker: 'acme' is not an installed tracker "
        "(installed: github, gitlab, jira)"
    ]


def test_the_default_tracker_is_still_jira(isolated_settings: Path) -> None:
    assert settings_with(
        isolated_settings, "  default_channel: '#e'\n"
    ).routing.default_tracker == ("jira")
