from __future__ import annotations

import click


@click.command("sandbox")
def sandbox() -> None:
    """Start local Jira, GitHub, Slack, Zendesk, Freshdesk and SMTP servers that speak the
    vendors' APIs; print their URLs and credentials (Ctrl-C stops them)."""
    from sandbox import serve_forever  # never imported by the core at run time

    serve_forever(print_fn=click.echo)
