"""Start every sandbox server on free loopback ports: `with Sandbox() as sb: sb.urls[...]`."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sandbox.core.recorder import Violation
from sandbox.core.server import BackgroundServer
from sandbox.core.vendor import VendorServer
from sandbox.github.app import GithubServer

DEFAULT_REPO = "acme/widgets"


class Sandbox:
    """All vendor servers, each on its own port, plus the SMTP server.

    `urls` maps vendor name to base URL; `credentials` holds what each client needs.
    """

    def __init__(self, *, background_webhooks: bool = False) -> None:
        self.github = GithubServer()
        self.github.world.add_repo(DEFAULT_REPO)
        self.vendors: dict[str, VendorServer] = {"github": self.github}
        self.webhook_secrets: dict[str, str] = {
            name: f"sandbox-{name}-webhook-secret" for name in self.vendors
        }
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
            },
        }

    def start(self) -> Sandbox:
        for name, vendor in self.vendors.items():
            server = BackgroundServer(vendor.app)
            vendor.base_url = server.url
            if self._background_webhooks:
                vendor.webhooks.start_background()
            server.start()
            self._servers[name] = server
            self.urls[name] = server.url
        return self

    def stop(self) -> None:
        for name, server in self._servers.items():
            self.vendors[name].faults.stopping.set()
            server.stop()
        self._servers.clear()

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
        for vendor in self.vendors.values():
            vendor.faults.clear()
            vendor.limits.disable()
            vendor.webhooks.clear_faults()


def serve_forever(print_fn: Callable[[str], None] = print) -> None:
    """What `support-bridge sandbox` runs: start everything, print URLs and credentials."""
    import threading

    with Sandbox(background_webhooks=True) as sandbox:
        for name, url in sandbox.urls.items():
            print_fn(f"{name:<10} {url}  {sandbox.credentials.get(name, {})}")
        print_fn("control API: <url>/_sandbox/...   stop with Ctrl-C")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print_fn("sandbox stopped")
