"""The bridge.yaml mistakes people make, as `config check` answers them: the key, what is
wrong, and what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge_cli import main


def check(workdir: Path, text: str) -> list[str]:
    (workdir / "bridge.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["config", "check", "--offline"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return [line.removeprefix("support-bridge: ") for line in result.output.splitlines()]


def test_an_unquoted_channel_name_is_a_comment_and_the_fix_is_to_quote_it(
    isolated_settings: Path,
) -> None:
    assert check(isolated_settings, "routing:\n  default_channel: #escalations\n") == [
        "routing.default_channel: is empty, because YAML reads everything from ' #' on as a "
        "comment; quote it: default_channel: '#escalations'"
    ]


def test_a_rule_whose_channel_is_indented_out_of_it_says_where_channel_belongs(
    isolated_settings: Path,
) -> None:
    lines = check(
        isolated_settings,
        "routing:\n  rules:\n  - match:\n      severity: [1]\n  channel: '#sev1'\n",
    )
    assert (
        "routing.channel: not a key here; 'channel' is a key of routing.rules[]: "
        "check its indentation"
    ) in lines


def test_a_rule_key_indented_past_its_dash_says_how_to_line_it_up(
    isolated_settings: Path,
) -> None:
    [line] = check(
        isolated_settings,
        "routing:\n  rules:\n    - match: {severity: [1]}\n    channel: '#sev1'\n",
    )
    assert line.startswith("bridge.yaml: line 4, column 5: ")
    assert line.endswith(
        "this line is indented differently from the lines around it: the keys of one mapping "
        "line up, and the keys of a list item line up with the first one after its dash"
    )


def test_a_site_address_without_a_scheme_says_what_to_write(isolated_settings: Path) -> None:
    assert check(
        isolated_settings,
        "connectors:\n  jira:\n    url: acme.atlassian.net\n    personal_access_token: x\n",
    ) == [
        "connectors.jira.url: 'acme.atlassian.net' has no scheme; write the whole address: "
        "https://acme.atlassian.net"
    ]


@pytest.mark.parametrize(
    ("zone", "meant"),
    [("EST", "America/New_York"), ("CET", "Europe/Paris"), ("Etc/GMT+5", "a region's name")],
)
def test_a_time_zone_without_daylight_saving_is_refused_naming_the_region_one(
    isolated_settings: Path, zone: str, meant: str
) -> None:
    [line] = check(
        isolated_settings,
        f"calendars:\n  office:\n    timezone: {zone}\nsla:\n  default_calendar: office\n",
    )
    assert line.startswith(f"calendars.office.timezone: '{zone}' is a legacy zone name")
    assert f"; use {meant}" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "routing:\n  default_chanel: '#esc'\n",
            "routing.default_chanel: unknown key: did you mean 'default_channel'?",
        ),
        (
            "sla:\n  severities:\n    1:\n      acknowledge: {hours: 4}\n      pach: {hours: 8}\n",
            "sla.severities.1.pach: unknown key: did you mean 'patch'?",
        ),
        (
            "connectors:\n  jirra:\n    url: https://acme.atlassian.net\n",
            "connectors: unknown connector 'jirra': did you mean 'jira'? (known: email, "
            "freshdesk, github, gitlab, jira, slack, zendesk; third-party connectors register the "
            "entry-point group 'support_bridge.connectors')",
        ),
    ],
)
def test_a_mistyped_key_gets_a_did_you_mean(
    isolated_settings: Path, text: str, expected: str
) -> None:
    assert expected in check(isolated_settings, text)


def test_a_key_nothing_resembles_is_still_named(isolated_settings: Path) -> None:
    assert check(isolated_settings, "routing:\n  frobnicate: 1\n") == [
        "routing.frobnicate: unknown key (check the spelling against bridge.example.yaml)"
    ]
