"""``support-bridge demo``: the whole story of a sev1 ticket, played on the local sandbox.

Everything real runs: the bridge's web app on a loopback port, the connectors' vendor clients
against the sandbox's Jira, Slack and Zendesk, and the webhooks the sandbox signs. The demo only
stands in for the people: the support engineer, development and the customer.
"""

from __future__ import annotations

import datetime as dt
import secrets
import socket
import tempfile
from pathlib import Path

import click
from pydantic import SecretStr

from bridge_cli.common import until_interrupted
from bridge_cli.demo_story import Story, play


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@click.command("demo")
@click.option(
    "--keep",
    is_flag=True,
    help="Leave the bridge and the sandbox running once the story ends, links live, until Ctrl-C.",
)
@click.option(
    "--socket-mode",
    is_flag=True,
    help="Slack reaches the bridge over Socket Mode only, as a bridge with no public URL would.",
)
def demo(keep: bool, socket_mode: bool) -> None:
    """Play the whole story of a sev1 ticket on the local sandbox, in under a minute."""
    from bridge.config import load_settings
    from bridge.config.resolution import ClosureConfig
    from bridge.observability.logs import configure_logging
    from bridge.runtime import bootstrap
    from bridge.store import migrate
    from sandbox.core.server import BackgroundServer
    from sandbox.embedded import start_for
    from webhooks.app import create_app
    from webhooks.slack.socket_mode import socket_mode_link

    configure_logging("warning", "console")  # the story is the output; problems still show
    started = dt.datetime.now(dt.UTC)
    bridge_url = f"http://127.0.0.1:{free_port()}"
    board_token = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="support-bridge-demo-") as workdir:
        base = load_settings()
        sandbox, overrides = start_for(base, bridge_url, socket_mode=socket_mode)
        settings = base.model_copy(
            update={
                **overrides,
                "data_dir": Path(workdir),
                "database_url": None,
                "redis_url": None,
                "public_url": bridge_url,
                "api_token": SecretStr(board_token),
                "secret_key": SecretStr(secrets.token_urlsafe(32)),  # signs links, board login
                # The demo cannot wait two weeks: monitoring ends as soon as it starts.
                "closure": ClosureConfig(monitoring_days=0),
            }
        )
        migrate.upgrade(settings.resolved_database_url)
        runtime = bootstrap(settings)
        port = int(bridge_url.rsplit(":", 1)[1])
        app = create_app(runtime=runtime)
        server = BackgroundServer(app, port=port)
        server.start()
        link = socket_mode_link(app)
        if link is not None:
            link.start()
        click.echo(
            f"Bridge on {bridge_url}; sandbox: Jira {sandbox.urls['jira']}, "
            f"Slack {sandbox.urls['slack']}, Zendesk {sandbox.urls['zendesk']}\n"
            f"The board: {bridge_url}/board (while the demo runs; log in with the token "
            f"{board_token})"
        )
        if link is not None:
            click.echo("Slack talks to the bridge over Socket Mode; /slack/* is off (404).")
        try:
            play(Story(runtime, sandbox, bridge_url, click.echo))
            took = (dt.datetime.now(dt.UTC) - started).total_seconds()
            click.echo(f"\nThe whole story took {took:.0f} s.")
            if keep:
                until_interrupted(
                    f"Still running, every link above live: the board at {bridge_url}/board "
                    f"(token {board_token}). Press Ctrl-C to stop.",
                    "Stopped: the demo's bridge, sandbox and database are gone.",
                )
        finally:
            if link is not None:
                link.close()
            server.stop()
            runtime.close()
            sandbox.stop()
