"""One row of the queue as every reader gets it: the ORM's Core reads
(console.reads.queue) and the command line's quick path (console.reads.quick),
which must not load SQLAlchemy to make one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.rules.queue_order import SortOrder, kinds_of
from models import EscalationKind, Service, Status

# Where a row sorts in its order: the order's columns' values, the id last (after
# minus its relevance, sorted by best match).
QueueKey = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    number: int
    service: Service
    status: Status
    subject: str
    customer_wmid: str | None
    customer_email: str | None
    assignee: str | None
    created_at: datetime
    due_at: datetime | None
    escalation_flags: int
    queue_rank: int
    queue_due: datetime
    version: int
    # Whether it is held too long: since when the customer waits, and the holder holds.
    waiting_since: datetime | None = None
    assigned_at: datetime | None = None
    last_customer_at: datetime | None = None
    updated_at: datetime | None = None
    # The order it was read in: its key is where it sorts in that order.
    order: SortOrder = SortOrder.sla
    # How well it matches the search, when sorted by that (SortOrder.relevance).
    relevance: int | None = None

    @property
    def key(self) -> QueueKey:
        key = tuple(getattr(self, name) for name in self.order.column_names)
        return key if self.relevance is None else (-self.relevance, *key)

    @property
    def held_waiting_since(self) -> datetime | None:
        """Since when its holder has held it with the customer waiting: from the
        later of the take and the customer's unanswered message (None when nobody
        holds it or nobody waits)."""
        if self.assignee is None or self.waiting_since is None:
            return None
        return max(self.waiting_since, self.assigned_at or self.waiting_since)

    @property
    def escalations(self) -> list[EscalationKind]:
        return kinds_of(self.escalation_flags)
