"""Whether a delivery names an AR the bridge knows of (one some escalation filed or waits on).

Asked of nearly every GitHub and Jira delivery; most of a repository's issue traffic is about
issues nobody escalated, so the answer is usually no, and the delivery is settled by this one
read, with no write transaction at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, exists, or_, select

from bridge.store.tables import ActionRequest, ActionRequestLink


class KnownArs:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def any_of(self, system: str, keys: Sequence[str]) -> bool:
        """Whether any of ``keys`` is an AR of ``system`` that an escalation filed or waits on."""
        if not keys:
            return False
        query = select(
            or_(
                exists().where(
                    ActionRequest.kind == "ar",
                    ActionRequest.system == system,
                    ActionRequest.external_key.in_(keys),
                ),
                exists().where(
                    ActionRequestLink.system == system,
                    ActionRequestLink.external_key.in_(keys),
                ),
            )
        )
        with self._engine.connect() as connection:
            return bool(connection.scalar(query))
