"""The servers ``bench/ingest.py`` compares, each in its own process under waitress.

``bridge``: the real app as ``support-bridge serve`` runs it on SQLite by default (waitress with
serve's default threads, job consumer threads in the same process, JSON logs). ``bridge +
worker``: the same app with ``serve --no-consumer`` and the jobs in a ``support-bridge worker``
process beside it.
``minimal``: a Flask app under the same waitress settings that verifies the HMAC and inserts one
row into SQLite with the bridge's durability settings, nothing more: the durable-ack limit of
this machine.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import sqlite3
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bridge_cli.serve import serve

THREADS = next(  # support-bridge serve --threads default, for both servers
    option.default for option in serve.params if option.name == "threads"
)
SECRET = "bench-github-secret"
SLACK_SECRET = "bench-slack-signing-secret"


def _serve(app: Any, ready: Connection) -> None:
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=THREADS, ident="bench")
    ready.send(server.effective_port)  # type: ignore[union-attr]
    server.run()


def _bridge_environment(data_dir: str) -> None:
    os.environ.update(
        {
            "BRIDGE_DATA_DIR": data_dir,
            "BRIDGE_GITHUB_WEBHOOK_SECRET": SECRET,
            "BRIDGE_SLACK_SIGNING_SECRET": SLACK_SECRET,
            "BRIDGE_CONNECTORS__SLACK__BOT_TOKEN": "xoxb-bench",
            # Nothing listens here: the benchmarked commands never call Slack.
            "BRIDGE_CONNECTORS__SLACK__BASE_URL": "http://127.0.0.1:9/api/",
        }
    )


def bridge_app(data_dir: str, consumer_threads: int = 0) -> Any:
    """The bridge's WSGI app as ``serve`` builds it on SQLite in ``data_dir``, with
    ``consumer_threads`` job threads started in this process."""
    _bridge_environment(data_dir)
    from bridge.config import load_settings
    from bridge.jobs.engine import InProcessConsumer
    from bridge.observability.logs import configure_logging
    from bridge.runtime import bootstrap
    from bridge.store import migrate
    from webhooks.app import create_app

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, stream=_log_file(data_dir))
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    if consumer_threads:
        InProcessConsumer(runtime.huey, workers=consumer_threads, worker_type="thread").start()
    return create_app(settings, runtime)


def run_bridge(data_dir: str, ready: Connection, consumer_threads: int) -> None:
    _serve(bridge_app(data_dir, consumer_threads), ready)


def run_worker(data_dir: str, threads: int) -> None:
    """``support-bridge worker``: a job consumer in a process of its own, on the same files."""
    _bridge_environment(data_dir)
    from bridge.config import load_settings
    from bridge.observability.logs import configure_logging
    from bridge.runtime import bootstrap

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, stream=_log_file(data_dir))
    runtime = bootstrap(settings)
    runtime.huey.create_consumer(workers=threads, worker_type="thread").run()


def _log_file(data_dir: str) -> Any:
    return (Path(data_dir) / "bridge.log").open("a")


def unfinished_rows(data_dir: str) -> int:
    """Inbox rows the bridge's jobs have yet to process."""
    with sqlite3.connect(Path(data_dir) / "bridge.db") as db:
        query = "SELECT count(*) FROM inbox WHERE status IN ('pending', 'processing')"
        (count,) = db.execute(query).fetchone()
    return int(count)


def run_minimal(data_dir: str, ready: Connection) -> None:
    _serve(minimal_app(data_dir), ready)


def minimal_app(data_dir: str) -> Any:
    """Verify the HMAC, insert one row, answer 202: the durable-ack limit, as a WSGI app."""
    from flask import Flask, request

    # Waitress warns of every queued request once saturated; the report says it better.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    path = Path(data_dir) / "minimal.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute(
            "CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, delivery_id TEXT UNIQUE,"
            " event_type TEXT, body BLOB)"
        )
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path, timeout=5, isolation_level=None)
            local.db.execute("PRAGMA synchronous=NORMAL")  # the bridge's setting
        db: sqlite3.Connection = local.db
        return db

    app = Flask("minimal")
    key = SECRET.encode()

    @app.post("/webhooks/github")
    def receive() -> tuple[str, int]:
        body = request.get_data()
        expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
            return "", 401
        db = connection()
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT OR IGNORE INTO inbox (delivery_id, event_type, body) VALUES (?, ?, ?)",
            (request.headers.get("X-GitHub-Delivery"), request.headers.get("X-GitHub-Event"), body),
        )
        db.execute("COMMIT")
        return "", 202

    return app


def count_rows(kind: str, data_dir: str, prefix: str = "") -> tuple[int, int]:
    """Rows stored, and distinct delivery ids among them, of the deliveries whose id starts
    with ``prefix``."""
    if kind != "minimal":
        path = Path(data_dir) / "bridge.db"
        query = (
            "SELECT count(*), count(DISTINCT delivery_id) FROM inbox"
            " WHERE source = 'github' AND delivery_id LIKE ? || '%'"
        )
    else:
        path = Path(data_dir) / "minimal.db"
        query = (
            "SELECT count(*), count(DISTINCT delivery_id) FROM inbox"
            " WHERE delivery_id LIKE ? || '%'"
        )
    with sqlite3.connect(path) as db:
        total, distinct = db.execute(query, (prefix,)).fetchone()
    return int(total), int(distinct)
