"""The dashboard's open work from the ticket tally's cells. Plain Python: a
console opened on the dashboard paints it from cells read with the DB-API
(console.reads.quick) before SQLAlchemy has loaded; console.reads.stats reads
the rest of the desk."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from console.rules.queue_order import kinds_of
from console.rules.tally_key import UNASSIGNED
from models import ACTIVE_STATUSES


def live_total(open_work: dict[str, dict[str, int]]) -> int:
    """Every live ticket: waiting for the desk, or answered and waiting for the customer."""
    return sum(sum(row.values()) for row in open_work.values())


def live_work(
    tally: Iterable[Sequence],
) -> tuple[dict[str, dict[str, int]], Counter[str], Counter[int]]:
    """From the tally's cells (status, service, assignee id, flags, tickets): the
    live tickets by service and status, by open escalation, and by holder."""
    active = {status.value for status in ACTIVE_STATUSES}
    open_work: dict[str, dict[str, int]] = defaultdict(dict)
    escalations: Counter[str] = Counter()
    held: Counter[int] = Counter()
    for status, service, assignee_id, flags, tickets, *_ in tally:
        if status not in active:
            continue
        open_work[service][status] = open_work[service].get(status, 0) + tickets
        for kind in kinds_of(flags):
            escalations[kind.value] += tickets
        if assignee_id != UNASSIGNED:
            held[assignee_id] += tickets
    return {service: dict(row) for service, row in sorted(open_work.items())}, escalations, held
