from __future__ import annotations

import contextlib
import signal
from typing import Any

import click
import structlog
import waitress
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bridge.config import Settings
from bridge.config.readiness import gaps
from bridge.connectors.registry import webhook_purposes
from bridge.jobs import clock
from bridge.jobs.engine import InProcessConsumer, sweep
from bridge.observability.health import check_database
from bridge.runtime import Runtime
from bridge.services.closing.links import secret_key
from bridge.store.db import DatabaseMissing, make_engine, redact
from bridge.store.tables import Escalation
from bridge_cli.common import fail, runtime_or_exit, settings_or_exit, writable_dirs_or_exit

log = structlog.get_logger("bridge.serve")
SERVER_IDENT = "support-bridge"  # waitress's Server header, and the signature of its own pages


def _require_current_schema(runtime: Runtime) -> None:
    problems = [check for check in check_database(runtime) if not check.ok]
    if problems:
        fail([f"{check.detail} ({check.hint})" for check in problems])


def _stop_on_sigterm() -> None:
    def _raise(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _raise)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=16,
    show_default=True,
    help="Request threads (waitress). For more, run more `serve` processes behind a proxy.",
)
@click.option(
    "--consumer/--no-consumer",
    default=None,
    help="Run job consumer threads in this process "
    "[default: yes on the embedded SQLite queue, no with BRIDGE_REDIS_URL].",
)
def serve(
    host: str,
    port: int,
    threads: int,
    consumer: bool | None,
) -> None:
    """Start the bridge: webhooks, Slack, API, health and metrics (and jobs, when embedded).

    With no connector configured (and BRIDGE_SANDBOX not "off") the bridge runs against the
    local sandbox, so the whole loop can be tried on one machine."""
    settings = settings_or_exit()
    writable_dirs_or_exit(settings)
    try:
        make_engine(settings.resolved_database_url).dispose()
    except DatabaseMissing as exc:
        fail(f"BRIDGE_DATABASE_URL: {exc}")
    with contextlib.ExitStack() as cleanup:
        if _wants_sandbox(settings):
            _refuse_escalations_of_an_earlier_sandbox(settings)
            from sandbox.embedded import banner, start_for  # the CLI's choice, never the core's

            local = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
            sandbox, overrides = start_for(settings, f"http://{local}:{port}")
            cleanup.callback(sandbox.stop)
            settings = settings.model_copy(update={**overrides, **_kept_secret_key(settings)})
            click.echo(banner(sandbox), err=True)
        for gap in gaps(settings, webhook_purposes()):
            click.echo(f"support-bridge: warning: {gap}", err=True)
        for older in settings.older_spellings():
            click.echo(f"support-bridge: warning: {older}", err=True)
        runtime = runtime_or_exit(settings)
        cleanup.callback(runtime.close)
        _require_current_schema(runtime)
        run_consumer = (not settings.distributed) if consumer is None else consumer

        from webhooks.app import create_app

        app = create_app(settings, runtime)
        engine = "Redis" if settings.distributed else "SQLite"
        click.echo(
            f"Support Bridge on http://{host}:{port} · database "
            f"{redact(settings.resolved_database_url)} · jobs on {engine}, "
            f"{settings.consumer_threads if run_consumer else 0} consumer thread(s) here",
            err=True,
        )
        click.echo(_board_line(settings, f"http://{host}:{port}"), err=True)
        _connect_slack_socket(app, cleanup)
        if run_consumer:
            _resume_lost_work(runtime)
            jobs = InProcessConsumer(
                runtime.huey, workers=settings.consumer_threads, worker_type="thread"
            )
            jobs.start()
            cleanup.callback(jobs.stop, graceful=True)
        _stop_on_sigterm()
        try:
            server = web_server(app, host=host, port=port, threads=threads)
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        server.print_listen("Serving on http://{}:{}")
        # SIGTERM or Ctrl-C; waitress returns on its own instead
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        log.info("serve.stopping")


def _connect_slack_socket(app: Any, cleanup: contextlib.ExitStack) -> None:
    """Socket Mode: Slack's requests arrive over a WebSocket this process opens (a thread of
    bolt's handler), closed when ``serve`` stops."""
    from webhooks.slack import surface_of

    surface = surface_of(app)
    link = surface.socket_mode if surface is not None else None
    if link is None:
        return
    from webhooks.slack.socket_mode import SocketModeRefused

    try:
        link.start()
    except SocketModeRefused as refused:
        fail(
            f"connectors.slack.app_token: Slack refused the app-level token ({refused.error}); "
            "set BRIDGE_CONNECTORS__SLACK__APP_TOKEN to a token from the app's Basic "
            "Information → App-Level Tokens with the scope connections:write"
        )
    cleanup.callback(link.close)
    state = "connected" if link.connected else "connecting (Slack not reachable yet)"
    click.echo(f"Slack: Socket Mode, {state}; no public URL is needed for Slack", err=True)


