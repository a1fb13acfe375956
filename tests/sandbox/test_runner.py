"""The sandbox starts on free ports, serves until stopped, and says where it is."""

from __future__ import annotations

import threading

import requests

from sandbox import Sandbox, serve_forever


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
