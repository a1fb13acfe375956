"""Who may see the board: the holder of ``BRIDGE_API_TOKEN``, as a bearer token (like the API)
or through ``/board/login``, which keeps a signed session cookie (Flask's session, signed with
``BRIDGE_SECRET_KEY``). Without the token the board answers 404; without the secret key the
browser login is refused, while bearer tokens still work.

The cookie also names a session kept on the server (``bridge.store.board_sessions``): logging
out, or ``board.session_hours`` passing, ends it for every copy of the cookie. Wrong tokens are
counted per client address (``login_limit``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from pydantic import SecretStr

from bridge.jobs.clock import utcnow
from bridge.store.board_sessions import BoardSessions
from webhooks.context import current_runtime, runtime_of
from webhooks.login_limit import LoginLimit

SESSION_KEY = "board"
LOGIN_KEY = "board_login"
LIMIT_EXTENSION = "webhooks.board.login_limit"
LOGIN_UNAVAILABLE = (
    "Browser login needs a secret key to sign its cookie: set BRIDGE_SECRET_KEY, or send "
    "Authorization: Bearer <BRIDGE_API_TOKEN>."
)


def configure(state: BlueprintSetupState) -> None:
    """Sign sessions with BRIDGE_SECRET_KEY unless the app was given a key of its own."""
    app: Flask = state.app
    settings = runtime_of(app).settings
    if not app.secret_key and settings.secret_key is not None:
        app.secret_key = settings.secret_key.get_secret_value()
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if settings.public_url.startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    app.extensions.setdefault(LIMIT_EXTENSION, LoginLimit(settings))


def api_token() -> SecretStr | None:
    """The token, or None when unset or blank (a blank token would let anyone in)."""
    token: SecretStr | None = current_runtime().settings.api_token
    return token if token is not None and token.get_secret_value().strip() else None


def has_secret_key() -> bool:
    return bool(current_app.secret_key)


def _same(supplied: str, token: SecretStr) -> bool:
    return hmac.compare_digest(supplied.encode(), token.get_secret_value().encode())


def _fingerprint(token: SecretStr) -> str:
    """What the cookie holds: bound to the token, so a new token ends every session."""
    key = current_app.secret_key or b""
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, b"board:" + token.get_secret_value().encode(), hashlib.sha256).hexdigest()


def wants_json() -> bool:
    accepted = request.accept_mimetypes
    return accepted.best_match(["text/html", "application/json"]) == "application/json"


def problem(status: int, error: str, detail: str, **extra: str) -> tuple[Any, int]:
    """A JSON problem for API clients, else the board's page saying the same."""
    if wants_json():
        return {"error": error, "detail": detail, **extra}, status
    page = render_template(
        "board/problem.html",
        status=status,
        error=error,
        detail=detail,
        logged_in=g.get("board_session", False),
    )
    return page, status


def check_token(supplied: str) -> bool:
    token = api_token()
    return token is not None and _same(supplied, token)


def _board_sessions() -> BoardSessions:
    return BoardSessions(current_runtime().sessions)


def log_in() -> None:
    token = api_token()
    assert token is not None
    lasting = dt.timedelta(hours=current_runtime().settings.board.session_hours)
    log_out()  # a browser logging in again keeps no second session behind it
    session[SESSION_KEY] = _fingerprint(token)
    session[LOGIN_KEY] = _board_sessions().open(utcnow(), lasting)


def log_out() -> None:
    key = session.get(LOGIN_KEY)
    if isinstance(key, str):
        _board_sessions().close(key)
    session.clear()


def _logged_in(token: SecretStr) -> bool:
    """The cookie is ours, for today's token, and its session has not ended."""
    held, key = session.get(SESSION_KEY), session.get(LOGIN_KEY)
    return (
        has_secret_key()
        and isinstance(held, str)
        and hmac.compare_digest(held, _fingerprint(token))
        and isinstance(key, str)
        and _board_sessions().is_open(key, utcnow())
    )


def _client() -> str:
    # Behind a reverse proxy this is the proxy's address: the app trusts no forwarded header.
    return request.remote_addr or "unknown"


def login_wait() -> int | None:
    """Seconds this client must wait before trying a token again, or None."""
    limit: LoginLimit = current_app.extensions[LIMIT_EXTENSION]
    return limit.wait_for(_client())


def login_failed() -> None:
    limit: LoginLimit = current_app.extensions[LIMIT_EXTENSION]
    limit.failed(_client())


def too_many_logins(wait: int) -> Response:
    detail = f"Too many wrong tokens from your address; try again in {wait} seconds."
    response = current_app.make_response(problem(429, "too_many_login_attempts", detail))
    response.headers["Retry-After"] = str(wait)
    return response


def authorise(open_endpoints: frozenset[str]) -> Any:
    """The board's ``before_request``: None lets the request through."""
    token = api_token()
    if token is None:
        return problem(404, "board_disabled", "Set BRIDGE_API_TOKEN to enable the board.")
    g.board_nonce = secrets.token_urlsafe(16)
    g.board_session = False
    if request.endpoint in open_endpoints:
        return None
    header = request.headers.get("Authorization")
    if header is not None:
        if _same(header.removeprefix("Bearer ").strip(), token):
            return None
        return _unauthorised("send Authorization: Bearer <BRIDGE_API_TOKEN>")
    if _logged_in(token):
        g.board_session = True
        return None
    if request.accept_mimetypes.accept_html and not wants_json():
        return redirect(url_for("board.login_form", next=request.full_path.rstrip("?")))
    return _unauthorised("log in at /board/login or send Authorization: Bearer <BRIDGE_API_TOKEN>")


def _unauthorised(detail: str) -> Response:
    response = current_app.make_response(problem(401, "unauthorized", detail))
    response.headers["WWW-Authenticate"] = 'Bearer realm="board"'
    return response


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a board page of this bridge, never another site."""
    ours = bool(target) and (target == "/board" or target.startswith(("/board/", "/board?")))
    if ours and target is not None and not any(c in target for c in "\r\n\\"):
        return target
    return "/board"
