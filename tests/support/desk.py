"""The test desk's clock and tickets, shared by every test file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from console import operations
from console.database import Database
from console.desk import Desk
from console.reads.queue import QueueRow
from console.settings import Settings
from models import Service, Status

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


def settings_in(folder: Path) -> Settings:
    """The defaults, with this host's state (kept drafts) and the log file in `folder`."""
    return Settings(state_dir=str(folder / "state"), log_file=str(folder / "wmconsole.log"))


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


def queue_row(**fields) -> QueueRow:
    """A queue line as the queue reads it, made up with no database: ticket
    100001, open, unassigned, created at the test clock's start."""
    created_at = fields.get("created_at", WEDNESDAY_10AM)
    row = {
        "id": 1,
        "number": 100001,
        "service": Service.transfers,
        "status": Status.open,
        "subject": "Payment not delivered",
        "customer_wmid": "123456789012",
        "customer_email": "customer@example.com",
        "assignee": None,
        "created_at": created_at,
        "due_at": None,
        "escalation_flags": 0,
        "queue_rank": 0,
        "queue_due": created_at,
        "version": 1,
    }
    row.update(fields)
    return QueueRow(**row)


class FullDisk:
    """A SQLite database as on a full disk: from now on no connection may grow
    it by more than `spare_pages` (PRAGMA max_page_count is per connection, so
    the pool starts afresh and each new connection is limited), until `lift()`."""

    def __init__(self, db: Database, spare_pages: int = 0) -> None:
        self.db = db
        with db.engine.connect() as connection:
            self.pages = connection.exec_driver_sql("PRAGMA page_count").scalar() + spare_pages
        db.engine.dispose()
        sa.event.listen(db.engine, "connect", self._limit)

    def _limit(self, dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA max_page_count = {self.pages}")
        cursor.close()

    def lift(self) -> None:
        sa.event.remove(self.db.engine, "connect", self._limit)
        self.db.engine.dispose()


def all_rows(queue, f, now, page=37):
    """Every row of the queue under filter `f`, read page by page as the console does."""
    rows, key = [], None
    while True:
        chunk = queue.page(f, now, after=key, limit=page)
        rows.extend(chunk)
        if len(chunk) < page:
            return rows
        key = chunk[-1].key
