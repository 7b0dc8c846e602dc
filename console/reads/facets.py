"""The cells behind the filter bar's counts (console.reads.facet_counts): read
from the ticket tally (plus an index-only count of what is past due), or over
the matches when a search narrows the set."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from console.reads.facet_counts import Cell, tallied_cells
from console.rules.tally import tally_cells
from console.rules.tally_key import UNASSIGNED
from models import Ticket

# The moment a count or a page is read as of: what "past due" is measured against.
NOW = sa.bindparam("now", type_=Ticket.__table__.c.due_at.type)
# The start of its day (GMT): "answered by me today" counts from it.
TODAY = sa.bindparam("today", type_=Ticket.__table__.c.answered_at.type)


# Plain strings here: enum conversion of every cell costs more than the query.
_GROUP = (
    sa.type_coerce(Ticket.status, sa.String),
    sa.type_coerce(Ticket.service, sa.String),
    sa.func.coalesce(Ticket.assignee_id, UNASSIGNED),
    Ticket.escalation_flags,
)
PAST_DUE = Ticket.due_at < NOW
# What is past due, by tally cell: an index-only count.
PAST_DUE_CELLS = sa.select(*_GROUP, sa.func.count()).where(PAST_DUE).group_by(*_GROUP)


def read_parameters(now: datetime) -> dict[str, Any]:
    """The moment a page or a count is read as of, and the start of its day."""
    return {"now": now, "today": now.replace(hour=0, minute=0, second=0, microsecond=0)}


def count_cells(
    connection: sa.Connection,
    now: datetime,
    narrowing: Sequence[sa.ColumnElement[bool]],
    *,
    past_due_only: bool,
) -> list[Cell]:
    """The tickets counted by (status, service, assignee id or 0, escalation
    flags), with how many of each are past due: over the whole table, narrowed
    only by the SLA filter and `narrowing` (a search, "answered by me today").
    Without narrowing this is the small tally table plus an index-only count
    of what is past due."""
    parameters = read_parameters(now)
    if narrowing:
        overdue = sa.func.sum(sa.case((PAST_DUE, 1), else_=0))
        query = sa.select(*_GROUP, sa.func.count(), overdue).where(*narrowing).group_by(*_GROUP)
        if past_due_only:
            query = query.where(PAST_DUE)
        return [Cell(*row) for row in connection.execute(query, parameters)]
    past_due = connection.execute(PAST_DUE_CELLS, parameters).all()
    if past_due_only:
        return [Cell(*row[:4], row[4], row[4]) for row in past_due]
    return tallied_cells(tally_cells(connection), past_due)
