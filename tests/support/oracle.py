"""The tickets read plainly, straight from the table, for counting independently
of the queue, the tally and the dashboard that the tests check."""

from __future__ import annotations

import sqlalchemy as sa

from console.desk import Desk
from models import Operator, Ticket


def tickets_plainly(desk: Desk) -> list[sa.Row]:
    """Every ticket's filterable and clock fields, with its holder's login."""
    with desk.db.read() as session:
        return session.execute(
            sa.select(
                Ticket.number,
                Ticket.status,
                Ticket.service,
                Ticket.escalation_flags,
                Ticket.due_at,
                Ticket.created_at,
                Ticket.waiting_since,
                Operator.login,
                Ticket.id,
                Ticket.last_customer_at,
                Ticket.updated_at,
                Ticket.answered_at,
            ).outerjoin(Operator, Operator.id == Ticket.assignee_id)
        ).all()
