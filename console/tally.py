"""The ticket tally behind the filter bar's counts (models.TicketTally).

Every ticket change moves one ticket from its old (status, service, assignee,
escalations) cell to its new one, in the same transaction as the change.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models import Service, Status, Ticket, TicketTally

UNASSIGNED = 0


class TallyKey(NamedTuple):
    status: Status
    service: Service
    assignee_id: int
    escalation_flags: int


def tally_key(ticket: Ticket) -> TallyKey:
    return TallyKey(
        ticket.status, ticket.service, ticket.assignee_id or UNASSIGNED, ticket.escalation_flags
    )


def _add(connection: sa.Connection | Session, key: TallyKey, delta: int) -> None:
    dialect = (
        connection.get_bind().dialect.name
        if isinstance(connection, Session)
        else (connection.dialect.name)
    )
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TicketTally).values(**key._asdict(), tickets=delta)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=list(TallyKey._fields),
            set_={"tickets": TicketTally.tickets + delta},
        )
    )


def move(session: Session, before: TallyKey | None, after: TallyKey) -> None:
    if before == after:
        return
    if before is not None:
        _add(session, before, -1)
    _add(session, after, +1)


def rebuild(connection: sa.Connection) -> None:
    """Recount from the tickets (after a bulk load)."""
    connection.execute(sa.delete(TicketTally))
    columns = [
        Ticket.status,
        Ticket.service,
        sa.func.coalesce(Ticket.assignee_id, UNASSIGNED),
        Ticket.escalation_flags,
    ]
    connection.execute(
        sa.insert(TicketTally).from_select(
            [*TallyKey._fields, "tickets"],
            sa.select(*columns, sa.func.count()).group_by(*columns),
        )
    )


def tally_cells(connection: sa.Connection) -> list[tuple[str, str, int, int, int]]:
    """Every non-empty cell as (status, service, assignee id or 0, escalation
    flags, tickets). Plain strings: converting thousands of cells to enums costs
    more than reading them."""
    return [
        tuple(row)
        for row in connection.execute(
            sa.select(
                sa.type_coerce(TicketTally.status, sa.String),
                sa.type_coerce(TicketTally.service, sa.String),
                TicketTally.assignee_id,
                TicketTally.escalation_flags,
                TicketTally.tickets,
            ).where(TicketTally.tickets > 0)
        )
    ]
