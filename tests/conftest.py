"""Shared fixtures: isolated settings, and the databases and queues of both engines.

Storage and job tests run on SQLite always, and on PostgreSQL and Redis when
BRIDGE_TEST_DATABASE_URL and BRIDGE_TEST_REDIS_URL are set (``.ci/run`` sets both).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bridge.connectors.registry import receivers
from bridge.runtime import Runtime
from bridge.store import migrate
from bridge.store.tables import InboxRow
from tests.helpers import inbox_rows
from webhooks.app import create_app


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No BRIDGE_* setting of the developer's leaks in, and no bridge.yaml is picked up."""
    for name in list(os.environ):
        if name.startswith("BRIDGE_") and not name.startswith("BRIDGE_TEST_"):
            monkeypatch.delenv(name)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(workdir / "var"))
    return workdir


def postgres_url_or_skip() -> str:
    url = os.environ.get("BRIDGE_TEST_DATABASE_URL")
    if not url:
        pytest.skip("BRIDGE_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    return url


def redis_url_or_skip() -> str:
    url = os.environ.get("BRIDGE_TEST_REDIS_URL")
    if not url:
        pytest.skip("BRIDGE_TEST_REDIS_URL is not set: Redis tests skipped")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema, dropped afterwards."""
    base = postgres_url_or_skip()
    schema = f"bridge_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 'bridge.db').as_posix()}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database on each engine."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{(tmp_path / 'bridge.db').as_posix()}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def redis_url() -> str:
    return redis_url_or_skip()


# The web app over whichever `runtime` fixture a test package defines.
@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def inbox(runtime: Runtime) -> Callable[[], list[InboxRow]]:
    """Read the inbox as the workflow will: every stored row, oldest first."""
    return lambda: inbox_rows(runtime)


# A page in a real browser: Debian's chromium, driven by Playwright (browser test modules skip,
# saying why, where either is missing).
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture
def served(runtime: Runtime) -> Iterator[str]:
    """The bridge's app on a loopback port: its URL."""
    from sandbox.core.server import BackgroundServer

    server = BackgroundServer(create_app(runtime=runtime))
    server.start()
    yield server.url
    server.stop()


CONNECTORS_DOC = Path(__file__).resolve().parents[1] / "docs" / "connectors.md"


def example_from_the_docs(module: str) -> str:
    """The module ``module`` of docs/connectors.md's example third-party connector."""
    text = CONNECTORS_DOC.read_text(encoding="utf-8")
    found = re.search(rf"```python\n(# {re.escape(module)}\.py\n.*?)```", text, re.DOTALL)
    assert found, f"docs/connectors.md lost its example {module}.py"
    return found.group(1)


@pytest.fixture
def docs_connector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """docs/connectors.md's example connector (key ``jsonl``, with its webhook), installed by a
    throw-away distribution on a temporary path; yields that path."""
    site = tmp_path / "site"
    dist = site / "acme_tracker-1.0.dist-info"
    dist.mkdir(parents=True)
    for module in ("acme_tracker", "acme_webhook"):
        (site / f"{module}.py").write_text(example_from_the_docs(module), encoding="utf-8")
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-tracker\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        "[support_bridge.connectors]\njsonl = acme_tracker:JsonLinesTracker\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    receivers.cache_clear()  # the installed webhooks are read once per process
    yield tmp_path
    receivers.cache_clear()
