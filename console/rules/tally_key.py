"""Where the ticket tally counts a ticket: the cell of its status, service,
holder (UNASSIGNED for nobody) and escalation flags. Plain Python, so the
console's first paint reads the tally before SQLAlchemy has loaded
(console.reads.quick); the tally itself is console.rules.tally."""

from __future__ import annotations

from typing import NamedTuple

from models import Service, Status

UNASSIGNED = 0


class TallyKey(NamedTuple):
    status: Status
    service: Service
    assignee_id: int
    escalation_flags: int
