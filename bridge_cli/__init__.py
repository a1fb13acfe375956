"""``support-bridge``: the command line. Each command group lives in its own module."""

from __future__ import annotations

import click

from bridge import __version__
from bridge_cli.config_cmd import config
from bridge_cli.db import db
from bridge_cli.demo import demo
from bridge_cli.doctor import doctor
from bridge_cli.errors import OneLineErrors
from bridge_cli.inbox import inbox
from bridge_cli.replay import replay
from bridge_cli.sandbox_cmd import sandbox
from bridge_cli.serve import serve, worker
from bridge_cli.slack_cmd import slack
from bridge_cli.sync_cmd import sync


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="support-bridge")
@click.option("--debug", is_flag=True, help="Let an unexpected error through with its traceback.")
def main(debug: bool) -> None:
    """Support Bridge: escalate a customer's problem across helpdesk, Jira, GitHub and Slack,
    and close the loop when the fix ships.

    Settings come from BRIDGE_* environment variables and the YAML file named by BRIDGE_CONFIG
    (default: bridge.yaml when present). See bridge.example.yaml.
    """


main.add_command(serve)
main.add_command(worker)
main.add_command(db)
main.add_command(config)
main.add_command(doctor)
main.add_command(inbox)
main.add_command(sandbox)
main.add_command(replay)
main.add_command(demo)
main.add_command(slack)
main.add_command(sync)