# Connections a slow or hostile client holds open without finishing a request cost waitress a
# socket each, not a thread: waitress's default of 100 let 110 clients that sent headers and
# one body byte stop it accepting (``/healthz`` timed out) for its 120 s channel timeout.
# Room for 2,000 (poll(), as select() stops at 1,024 descriptors) and idle ones closed after
# 30 s: 500 slow clients leave ``/healthz`` and a webhook answered (``bench/slow_clients.py``).
# In front of the internet, a reverse proxy that buffers whole requests is still the answer
# for more (docs/security.md).
SERVER_DEFAULTS: dict[str, Any] = {
    "connection_limit": 2000,
    "channel_timeout": 30,
    "cleanup_interval": 5,
    "asyncore_use_poll": True,
}


def web_server(app: Any, host: str, port: int, threads: int, **options: Any) -> Any:
    """The waitress server ``serve`` runs, listening but not yet serving: ``run()`` serves.
    ``options`` are further ``waitress.create_server`` arguments over ``SERVER_DEFAULTS``
    (tests pass their own socket map, to stop it). Waitress answers a request it cannot parse
    (see docs/api.md) itself, in plain text: it offers no supported way to render those
    answers."""
    return waitress.create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident=SERVER_IDENT,
        **{**SERVER_DEFAULTS, **options},
    )


def _resume_lost_work(runtime: Runtime) -> None:
    """Re-drive at once what a stopped or killed consumer left behind (expired leases, jobs
    lost with the queue), instead of waiting for the minute's sweep."""
    inbox_rows, outbox_rows = sweep(runtime, clock.utcnow())
    if inbox_rows or outbox_rows:
        click.echo(f"resumed {inbox_rows} delivery(ies) and {outbox_rows} side effect(s)", err=True)
    # What the vendors sent while nothing listened (GitHub never redelivers on its own).
    try:
        found = runtime.services.catch_up.run(clock.utcnow())
    except Exception as exc:  # the minute hook tries again; starting matters more
        log.warning("catch_up.at_start_failed", error=type(exc).__name__)
        return
    if found:
        click.echo(f"caught up on {found} event(s) sent while the bridge was down", err=True)


def _refuse_escalations_of_an_earlier_sandbox(settings: Settings) -> None:
    """The sandbox keeps its tickets, issues and Slack messages in memory and starts empty, on
    new ports, each time: escalations played on an earlier one would fail at their next step."""
    try:
        engine = make_engine(settings.resolved_database_url)
        try:
            with engine.connect() as connection:
                unfinished = connection.scalar(
                    select(func.count())
                    .select_from(Escalation)
                    .where(Escalation.state.not_in(("closed", "de_escalated")))
                )
        finally:
            engine.dispose()
    except SQLAlchemyError:
        return  # not migrated yet: the schema check says so
    if unfinished:
        fresh = (
            f"`rm -r {settings.data_dir}`"
            if settings.database_url is None
            else "empty the database of BRIDGE_DATABASE_URL"
        )
        fail(
            f"the database holds {unfinished} open escalation(s) played on an earlier run of the "
            "sandbox, whose tickets, issues and Slack messages were kept in memory and are gone, "
            f"so their next steps would fail; start afresh ({fresh}, then `make run`) or "
            "configure your own connectors in bridge.yaml"
        )


def _kept_secret_key(settings: Settings) -> dict[str, Any]:
    """On the embedded sandbox the board's login works without BRIDGE_SECRET_KEY: the key the
    links are signed with is generated once and kept in the data directory."""
    if settings.secret_key is not None:
        return {}
    return {"secret_key": SecretStr(secret_key(settings))}


def _board_line(settings: Settings, address: str) -> str:
    needed = [
        variable
        for variable, value in (
            ("BRIDGE_SECRET_KEY", settings.secret_key),
            ("BRIDGE_API_TOKEN", settings.api_token),
        )
        if value is None or not value.get_secret_value().strip()
    ]
    how = (
        f"set {' and '.join(needed)} to log in"
        if needed
        else "log in with the value of BRIDGE_API_TOKEN"
    )
    return f"Escalation board: {address}/board ({how}); every page is linked from {address}/"


def _wants_sandbox(settings: Settings) -> bool:
    """The embedded default: no connector configured, one process, sandbox not switched off."""
    return (
        settings.sandbox == "auto"
        and not settings.connectors.configured()
        and not settings.distributed
    )


@click.command()
@click.option("--threads", default=4, show_default=True, help="Job threads in this process.")
def worker(threads: int) -> None:
    """Run a job consumer (distributed mode: as many as you like, on any machine)."""
    settings = settings_or_exit()
    writable_dirs_or_exit(settings)
    runtime = runtime_or_exit(settings)
    _require_current_schema(runtime)
    engine = "Redis" if settings.distributed else "SQLite"
    click.echo(f"Support Bridge worker · jobs on {engine} · {threads} thread(s)", err=True)
    try:
        _resume_lost_work(runtime)
        runtime.huey.create_consumer(workers=threads, worker_type="thread").run()
    finally:
        runtime.close()
