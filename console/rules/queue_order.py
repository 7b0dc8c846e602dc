"""The queue's orders. Its own — escalation urgency, then SLA due time, then
age — is kept as two denormalised columns on the ticket so one index serves it:

- queue_rank: the most urgent open escalation (wmid_block 0 ... hotline 4),
  5 with none, and 9 for tickets nobody works (unconfirmed, archived, expired)
  so they sort after all live work;
- queue_due: due_at, or the far future while the clock is stopped.

escalation_flags holds the open escalation kinds as bits, for the badges.

The other orders an operator may pick (`o` cycles them) are one column and the
id, each served by an index on (queue_rank, column, id, assignee_id): the queue
reads each rank's stretch of it in order and merges them, so a page costs the
same at a million tickets, live work or the archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from models import ACTIVE_STATUSES, EscalationKind, Status

ESCALATION_ORDER: tuple[EscalationKind, ...] = tuple(EscalationKind)
NO_ESCALATION_RANK = len(ESCALATION_ORDER)
NOT_WORKED_RANK = 9
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)
LIVE_RANKS = tuple(range(NO_ESCALATION_RANK + 1))


class SortOrder(StrEnum):
    """What the queue is sorted by, in the order `o` cycles through them; the
    best match first (relevance, queue order within) only while searching."""

    sla = "sla"
    age = "age"
    customer = "customer"
    updated = "updated"
    relevance = "relevance"

    @property
    def column_names(self) -> tuple[str, ...]:
        """The ticket's columns this order sorts on, the id last."""
        return _ORDER_COLUMNS[self]

    @property
    def columns(self) -> tuple[Any, ...]:
        """The same columns as the ORM's (loaded on first use: the command
        line's quick path reads these rules without it)."""
        from models import Ticket

        return tuple(getattr(Ticket, name) for name in self.column_names)

    @property
    def descending(self) -> bool:
        """Newest first: the last customer message, the last change."""
        return self in (SortOrder.customer, SortOrder.updated)

    @property
    def by_rank(self) -> bool:
        """Whether the order is read one queue rank at a time and merged."""
        return self != SortOrder.sla

    def next(self) -> SortOrder:
        """The next of the queue's orders (best match is for searching, apart)."""
        if self not in QUEUE_ORDERS:
            return SortOrder.sla
        return QUEUE_ORDERS[(QUEUE_ORDERS.index(self) + 1) % len(QUEUE_ORDERS)]


# The orders `o` cycles through and `--order` names apart from relevance.
QUEUE_ORDERS = tuple(order for order in SortOrder if order != SortOrder.relevance)
_ORDER_COLUMNS: dict[SortOrder, tuple[str, ...]] = {
    SortOrder.sla: ("queue_rank", "queue_due", "created_at", "id"),
    SortOrder.age: ("created_at", "id"),
    SortOrder.customer: ("last_customer_at", "id"),
    SortOrder.updated: ("updated_at", "id"),
    SortOrder.relevance: ("queue_rank", "queue_due", "created_at", "id"),
}


def escalation_bit(kind: EscalationKind) -> int:
    return 1 << ESCALATION_ORDER.index(kind)


def flags_of(kinds: Iterable[EscalationKind]) -> int:
    flags = 0
    for kind in kinds:
        flags |= escalation_bit(kind)
    return flags


def kinds_of(flags: int) -> list[EscalationKind]:
    """Most urgent first."""
    return [kind for kind in ESCALATION_ORDER if flags & escalation_bit(kind)]


def queue_rank(status: Status, flags: int) -> int:
    if status not in ACTIVE_STATUSES:
        return NOT_WORKED_RANK
    for rank, kind in enumerate(ESCALATION_ORDER):
        if flags & escalation_bit(kind):
            return rank
    return NO_ESCALATION_RANK


def queue_due(due_at: datetime | None) -> datetime:
    return FAR_FUTURE if due_at is None else due_at


def __getattr__(name: str) -> Any:
    """QUEUE_ORDER, the columns the queue is sorted on (the one index over them
    serving every page), made on first use: the rest of these rules are read by
    the command line's quick path, which never loads the ORM."""
    if name == "QUEUE_ORDER":
        return SortOrder.sla.columns
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
