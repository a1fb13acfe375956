"""A migrated bridge with every webhook source configured, secrets mid-rotation."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bridge.runtime import Runtime
from bridge.store.tables import InboxRow
from tests.helpers import inbox_rows, migrated_runtime
from tests.webhooks.signing import OLD_SECRETS, SECRETS, secret_variable
from webhooks.app import create_app


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for source, secret in SECRETS.items():
        monkeypatch.setenv(secret_variable(source), f"{OLD_SECRETS[source]}, {secret}")


@pytest.fixture
def runtime(configured: None) -> Iterator[Runtime]:
    with migrated_runtime() as runtime:
        yield runtime


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
