"""The sandbox starts on free ports, serves until stopped, and says where it is."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from sandbox import Sandbox, serve_forever
from sandbox.receiver import WebhookReceiver
from sandbox.runner import describe


def test_two_sandboxes_run_side_by_side_on_their_own_ports() -> None:
    with Sandbox() as first, Sandbox() as second:
        assert set(first.urls.values()).isdisjoint(second.urls.values())
        for url in (first.urls["github"], second.urls["github"]):
            assert requests.get(f"{url}/_sandbox/state", timeout=5).status_code == 200


def test_serve_forever_prints_urls_and_credentials_and_stops_when_asked() -> None:
    lines: list[str] = []
    ready, stop = threading.Event(), threading.Event()

    def collect(line: str) -> None:
        lines.append(line)
        if line.startswith("control API"):
            ready.set()

    runner = threading.Thread(target=serve_forever, args=(collect, stop), daemon=True)
    runner.start()
    assert ready.wait(10)
    github_line = next(line for line in lines if line.startswith("github"))
    url = github_line.split()[1]
    assert requests.get(f"{url}/_sandbox/state", timeout=5).status_code == 200
    assert "token=ghp_sandbox_token" in github_line
    stop.set()
    runner.join(5)
    assert not runner.is_alive()


PLUGGED_VENDOR = """
from flask import jsonify

from sandbox.core.plugins import SandboxedVendor
from sandbox.core.signing import freshdesk_headers
from sandbox.core.vendor import VendorServer


class AcmeServer(VendorServer):
    name = "acme"

    def __init__(self) -> None:
        self.seeded = ["ACME-1"]
        super().__init__(freshdesk_headers)

    def register_routes(self, app):
        @app.get("/records")
        def records():
            self.emit("records.listed", {"records": self.seeded})
            return jsonify(self.seeded)


def sandbox() -> SandboxedVendor:
    server = AcmeServer()
    return SandboxedVendor(server, lambda: {"token": "acme-token", "url": server.base_url})
"""


@pytest.fixture
def acme_sandbox_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A package publishing a vendor server in ``support_bridge.sandboxes``, on a temporary path."""
    site = tmp_path / "site"
    dist = site / "acme_sandbox-1.0.dist-info"
    dist.mkdir(parents=True)
    (site / "acme_sandbox.py").write_text(PLUGGED_VENDOR, encoding="utf-8")
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-sandbox\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        "[support_bridge.sandboxes]\nacme = acme_sandbox:sandbox\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))


@pytest.mark.usefixtures("acme_sandbox_installed")
def test_a_vendor_server_another_package_publishes_runs_beside_the_built_in_ones() -> None:
    with Sandbox() as sandbox, WebhookReceiver() as receiver:
        assert {"github", "jira", "slack", "zendesk", "freshdesk", "acme"} <= set(sandbox.urls)
        assert sandbox.credentials["acme"] == {"token": "acme-token", "url": sandbox.urls["acme"]}
        assert sandbox.webhook_secrets["acme"] == "sandbox-acme-webhook-secret"
        sandbox.register_webhook("acme", f"{receiver.url}/acme")

        listed = requests.get(f"{sandbox.urls['acme']}/records", timeout=5)

        assert listed.json() == ["ACME-1"]
        [delivery] = receiver.received
        assert delivery.path == "/acme" and b"ACME-1" in delivery.body
        assert sandbox.violations == []
    assert any(line.startswith("acme ") for line in describe(sandbox))
