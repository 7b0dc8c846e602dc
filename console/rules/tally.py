"""The ticket tally behind the filter bar's counts (models.TicketTally).

Every ticket change moves one ticket from its old (status, service, assignee,
escalations) cell to its new one, in the same transaction as the change.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from console.rules.tally_key import UNASSIGNED, TallyKey
from models import Ticket, TicketTally


def tally_key(ticket: Ticket) -> TallyKey:
    return TallyKey(
        ticket.status, ticket.service, ticket.assignee_id or UNASSIGNED, ticket.escalation_flags
    )


def _upsert(dialect: str) -> sa.Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = TicketTally.__table__
    return insert(table).on_conflict_do_update(
        index_elements=list(TallyKey._fields),
        set_={"tickets": table.c.tickets + sa.bindparam("delta", type_=sa.Integer)},
    )


# One upsert per dialect, built once: every ticket change runs it.
_UPSERTS = {dialect: _upsert(dialect) for dialect in ("sqlite", "postgresql")}


def _add(connection: sa.Connection, key: TallyKey, delta: int) -> None:
    connection.execute(
        _UPSERTS[connection.dialect.name], {**key._asdict(), "tickets": delta, "delta": delta}
    )


def move(session: Session, before: TallyKey | None, after: TallyKey) -> None:
    if before == after:
        return
    connection = session.connection()
    if before is not None:
        _add(connection, before, -1)
    _add(connection, after, +1)


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


# Every non-empty cell as (status, service, assignee id or 0, escalation flags,
# tickets). Plain strings: converting thousands of cells to enums costs more than
# reading them.
TALLY_CELLS = sa.select(
    sa.type_coerce(TicketTally.status, sa.String),
    sa.type_coerce(TicketTally.service, sa.String),
    TicketTally.assignee_id,
    TicketTally.escalation_flags,
    TicketTally.tickets,
).where(TicketTally.tickets > 0)


def tally_cells(connection: sa.Connection) -> list[tuple[str, str, int, int, int]]:
    return [tuple(row) for row in connection.execute(TALLY_CELLS)]
