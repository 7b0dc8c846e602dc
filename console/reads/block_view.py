"""One WMID block request as every reader shows it: the decision queue
(console.reads.blocks), the ticket's own requests (console.reads.ticket) and the
command line's quick path, which makes them without SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from console.json_values import json_value

# What a script reads of a request (`block list --json`, `stats --json`).
_REQUEST_FIELDS = (
    "id",
    "number",
    "wmid",
    "reason",
    "state",
    "requested_by",
    "requested_at",
    "decided_by",
    "decided_at",
    "decision_reason",
)


@dataclass(frozen=True)
class BlockRequestView:
    """One WMID block request: who asked to block which WMID on which ticket and
    why, and the decision once there is one. Read for the decision queue
    (blocks_for_review) it also carries what the decider needs of its ticket."""

    id: int
    number: int
    wmid: str
    reason: str
    state: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    subject: str = ""
    status: str = ""
    service: str = ""
    customer_wmid: str | None = None
    customer_email: str | None = None
    assignee: str | None = None

    def waiting(self, now: datetime) -> timedelta:
        return now - self.requested_at

    def as_json(self) -> dict[str, Any]:
        return json_value({name: getattr(self, name) for name in _REQUEST_FIELDS})
