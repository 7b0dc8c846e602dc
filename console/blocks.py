"""Reading WMID block requests: the decision queue supervisors work from."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
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
