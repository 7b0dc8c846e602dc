"""The filter bar's counts from the tally's cells: for each choice, how many
tickets match with the other filters applied. Plain Python, so the console's
first paint counts from cells read with the DB-API (console.reads.quick)
before SQLAlchemy has loaded; console.reads.facets reads the cells."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from console.reads.queue_filter import Assignee, QueueFilter
from console.rules.queue_order import escalation_bit, flags_of
from console.rules.tally_key import UNASSIGNED
from models import EscalationKind, Service, Status


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
    # Not counted yet: the total is PostgreSQL's estimate, or the rows read so
    # far, shown with the first page while the count runs (a whole-desk search).
    estimated: bool = False


class Cell(NamedTuple):
    status: str
    service: str
    assignee_id: int
    escalation_flags: int
    tickets: int
    breached: int


def tallied_cells(tally: Iterable[Sequence], past_due: Iterable[Sequence]) -> list[Cell]:
    """The tally's cells (status, service, assignee id, flags, tickets), each with
    how many of its tickets are past due (cells of the same key and a count)."""
    breached = {tuple(row[:4]): row[4] for row in past_due}
    return [Cell(*row, breached.get(tuple(row[:4]), 0)) for row in tally]


def facets_from_cells(
    cells: Iterable[Cell], f: QueueFilter, viewer_id: int | None, login_id: int | None
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
