"""Pending escalation requests: a customer asked to escalate (copied the support manager on a
reply) where the bridge may not open an escalation alone, since an e-mail carries no triage
answers. Support is asked to triage in Slack; the escalation that opens for the ticket settles
every request pending on it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from bridge.store.tables import PendingEscalationRequest
from bridge.store.upsert import insert_ignoring_conflict

PENDING = "pending"
SETTLED = "escalated"


class PendingRequests:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        key: str,
        *,
        ticket_id: int,
        level: int,
        words: str,
        requested_by: str,
        cause: str,
        now: dt.datetime,
    ) -> int | None:
        """The new request's id, or None when ``key`` was asked already (a resent message)."""
        values = {
            "key": key,
            "ticket_id": ticket_id,
            "level": level,
            "words": words,
            "requested_by": requested_by,
            "cause": cause,
            "status": PENDING,
            "received_at": now,
        }
        return insert_ignoring_conflict(self.session, PendingEscalationRequest, values, ["key"])

    def settle(self, ticket_id: int, escalation_id: int, now: dt.datetime) -> None:
        """The ticket's escalation opened: what was pending on it is answered by it."""
        self.session.execute(
            update(PendingEscalationRequest)
            .where(
                (PendingEscalationRequest.ticket_id == ticket_id)
                & (PendingEscalationRequest.status == PENDING)
            )
            .values(status=SETTLED, escalation_id=escalation_id, settled_at=now)
        )
