"""The same delivery sent five times at once leaves one inbox row and one job, on both engines."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from tests.webhooks import signing
from tests.webhooks.signing import SECRETS
from webhooks.app import create_app

COPIES = 5


@pytest.fixture
def runtime_on(
    configured: None, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    runtime = bootstrap(load_settings())
    yield runtime
    runtime.huey.flush()
    runtime.close()


def send_at_once(app: Flask, body: bytes, headers: dict[str, str]) -> list[int]:
    start = threading.Barrier(COPIES)
    statuses: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        client = app.test_client()
        start.wait()
        status = client.post("/webhooks/github", data=body, headers=headers).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


def test_five_simultaneous_copies_store_one_row_and_enqueue_one_job(runtime_on: Runtime) -> None:
    body = signing.fixture_bytes("github/webhooks/issues/labeled.json")
    headers = signing.github_headers(body, SECRETS["github"], "issues", delivery="same-delivery")
    statuses = send_at_once(create_app(runtime=runtime_on), body, headers)
    assert statuses == [200, 200, 200, 200, 202]
    assert runtime_on.inbox.counts_by_status() == {"pending": 1}
    assert runtime_on.huey.pending_count() == 1
