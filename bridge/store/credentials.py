"""Each connector's credential status, kept in the database so every process of the bridge (web,
workers, ``doctor``) sees the renewals and refusals any one of them met."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.domain.credentials import CredentialStatus
from bridge.store.tables import CredentialState
from bridge.store.upsert import insert_if_absent

# What the configuration decides; the rest is what renewing the credential found out.
CONFIGURED = ("label", "renewable", "ends", "fix")


class Credentials:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def use(self, status: CredentialStatus) -> None:
        """The connector signs in with this credential now: any other it used is forgotten, its
        renewals are kept, a fixed expiry date is the configured one."""
        key = (CredentialState.connector == status.connector, CredentialState.kind == status.kind)
        configured = {name: getattr(status, name) for name in CONFIGURED}
        if not status.renewable:
            configured["expires_at"] = status.expires_at
        with self._sessions.begin() as session:
            self._forget_other_kinds(session, status.connector, (status.kind,))
            if not insert_if_absent(
                session, CredentialState, asdict(status), ["connector", "kind"]
            ):
                session.execute(update(CredentialState).where(*key).values(**configured))

    def keep_only_kinds(self, connector: str, kinds: Collection[str]) -> None:
        with self._sessions.begin() as session:
            self._forget_other_kinds(session, connector, kinds)

    @staticmethod
    def _forget_other_kinds(session: Session, connector: str, kinds: Collection[str]) -> None:
        session.execute(
            delete(CredentialState).where(
                CredentialState.connector == connector, CredentialState.kind.not_in(list(kinds))
            )
        )

    def renewed(
        self, connector: str, kind: str, at: dt.datetime, expires_at: dt.datetime | None
    ) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(CredentialState)
                .where(CredentialState.connector == connector, CredentialState.kind == kind)
                .values(last_refresh_at=at, expires_at=expires_at)
            )

    def failed(self, connector: str, kind: str, at: dt.datetime, error: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(CredentialState)
                .where(CredentialState.connector == connector, CredentialState.kind == kind)
                .values(
                    last_failure_at=at,
                    last_refresh_error=error,
                    refresh_failures=CredentialState.refresh_failures + 1,
                )
            )

    def keep_only(self, connectors: Collection[str]) -> None:
        """Forget the credentials of connectors no longer configured."""
        with self._sessions.begin() as session:
            session.execute(
                delete(CredentialState).where(CredentialState.connector.not_in(list(connectors)))
            )

    def all(self) -> list[CredentialStatus]:
        with self._sessions() as session:
            found = session.scalars(
                select(CredentialState).order_by(CredentialState.connector, CredentialState.kind)
            )
            return [
                CredentialStatus(**{name: getattr(row, name) for name in _FIELDS}) for row in found
            ]


_FIELDS = tuple(CredentialStatus.__dataclass_fields__)
