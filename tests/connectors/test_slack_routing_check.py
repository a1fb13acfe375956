"""`config check` and `doctor` look every routed Slack channel up in the workspace (the sandbox's
`conversations.list`, through the Slack connector) and name the one the bot cannot post to,
with its routing key and the fix; without Slack to ask, `config check` says so and passes."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from bridge_cli import main
from sandbox import Sandbox
from sandbox.slack.state import Channel

SUPPORT = "#support-escalations"  # seeded: the bot is a member
NOT_IN = "#eng-triage"  # seeded: the bot is not a member


@pytest.fixture(autouse=True)
def signing_secret(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slack can reach the bridge, so the routing is all these checks have to say."""
    monkeypatch.setenv("BRIDGE_SLACK_SIGNING_SECRET", "slack-signing-secret")


def channel(sandbox: Sandbox, **flags: bool) -> str:
    """A new channel in the sandbox's workspace; its name as routing writes it."""
    name = f"sup-{uuid.uuid4().hex[:8]}"
    found = Channel(f"C0{uuid.uuid4().hex[:9].upper()}", name, **flags)
    sandbox.slack.world.channels[found.id] = found
    return f"#{name}"


def configure(
    workdir: Path, routing: dict[str, Any], slack: dict[str, Any] | None = None, **extra: Any
) -> None:
    config: dict[str, Any] = {"routing": routing, **extra}
    if slack is not None:
        config["connectors"] = {"slack": slack}
    (workdir / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def slack_of(sandbox: Sandbox) -> dict[str, str]:
    return {
        "base_url": sandbox.urls["slack"] + "/api/",
        "bot_token": sandbox.credentials["slack"]["token"],
    }


def config_check(*args: str) -> Result:
    return CliRunner().invoke(main, ["config", "check", *args])


def routing_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("slack routing")]


