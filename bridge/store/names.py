"""Names the bridge looked up for vendor ids (``known_names``): read by the board, written
once per id by ``bridge.services.names``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.store.tables import KnownName
from bridge.store.upsert import insert_if_absent

SLACK_PERSON = "slack:user"


def organisation_system(helpdesk: str) -> str:
    return f"{helpdesk}:organization"


def known_names(session: Session, system: str, ids: Collection[str]) -> dict[str, str]:
    """``{id: name}`` for the ids a name was learnt for."""
    if not ids:
        return {}
    query = select(KnownName.external_id, KnownName.name).where(
        KnownName.system == system, KnownName.external_id.in_(list(ids))
    )
    return {external_id: name for external_id, name in session.execute(query)}


def remember_name(
    session: Session, system: str, external_id: str, name: str, now: dt.datetime
) -> None:
    values = {"system": system, "external_id": external_id, "name": name[:255], "learnt_at": now}
    insert_if_absent(session, KnownName, values, ["system", "external_id"])
