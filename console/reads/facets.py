"""The filter bar's counts: for each choice, how many tickets match with the
other filters applied. Counted from the ticket tally (plus an index-only count
of what is past due), or over the matches when a search narrows the set."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from console.reads.queue_filter import Assignee, QueueFilter
from console.rules.queue_order import escalation_bit, flags_of
from console.rules.tally import UNASSIGNED, tally_cells
from models import EscalationKind, Service, Status, Ticket

# The moment a count or a page is read as of: what "past due" is measured against.
NOW = sa.bindparam("now", type_=Ticket.__table__.c.due_at.type)
# The start of its day (GMT): "answered by me today" counts from it.
TODAY = sa.bindparam("today", type_=Ticket.__table__.c.answered_at.type)


def read_parameters(now: datetime) -> dict[str, Any]:
    """The moment a page or a count is read as of, and the start of its day."""
    return {"now": now, "today": now.replace(hour=0, minute=0, second=0, microsecond=0)}


@dataclass(frozen=True)
class Facets:
    """Counts for each choice of the filter bar, each with the other filters applied."""

    total: int
    statuses: dict[Status, int] = field(default_factory=dict)
    services: dict[Service, int] = field(default_factory=dict)
    escalations: dict[EscalationKind, int] = field(default_factory=dict)
    assignees: dict[str, int] = field(default_factory=dict)
    breached: int = 0
    # False for a search of the whole desk: the total and what is past due,
    # counted from the search index, without the count of each choice.
    itemised: bool = True


class Cell(NamedTuple):
    status: str
    service: str
    assignee_id: int
    escalation_flags: int
    tickets: int
    breached: int


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
    # Plain strings here: enum conversion of every cell costs more than the query.
    group = (
        sa.type_coerce(Ticket.status, sa.String),
        sa.type_coerce(Ticket.service, sa.String),
        sa.func.coalesce(Ticket.assignee_id, UNASSIGNED),
        Ticket.escalation_flags,
    )
    past_due = Ticket.due_at < NOW
    parameters = read_parameters(now)
    if narrowing:
        overdue = sa.func.sum(sa.case((past_due, 1), else_=0))
        query = sa.select(*group, sa.func.count(), overdue).where(*narrowing).group_by(*group)
        if past_due_only:
            query = query.where(past_due)
        return [Cell(*row) for row in connection.execute(query, parameters)]
    breached = {
        tuple(row[:4]): row[4]
        for row in connection.execute(
            sa.select(*group, sa.func.count()).where(past_due).group_by(*group),
            parameters,
        )
    }
    if past_due_only:
        return [Cell(*key, count, count) for key, count in breached.items()]
    return [Cell(*row, breached.get(tuple(row[:4]), 0)) for row in tally_cells(connection)]


def facets_from_cells(
    cells: Sequence[Cell], f: QueueFilter, viewer_id: int | None, login_id: int | None
) -> Facets:
    statuses = {s.value for s in (f.statuses or frozenset(Status))}
    services = {s.value for s in f.services}
    mask = flags_of(f.escalations)
    viewer = viewer_id if viewer_id is not None else -1
    scope_members: dict[str, Callable[[int], bool]] = {
        Assignee.anyone: lambda _: True,
        Assignee.unassigned: lambda a: a == UNASSIGNED,
        Assignee.mine: lambda a: a == viewer,
        Assignee.mine_or_unassigned: lambda a: a in (UNASSIGNED, viewer),
    }
    chosen = scope_members.get(f.assignee, lambda a: a == login_id)
    bits = [(kind, escalation_bit(kind)) for kind in EscalationKind]

    by_status: Counter[str] = Counter()
    by_service: Counter[str] = Counter()
    by_escalation: Counter[EscalationKind] = Counter()
    by_assignee: Counter[str] = Counter()
    total = breached = 0
    for status, service, assignee_id, flags, tickets, overdue in cells:
        status_ok = status in statuses
        service_ok = not services or service in services
        escalation_ok = not mask or bool(flags & mask)
        assignee_ok = chosen(assignee_id)
        if service_ok and escalation_ok and assignee_ok:
            by_status[status] += tickets
        if status_ok and escalation_ok and assignee_ok:
            by_service[service] += tickets
        if flags and status_ok and service_ok and assignee_ok:
            for kind, bit in bits:
                if flags & bit:
                    by_escalation[kind] += tickets
        if status_ok and service_ok and escalation_ok:
            for scope, member in scope_members.items():
                if member(assignee_id):
                    by_assignee[scope] += tickets
            if assignee_ok:
                total += tickets
                breached += overdue
    return Facets(
        total=total,
        statuses={Status(name): count for name, count in by_status.items()},
        services={Service(name): count for name, count in by_service.items()},
        escalations=dict(by_escalation),
        assignees=dict(by_assignee),
        breached=breached,
    )
