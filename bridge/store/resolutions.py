"""Resolution notices and the customer's answer to each: planned once per release, answered
once, whether by the acceptance page, a helpdesk reply or the closure policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge.domain.enums import Channel
from bridge.domain.records import Escalation, Notice
from bridge.store import tables
from bridge.store.codec import from_json
from bridge.store.upsert import insert_ignoring_conflict


class UnknownNotice(Exception):
    """No resolution notice has this id (the link outlived its records)."""


@dataclass(frozen=True)
class Answer:
    """What the acceptance page shows: the notice, and the answer that stands."""

    notice_id: int
    escalation_id: int
    ticket: str
    subject: str
    release_ref: str
    fix: str
    answer: str | None
    answered_at: dt.datetime | None
    recorded_now: bool = False


@dataclass(frozen=True)
class Waiting:
    """A notice the customer has not answered, on an escalation still awaiting the answer."""

    notice_id: int
    escalation_id: int
    release_ref: str
    channel: Channel
    sent_at: dt.datetime


@dataclass(frozen=True)
class LatestNotice:
    escalation_id: int
    escalation_state: str
    notice_id: int


class Resolutions:
    def __init__(self, session: Session) -> None:
        self.session = session

    def plan_notice(self, notice: Notice, ticket_id: int, now: dt.datetime) -> int | None:
        """Store the notice and its empty answer; None if this ticket has it for this release."""
        values = {
            "idempotency_key": notice.key,
            "escalation_id": int(notice.escalation_id),
            "ticket_id": ticket_id,
            "kind": notice.kind.value,
            "channel": notice.channel.value,
            "status": "planned",
            "sent_at": now,
            "created_at": now,
        }
        notice_id = insert_ignoring_conflict(
            self.session, tables.Notice, values, ["idempotency_key"]
        )
        if notice_id is not None:
            self.session.add(
                tables.ResolutionAnswer(notice_id=notice_id, release_ref=notice.subject_ref)
            )
        return notice_id

    def has_notice(self, key: str) -> bool:
        found = self.session.scalars(
            select(tables.Notice.id).where(tables.Notice.idempotency_key == key)
        ).first()
        return found is not None

    def answer(self, notice_id: int, *, recorded_now: bool = False) -> Answer:
        found = self.session.execute(
            select(tables.ResolutionAnswer, tables.Notice, tables.Escalation, tables.Ticket)
            .join(tables.Notice, tables.Notice.id == tables.ResolutionAnswer.notice_id)
            .join(tables.Escalation, tables.Escalation.id == tables.Notice.escalation_id)
            .join(tables.Ticket, tables.Ticket.id == tables.Notice.ticket_id)
            .where(tables.ResolutionAnswer.notice_id == notice_id)
        ).first()
        if found is None:
            raise UnknownNotice(notice_id)
        answer, notice, escalation, ticket = found
        plan = from_json(Escalation, escalation.document).accepted_plan
        return Answer(
            notice_id=notice.id,
            escalation_id=escalation.id,
            ticket=ticket.external_id,
            subject=str(ticket.document.get("subject", "")),
            release_ref=answer.release_ref,
            fix=plan.summary if plan is not None else "",
            answer=answer.answer,
            answered_at=answer.answered_at,
            recorded_now=recorded_now,
        )

    def claim_answer(self, notice_id: int, answer: str, *, by: str, now: dt.datetime) -> bool:
        """Record the answer unless one stands already; True if this call recorded it."""
        answers = tables.ResolutionAnswer
        claimed = self.session.execute(
            update(answers)
            .where(answers.notice_id == notice_id, answers.answer.is_(None))
            .values(answer=answer, answered_by=by, answered_at=now)
            .returning(answers.notice_id)
        ).first()
        return claimed is not None

    def unanswered(self) -> list[Waiting]:
        rows = self.session.execute(
            select(
                tables.Notice.id,
                tables.Notice.escalation_id,
                tables.ResolutionAnswer.release_ref,
                tables.Notice.channel,
                tables.Notice.created_at,
            )
            .join(tables.ResolutionAnswer, tables.ResolutionAnswer.notice_id == tables.Notice.id)
            .join(tables.Escalation, tables.Escalation.id == tables.Notice.escalation_id)
            .where(
                tables.ResolutionAnswer.answer.is_(None),
                tables.Escalation.state == "awaiting_customer",
            )
        )
        return [Waiting(n, e, ref, Channel(c), at) for n, e, ref, c, at in rows]

    def latest_notice(self, ticket_id: int) -> LatestNotice | None:
        """The newest resolution notice sent about the ticket, with its escalation's state."""
        found = self.session.execute(
            select(tables.Escalation.id, tables.Escalation.state, tables.ResolutionAnswer.notice_id)
            .join(tables.Notice, tables.Notice.escalation_id == tables.Escalation.id)
            .join(tables.ResolutionAnswer, tables.ResolutionAnswer.notice_id == tables.Notice.id)
            .where(tables.Escalation.ticket_id == ticket_id)
            .order_by(tables.Notice.id.desc())
            .limit(1)
        ).first()
        if found is None:
            return None
        escalation_id, state, notice_id = found
        return LatestNotice(escalation_id, state, notice_id)
