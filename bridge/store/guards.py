from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from bridge.store.tables import JobGuard
from bridge.store.upsert import insert_if_absent


class Guards:
    """Once-only tokens: of several workers racing on one due event, exactly one wins."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def acquire(self, token: str, owner: str, now: dt.datetime) -> bool:
        with self._sessions.begin() as session:
            return self.acquire_in(session, token, owner, now)

    def taken(self, token: str) -> bool:
        with self._sessions() as session:
            return session.get(JobGuard, token) is not None

    @staticmethod
    def acquire_in(session: Session, token: str, owner: str, now: dt.datetime) -> bool:
        """Inside the caller's transaction, so the guard and the action commit together."""
        values = {"token": token, "claimed_by": owner, "claimed_at": now}
        return insert_if_absent(session, JobGuard, values, ["token"])
