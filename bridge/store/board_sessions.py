"""Board logins kept on the server: the cookie carries a random key, this table its hash.

A signed cookie alone stays valid wherever it was copied to until it expires; with the session
here, logging out (or the session's hours running out) ends it for every copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bridge.store.tables import BoardSession


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class BoardSessions:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def open(self, now: dt.datetime, lasting: dt.timedelta) -> str:
        """A new session's key, for the cookie; sessions that ran out are forgotten."""
        key = secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            session.execute(delete(BoardSession).where(BoardSession.expires_at <= now))
            session.add(BoardSession(key_hash=_hash(key), created_at=now, expires_at=now + lasting))
        return key

    def is_open(self, key: str, now: dt.datetime) -> bool:
        with self._sessions() as session:
            found = session.get(BoardSession, _hash(key))
            return found is not None and found.expires_at > now

    def close(self, key: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(BoardSession).where(BoardSession.key_hash == _hash(key)))
