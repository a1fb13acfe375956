"""Whether a delivery names an AR the bridge knows of (one some escalation filed or waits on).

Asked of nearly every GitHub and Jira delivery, and most of a repository's issue traffic is
about issues nobody escalated, so the answer is usually no. It is one small read, run on the
driver's own connection (see ``driver.py``: SQLAlchemy's execution layer cost five times the
query) and outside any write transaction, so on SQLite it never waits for the writer lock the
webhooks being stored hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, bindparam, exists, or_, select

from bridge.store.driver import DriverStatement, driver_read
from bridge.store.tables import ActionRequest, ActionRequestLink


class KnownArs:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._statements: dict[int, DriverStatement] = {}  # by how many keys it asks about

    def any_of(self, system: str, keys: Sequence[str]) -> bool:
        """Whether any of ``keys`` is an AR of ``system`` that an escalation filed or waits on."""
        if not keys:
            return False
        statement = self._statement(len(keys))
        values = {"kind": "ar", "system": system}
        values |= {f"key_{number}": key for number, key in enumerate(keys)}
        with driver_read(self._engine) as cursor:
            return bool(statement.first(cursor, values))

    def _statement(self, count: int) -> DriverStatement:
        if count not in self._statements:
            keys = [bindparam(f"key_{number}") for number in range(count)]
            query = select(
                or_(
                    exists().where(
                        ActionRequest.kind == bindparam("kind"),
                        ActionRequest.system == bindparam("system"),
                        ActionRequest.external_key.in_(keys),
                    ),
                    exists().where(
                        ActionRequestLink.system == bindparam("system"),
                        ActionRequestLink.external_key.in_(keys),
                    ),
                )
            )
            self._statements[count] = DriverStatement.compile(query, self._engine.dialect)
        return self._statements[count]