def test_a_routed_channel_missing_from_the_workspace_is_named_with_its_key_and_fix(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    rules = [{"match": {"region": ["emea"]}, "channel": "#sup-eu-gone"}]
    configure(isolated_settings, {"default_channel": SUPPORT, "rules": rules}, slack_of(sandbox))

    result = config_check()

    assert result.exit_code == 1, result.output
    assert routing_lines(result) == [
        "slack routing problem: routing.rules[0].channel: no channel #sup-eu-gone in the "
        "workspace (or it is private and the bot is not in it); fix: fix "
        "routing.rules[0].channel, or create the channel and invite the bot with "
        "/invite @Support Bridge in #sup-eu-gone"
    ]
    assert "Traceback" not in result.output and "SlackApiError" not in result.output


def test_a_channel_without_the_bot_is_named_with_the_invite_fix(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    configure(isolated_settings, {"default_channel": NOT_IN}, slack_of(sandbox))

    result = config_check()

    assert result.exit_code == 1, result.output
    assert routing_lines(result) == [
        "slack routing problem: routing.default_channel: the bot is not a member of "
        "#eng-triage; fix: invite the bot with /invite @Support Bridge in #eng-triage"
    ]


def test_an_archived_channel_is_told_apart_from_a_missing_one(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    archived = channel(sandbox, is_archived=True)
    configure(
        isolated_settings,
        {"default_channel": SUPPORT},
        slack_of(sandbox),
        digest={"channel": archived},
    )

    result = config_check()

    assert result.exit_code == 1, result.output
    assert routing_lines(result) == [
        f"slack routing problem: digest.channel: {archived} is archived; "
        "fix: fix digest.channel to name a live channel, or unarchive it"
    ]


def test_routing_the_bot_can_post_to_is_ok_by_name_or_id_and_private_channels_count(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    private = channel(sandbox, is_private=True)
    rules = [
        {"match": {"region": ["emea"]}, "channel": private},
        {"match": {"region": ["apac"]}, "channel": "C0SUPPORT01"},
    ]
    configure(isolated_settings, {"default_channel": SUPPORT, "rules": rules}, slack_of(sandbox))

    result = config_check()

    assert result.exit_code == 0, result.output
    assert routing_lines(result) == [
        f"slack routing OK: the bot is in every routed channel: "
        f"{', '.join(sorted([SUPPORT, private, 'C0SUPPORT01']))}"
    ]


def test_a_routed_channel_on_a_later_page_of_the_listing_is_found(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    for _ in range(210):  # the connector asks for pages of 200
        channel(sandbox)
    last = channel(sandbox)
    configure(isolated_settings, {"default_channel": last}, slack_of(sandbox))

    result = config_check()

    assert result.exit_code == 0, result.output
    assert routing_lines(result) == [
        f"slack routing OK: the bot is in every routed channel: {last}"
    ]


def test_without_slack_to_ask_config_check_says_so_and_passes(
    isolated_settings: Path,
) -> None:
    configure(isolated_settings, {"default_channel": "#nowhere"})
    assert routing_lines(config_check()) == [
        "slack routing not checked: no Slack connector configured"
    ]

    unreachable = {"base_url": "http://127.0.0.1:9/api/", "bot_token": "xoxb-never-shown"}
    configure(isolated_settings, {"default_channel": "#nowhere"}, unreachable)
    result = config_check()
    assert result.exit_code == 0, result.output
    assert routing_lines(result) == [
        "slack routing not checked: cannot reach http://127.0.0.1:9/api/api.test: ConnectionError"
    ]
    assert "xoxb-never-shown" not in result.output

    offline = config_check("--offline")
    assert offline.exit_code == 0
    assert routing_lines(offline) == ["slack routing not checked: --offline"]


def test_a_refused_token_leaves_routing_unchecked_naming_the_setting(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    refused = {**slack_of(sandbox), "bot_token": "xoxb-revoked"}
    configure(isolated_settings, {"default_channel": SUPPORT}, refused)

    result = config_check()

    assert result.exit_code == 0, result.output
    [line] = routing_lines(result)
    assert line.startswith("slack routing not checked: slack: invalid_auth")
    assert "connectors.slack.bot_token" in line and "xoxb-revoked" not in line


def doctor_rows(output: str, name: str) -> list[tuple[str, str, str]]:
    """(status, detail, fix) of each of doctor's rows for check ``name``, wrapped cells joined."""
    rows: list[list[str]] = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")][1:-1]
        if len(cells) != 4:
            continue
        if cells[0]:
            rows.append(cells)
        elif rows:
            rows[-1] = [" ".join(filter(None, pair)) for pair in zip(rows[-1], cells, strict=True)]
    return [(status, detail, fix) for check, status, detail, fix in rows if check == name]


def test_doctor_names_each_wrong_routed_channel(sandbox: Sandbox, isolated_settings: Path) -> None:
    rules = [{"match": {"region": ["emea"]}, "channel": "#sup-eu-gone"}]
    configure(isolated_settings, {"default_channel": NOT_IN, "rules": rules}, slack_of(sandbox))
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0

    result = runner.invoke(main, ["doctor"])

    assert result.exit_code == 1, result.output
    assert [row[0] for row in doctor_rows(result.output, "connector slack")] == ["OK"]
    not_in, missing = doctor_rows(result.output, "slack routing")
    assert not_in == (
        "FAIL",
        "routing.default_channel: the bot is not a member of #eng-triage",
        "invite the bot with /invite @Support Bridge in #eng-triage",
    )
    assert missing[0] == "FAIL"
    assert missing[1].startswith("routing.rules[0].channel: no channel #sup-eu-gone")
    assert missing[2].startswith("fix routing.rules[0].channel, or create the channel")


def test_doctor_is_ok_when_every_routed_channel_has_the_bot(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    configure(isolated_settings, {"default_channel": SUPPORT}, slack_of(sandbox))
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0

    result = runner.invoke(main, ["doctor"])

    assert result.exit_code == 0, result.output
    assert [row[0] for row in doctor_rows(result.output, "slack routing")] == ["OK"]
