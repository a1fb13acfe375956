"""What a connector tells of its credential as it signs in and renews it: kept through the store
for ``doctor``, ``/metrics`` and the board. Best effort: a database that cannot take the news
never stops a connector from working."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

import structlog

from bridge.domain.credentials import CredentialStatus
from bridge.jobs.clock import utcnow

if TYPE_CHECKING:
    import datetime as dt

    from bridge.store.credentials import Credentials

log = structlog.get_logger(__name__)


class CredentialWatch:
    def __init__(self, store: Credentials | None = None) -> None:
        self._store = store  # None where no database is at hand: nothing is kept

    def use(self, status: CredentialStatus) -> None:
        self._keep("use", lambda store: store.use(status))

    def unknown(self, connector: str) -> None:
        """The connector's credential has no expiry the bridge knows of."""
        self._keep("forget", lambda store: store.keep_only_kinds(connector, ()))

    def keep_only(self, connectors: Collection[str]) -> None:
        """Forget the credentials of connectors no longer configured."""
        self._keep("keep_only", lambda store: store.keep_only(connectors))

    def renewed(self, connector: str, kind: str, expires_at: dt.datetime | None) -> None:
        self._keep("renewed", lambda store: store.renewed(connector, kind, utcnow(), expires_at))

    def failed(self, connector: str, kind: str, error: str) -> None:
        """``error`` is the vendor's reason, never a secret."""
        log.warning("credential.refresh_failed", connector=connector, kind=kind, error=error)
        self._keep("failed", lambda store: store.failed(connector, kind, utcnow(), error))

    def _keep(self, what: str, action: Callable[[Credentials], None]) -> None:
        if self._store is None:
            return
        try:
            action(self._store)
        except Exception as exc:
            log.warning("credential.not_kept", news=what, error=type(exc).__name__)
