"""A migrated bridge with every webhook source configured, secrets mid-rotation."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from bridge.store.tables import InboxRow
from tests.webhooks.signing import OLD_SECRETS, SECRETS, secret_variable
from webhooks.app import create_app


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for source, secret in SECRETS.items():
        monkeypatch.setenv(secret_variable(source), f"{OLD_SECRETS[source]}, {secret}")


@pytest.fixture
def runtime(configured: None) -> Iterator[Runtime]:
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def inbox(runtime: Runtime) -> Callable[[], list[InboxRow]]:
    """Read the inbox as the workflow will: every stored row, oldest first."""

    def rows() -> list[InboxRow]:
        with runtime.sessions() as session:
            return list(session.scalars(select(InboxRow).order_by(InboxRow.id)))

    return rows
