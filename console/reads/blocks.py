"""Reading WMID block requests: the decision queue supervisors work from, and
the requests on one ticket (read with the ticket, in reads.ticket)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from console.database import Database
from console.reads.block_view import BlockRequestView
from models import BlockRequest, BlockState, Operator, Ticket

_REQUESTER = aliased(Operator)


def _requests(*columns: Any) -> sa.Select:
    """A request's own columns (as BlockRequestView takes them first), then `columns`."""
    return (
        sa.select(
            BlockRequest.id,
            Ticket.number,
            BlockRequest.wmid,
            BlockRequest.reason,
            sa.type_coerce(BlockRequest.state, sa.String),
            _REQUESTER.login,
            BlockRequest.requested_at,
            *columns,
        )
        .join(Ticket, Ticket.id == BlockRequest.ticket_id)
        .join(_REQUESTER, _REQUESTER.id == BlockRequest.requested_by_id)
        .order_by(BlockRequest.requested_at, BlockRequest.id)
    )


def list_block_requests(
    db: Database, *, pending_only: bool = True, limit: int = 500
) -> list[BlockRequestView]:
    """Oldest waiting first: the longest wait is the most urgent."""
    decider = aliased(Operator)
    query = (
        _requests(decider.login, BlockRequest.decided_at, BlockRequest.decision_reason)
        .outerjoin(decider, decider.id == BlockRequest.decided_by_id)
        .limit(limit)
    )
    if pending_only:
        query = query.where(BlockRequest.state == BlockState.requested)
    with db.read() as session:
        rows = session.execute(query).all()
    return [BlockRequestView(*row) for row in rows]


def blocks_for_review(db: Database, *, limit: int = 500) -> list[BlockRequestView]:
    """Pending requests with their tickets, oldest first (the longest wait is the
    most urgent)."""
    holder = aliased(Operator)
    query = (
        _requests(
            Ticket.subject,
            sa.type_coerce(Ticket.status, sa.String),
            sa.type_coerce(Ticket.service, sa.String),
            Ticket.customer_wmid,
            Ticket.customer_email,
            holder.login,
        )
        .outerjoin(holder, holder.id == Ticket.assignee_id)
        .where(BlockRequest.state == BlockState.requested)
        .limit(limit)
    )
    with db.read() as session:
        rows = session.execute(query).all()
    return [
        BlockRequestView(
            *request,
            subject=subject,
            status=status,
            service=service,
            customer_wmid=customer_wmid,
            customer_email=customer_email,
            assignee=assignee,
        )
        for *request, subject, status, service, customer_wmid, customer_email, assignee in rows
    ]
