"""Signed, expiring links to the acceptance page: one token per resolution notice.

Tokens are signed with ``settings.secret_key``. Without one, a key is generated once and kept in
``<data_dir>/secret_key`` so a fresh ``make run`` works; the log says so, since links signed with
it stop working if that file is lost.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import structlog
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bridge.config import Settings

log = structlog.get_logger(__name__)
SALT = "support-bridge.acceptance"
ACCEPT = "accept"
STILL_BROKEN = "still_broken"
ANSWERS = (ACCEPT, STILL_BROKEN)


class LinkExpired(Exception):
    """The link is genuine but older than ``closure.acceptance_link_days``."""


class LinkInvalid(Exception):
    """The link was not signed by this bridge (mistyped, cut off, or forged)."""


def secret_key(settings: Settings) -> str:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
        log.warning("links.secret_key_generated", path=str(path), hint="set BRIDGE_SECRET_KEY")
    return path.read_text(encoding="utf-8").strip()


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(settings), salt=SALT)


def token_for(settings: Settings, notice_id: int) -> str:
    return _serializer(settings).dumps({"notice": notice_id})


def answer_url(settings: Settings, token: str, answer: str) -> str:
    return f"{settings.public_url.rstrip('/')}/resolution/{token}?answer={answer}"


def notice_of(settings: Settings, token: str) -> int:
    """The notice a token was issued for; raises LinkExpired or LinkInvalid."""
    max_age = settings.closure.acceptance_link_days * 86400
    try:
        data = _serializer(settings).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired(str(exc)) from exc
    except BadSignature as exc:
        raise LinkInvalid(str(exc)) from exc
    notice = data.get("notice") if isinstance(data, dict) else None
    if not isinstance(notice, int):
        msg = "the link carries no notice"
        raise LinkInvalid(msg)
    return notice
