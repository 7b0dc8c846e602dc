"""The queue's order — escalation urgency, then SLA due time, then age — kept as
two denormalised columns on the ticket so one index serves it:

- queue_rank: the most urgent open escalation (wmid_block 0 ... hotline 4),
  5 with none, and 9 for tickets nobody works (unconfirmed, archived, expired)
  so they sort after all live work;
- queue_due: due_at, or the far future while the clock is stopped.

escalation_flags holds the open escalation kinds as bits, for the badges.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from models import ACTIVE_STATUSES, EscalationKind, Status

ESCALATION_ORDER: tuple[EscalationKind, ...] = tuple(EscalationKind)
NO_ESCALATION_RANK = len(ESCALATION_ORDER)
NOT_WORKED_RANK = 9
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)


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
        from models import Ticket

        return (Ticket.queue_rank, Ticket.queue_due, Ticket.created_at, Ticket.id)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
