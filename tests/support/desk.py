"""The test desk's clock and tickets, shared by every test file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from console import operations
from console.desk import Desk

# A Wednesday inside support hours: 10:00 GMT.
WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@dataclass
class Clock:
    """The desk's time, moved by the test."""

    now: datetime = WEDNESDAY_10AM

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def new_ticket(desk: Desk, **overrides) -> int:
    """A confirmed ticket (the customer was signed in with a WMID)."""
    fields = {
        "service": "transfers",
        "subject": "Payment not delivered",
        "body": "I sent 100 WMZ and the payee got nothing.",
        "email": "customer@example.com",
        "wmid": "123456789012",
    }
    fields.update(overrides)
    return operations.create_ticket(desk, **fields).number
