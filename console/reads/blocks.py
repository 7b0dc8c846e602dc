"""Reading WMID block requests: the decision queue supervisors work from."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from console.database import Database
from console.json_values import json_value
from models import BlockRequest, BlockState, Operator, Ticket


@dataclass(frozen=True)
class BlockRequestView:
    id: int
    number: int
    wmid: str
    reason: str
    state: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None

    def as_json(self) -> dict[str, Any]:
        return json_value(asdict(self))


def list_block_requests(
    db: Database, *, pending_only: bool = True, limit: int = 500
) -> list[BlockRequestView]:
    """Oldest waiting first: the longest wait is the most urgent."""
    requester = aliased(Operator)
    decider = aliased(Operator)
    query = (
        sa.select(
            BlockRequest.id,
            Ticket.number,
            BlockRequest.wmid,
            BlockRequest.reason,
            BlockRequest.state,
            requester.login,
            BlockRequest.requested_at,
            decider.login,
            BlockRequest.decided_at,
            BlockRequest.decision_reason,
        )
        .join(Ticket, Ticket.id == BlockRequest.ticket_id)
        .join(requester, requester.id == BlockRequest.requested_by_id)
        .outerjoin(decider, decider.id == BlockRequest.decided_by_id)
        .order_by(BlockRequest.requested_at, BlockRequest.id)
        .limit(limit)
    )
    if pending_only:
        query = query.where(BlockRequest.state == BlockState.requested)
    with db.read() as session:
        rows = session.execute(query).all()
    return [
        BlockRequestView(
            id=row[0],
            number=row[1],
            wmid=row[2],
            reason=row[3],
            state=row[4].value,
            requested_by=row[5],
            requested_at=row[6],
            decided_by=row[7],
            decided_at=row[8],
            decision_reason=row[9],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class BlockForReview:
    """A request waiting for a decision, with what the decider needs of its ticket."""

    id: int
    wmid: str
    reason: str
    requested_by: str
    requested_at: datetime
    number: int
    subject: str
    status: str
    service: str
    customer_wmid: str | None
    customer_email: str | None
    assignee: str | None

    def waiting(self, now: datetime) -> timedelta:
        return now - self.requested_at


def blocks_for_review(db: Database, *, limit: int = 500) -> list[BlockForReview]:
    """Pending requests, oldest first (the longest wait is the most urgent)."""
    requester = aliased(Operator)
    holder = aliased(Operator)
    query = (
        sa.select(
            BlockRequest.id,
            BlockRequest.wmid,
            BlockRequest.reason,
            requester.login,
            BlockRequest.requested_at,
            Ticket.number,
            Ticket.subject,
            sa.type_coerce(Ticket.status, sa.String),
            sa.type_coerce(Ticket.service, sa.String),
            Ticket.customer_wmid,
            Ticket.customer_email,
            holder.login,
        )
        .join(Ticket, Ticket.id == BlockRequest.ticket_id)
        .join(requester, requester.id == BlockRequest.requested_by_id)
        .outerjoin(holder, holder.id == Ticket.assignee_id)
        .where(BlockRequest.state == BlockState.requested)
        .order_by(BlockRequest.requested_at, BlockRequest.id)
        .limit(limit)
    )
    with db.read() as session:
        rows = session.execute(query).all()
    return [BlockForReview(*row) for row in rows]
