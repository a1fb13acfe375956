"""Start every sandbox server on free loopback ports: `with Sandbox() as sb: sb.urls[...]`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sandbox.core import plugins
from sandbox.core.recorder import Violation
from sandbox.core.server import BackgroundServer
from sandbox.core.signing import FRESHDESK_SECRET_HEADER
from sandbox.core.vendor import VendorServer
from sandbox.github.app import GithubServer
from sandbox.helpdesk.freshdesk import FreshdeskServer
from sandbox.helpdesk.zendesk import ZendeskServer
from sandbox.jira.app import JiraServer
from sandbox.slack.app import SlackServer
from sandbox.smtp import SmtpServer

DEFAULT_REPO = "acme/widgets"
DEFAULT_PROJECT = "SUP"
DEFAULT_CHANNEL = "C0SUPPORT01"
BUILT_IN = frozenset({"github", "jira", "slack", "zendesk", "freshdesk"})


class Sandbox:
    """All vendor servers, each on its own free loopback port, plus an SMTP server.

    The built-in vendors and every one an installed package publishes in the entry-point group
    `support_bridge.sandboxes` (`sandbox/core/plugins.py`; `plugged` holds those by name).
    `urls` maps vendor name to base URL (plus "smtp" as host:port); `credentials` holds what
    each client needs; `webhook_secrets` the secret each vendor signs its webhooks with.
    With `background_webhooks=True` deliveries leave from a thread (call `flush_webhooks()`
    to wait); by default an API call returns after its webhooks were delivered.
    """

    def __init__(self, *, background_webhooks: bool = False) -> None:
        self.github = GithubServer()
        self.github.world.add_repo(DEFAULT_REPO)
        self.jira = JiraServer()
        self.jira.world.add_project(DEFAULT_PROJECT, "Support escalations")
        self.slack = SlackServer()
        self.zendesk = ZendeskServer()
        self.zendesk.seed_ticket("Export fails for large files", "Exports over 2 GB stop at 99%.")
        self.freshdesk = FreshdeskServer()
        self.freshdesk.seed_ticket("Invoice totals wrong", "The PDF total differs from the UI.")
        self.smtp = SmtpServer()
        self.vendors: dict[str, VendorServer] = {
            "github": self.github,
            "jira": self.jira,
            "slack": self.slack,
            "zendesk": self.zendesk,
            "freshdesk": self.freshdesk,
        }
        self.plugged = {
            name: factory() for name, factory in plugins.discover(BUILT_IN | {"smtp"}).items()
        }
        self.vendors |= {name: plugged.server for name, plugged in self.plugged.items()}
        self.webhook_secrets = {name: f"sandbox-{name}-webhook-secret" for name in self.vendors}
        self._background_webhooks = background_webhooks
        self._servers: dict[str, BackgroundServer] = {}
        self.urls: dict[str, str] = {}

    @property
    def credentials(self) -> dict[str, dict[str, Any]]:
        return {
            "github": {
                "token": self.github.world.token,
                "login": self.github.world.login,
                "repo": DEFAULT_REPO,
                "app_id": self.github.app_registration.id,
                "installation_id": self.github.app_registration.installation_id,
                "private_key": self.github.app_registration.private_key_pem,
                "app_login": self.github.app_registration.bot_login,
            },
            "jira": {
                "email": self.jira.world.email,
                "api_token": self.jira.world.api_token,
                "scoped_api_token": self.jira.world.scoped_api_token,  # through /ex/jira/{cloud}
                "cloud_id": self.jira.world.cloud_id,
                "project": DEFAULT_PROJECT,
                "developer_email": self.jira.world.developer_email,
                "developer_api_token": self.jira.world.developer_api_token,
            },
            "slack": {
                "token": self.slack.world.token,
                "channel": DEFAULT_CHANNEL,
                "signing_secret": self.webhook_secrets["slack"],
                "app_token": self.slack.socket_mode.app_token,  # Socket Mode's xapp- token
            },
            "zendesk": {
                "oauth_client_id": "support-bridge",
                "oauth_client_secret": self.zendesk.oauth_clients["support-bridge"].secret,
                "email": self.zendesk.email,
                "api_token": self.zendesk.api_token,
                "username": f"{self.zendesk.email}/token",
            },
            "freshdesk": {
                "api_key": self.freshdesk.api_key,
                "password": "X",
                "secret_header": FRESHDESK_SECRET_HEADER,
            },
            "smtp": {"host": self.smtp.host, "port": self.smtp.port},
        } | {name: plugged.credentials() for name, plugged in self.plugged.items()}

    def start(self) -> Sandbox:
        for name, vendor in self.vendors.items():
            server = BackgroundServer(vendor.app)
            vendor.base_url = server.url
            vendor.faults.stopping.clear()
            if self._background_webhooks:
                vendor.webhooks.start_background()
            server.start()
            self._servers[name] = server
            self.urls[name] = server.url
        self.smtp.start()
        self.urls["smtp"] = f"{self.smtp.host}:{self.smtp.port}"
        return self

    def stop(self) -> None:
        self.slack.socket_mode.stop()
        for name, server in self._servers.items():
            self.vendors[name].faults.stopping.set()
            server.stop()
        self._servers.clear()
        self.smtp.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def violations(self) -> list[Violation]:
        return [v for vendor in self.vendors.values() for v in vendor.recorder.violations]

    def register_webhook(
        self, vendor: str, url: str, secret: str | None = None, events: tuple[str, ...] = ("*",)
    ) -> None:
        """Send `vendor`'s webhooks to `url`, signed with `secret` (default: webhook_secrets)."""
        chosen = secret or self.webhook_secrets[vendor]
        self.vendors[vendor].webhooks.register(url, chosen, events)

    def flush_webhooks(self) -> None:
        for vendor in self.vendors.values():
            vendor.webhooks.flush()

    def reset_faults(self) -> None:
        """Clear injected faults, vendor limits and webhook faults on every server."""
        for vendor in self.vendors.values():
            vendor.faults.clear()
            vendor.limits.disable()
            vendor.webhooks.clear_faults()


def describe(sandbox: Sandbox) -> list[str]:
    """Lines naming each server's URL and the credentials a client needs."""
    lines = []
    for name, url in sandbox.urls.items():
        creds = ", ".join(
            f"{k}={v}" if "\n" not in str(v) else f"{k}=<GET {url}/_sandbox/app>"
            for k, v in sandbox.credentials.get(name, {}).items()
        )
        lines.append(f"{name:<10} {url:<28} {creds}")
    lines.append(
        "webhook secrets: " + ", ".join(f"{k}={v}" for k, v in sandbox.webhook_secrets.items())
    )
    lines.append("control API: <url>/_sandbox/... (state, requests, violations, faults, webhooks)")
    return lines


def serve_forever(
    print_fn: Callable[[str], None] = print, stop: threading.Event | None = None
) -> None:
    """What `support-bridge sandbox` runs: start everything, print URLs and credentials,
    serve until `stop` is set or Ctrl-C."""
    with Sandbox(background_webhooks=True) as sandbox:
        for line in describe(sandbox):
            print_fn(line)
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            print_fn("sandbox stopped")
