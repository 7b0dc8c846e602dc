"""The change feed: tells an open console that someone else changed the database.

Every change writes a change-log row in its own transaction, so "what changed
since N" is one indexed query. What wakes a console up differs by backend:

- SQLite: watchfiles on the database's directory (each commit touches the
  -wal file; the directory, because the WAL is deleted on last close), with a
  50 ms debounce. File events are only hints: `PRAGMA data_version`, which
  changes only when another connection commits, confirms them, and is also
  polled every `poll_seconds` as a safety net.
- PostgreSQL: LISTEN on the channel every change NOTIFYs at commit, and the
  newest id read on that same connection (a console's feed costs the server
  one connection). NOTIFY has no replay, so after a reconnect the feed reports
  a change to make the console resync.

The callback runs on the feed's own thread: hand the news to your event loop.

Commit order. "Since N" is only right if no change below N can become
visible after one above it. A sequence hands out ids at INSERT, in the order
transactions get there, not the order they commit: a transaction that took
id 10 and committed after the one that took 11 was skipped by a console that
had already read 11. So a change is only noted while its transaction runs
(`record_change`); as the transaction commits, it takes one transaction-level
advisory lock, inserts its rows (ids from the sequence, which must not cache)
and keeps the lock through COMMIT. PostgreSQL releases a transaction's locks
after its commit is visible, so the next writer takes its ids after this
commit can be seen: ids are in commit order, and a reader that sees id N sees
every smaller id there will ever be. A rolled-back transaction leaves a gap,
never a change behind the reader. SQLite has one writer at a time: its ids
are in commit order already.

Why not the other ways. Reading only below the oldest running transaction
(`pg_snapshot_xmin(pg_current_snapshot())` with `pg_current_xact_id()` on
each row) holds every console back by the longest write transaction in the
cluster: a bulk load or a forgotten psql session freezes every live queue for
as long, and the cursor becomes a pair. `pg_xact_commit_timestamp` needs
`track_commit_timestamp`, a server setting we cannot assume. The lock
serialises only the end of the transactions that change something, and there
they are serialised already: PostgreSQL holds one cluster-wide lock from the
pre-commit of every NOTIFYing transaction to the end of its commit, so that
its notification queue is in commit order (async.c, PreCommit_Notify). What
the advisory lock adds to that window is the change-log INSERT and the
client's COMMIT round trip. Measured on a durable server at 100,000 tickets:
the intake (one commit per 50 mails) took 477-507 mails/s before and 495-588
after; four processes adding notes back to back as fast as they could, a
median 186 notes/s before and 165 after (six interleaved pairs, two shared
cores). A desk of ten operators and the intake commits a few dozen times a
second. Nothing under the lock waits for a row lock: the transaction's other
rows are flushed first, and the change log names tickets without a foreign
key (migration 0009), so the lock can never close a cycle.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from console.database import Database
from console.operations.editing import CHANGE_CHANNEL
from models import ChangeLog

log = logging.getLogger(__name__)

DEBOUNCE_MS = 50
POLL_SECONDS = 1.5
# A console re-reads what it shows on each report. On a busy desk commits come
# faster than a re-read takes, and a console reporting each one re-read back to
# back: at 5,000,000 tickets a re-read costs PostgreSQL about 21 ms of CPU, so 30
# consoles would need more cores than the desk has. Two reports a second at most.
REPORT_EVERY = 0.5
_LATEST_CHANGE = "SELECT coalesce(max(id), 0) FROM changelog"


@dataclass(frozen=True)
class Change:
    id: int
    ticket_id: int | None
    topic: str


def latest_change(db: Database) -> int:
    with db.connect() as connection:
        return connection.execute(
            sa.select(sa.func.coalesce(sa.func.max(ChangeLog.id), 0))
        ).scalar()


def changes_since(db: Database, after_id: int, limit: int = 1000) -> list[Change]:
    """Changes after `after_id`, oldest first (at most `limit`; a console that is
    further behind re-reads what it shows instead)."""
    with db.connect() as connection:
        rows = connection.execute(
            sa.select(ChangeLog.id, ChangeLog.ticket_id, ChangeLog.topic)
            .where(ChangeLog.id > after_id)
            .order_by(ChangeLog.id)
            .limit(limit)
        ).all()
    return [Change(*row) for row in rows]


class ChangeFeed:
    """Calls `on_change(latest_id)` when the change log grows (from any process,
    this one included): at once after a quiet spell, then at most once per
    `report_every` while changes keep coming. `stop()` ends the thread within a
    fraction of a second."""

    def __init__(
        self,
        db: Database,
        on_change: Callable[[int], None],
        *,
        poll_seconds: float = POLL_SECONDS,
        report_every: float = REPORT_EVERY,
    ) -> None:
        self.db = db
        self.on_change = on_change
        self.poll_seconds = poll_seconds
        self.report_every = report_every
        self._reported_at = time.monotonic() - report_every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_seen = latest_change(db)

    def start(self) -> ChangeFeed:
        target = self._watch_postgres if self.db.is_postgres else self._watch_sqlite
        self._thread = threading.Thread(target=target, name="wmconsole-changes", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """Whether it still listens (a SQLite file that became unreadable ends it)."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _hold_back(self) -> None:
        self._stop.wait(max(0.0, self._reported_at + self.report_every - time.monotonic()))

    def _report_if_new(self, read_latest: Callable[[], int] | None = None) -> None:
        latest = read_latest() if read_latest else latest_change(self.db)
        if latest != self.last_seen:
            self.last_seen = latest
            self._reported_at = time.monotonic()
            self.on_change(latest)

    # SQLite -----------------------------------------------------------------------

    def _watch_sqlite(self) -> None:
        from watchfiles import watch

        path = self.db.sqlite_path
        assert path is not None
        names = {path.name, f"{path.name}-wal"}
        probe = sqlite3.connect(path, check_same_thread=False)
        try:
            version = _data_version(probe)
            for _ in watch(
                path.parent,
                watch_filter=lambda _change, changed: Path(changed).name in names,
                debounce=DEBOUNCE_MS,
                step=DEBOUNCE_MS,
                stop_event=self._stop,
                rust_timeout=int(self.poll_seconds * 1000),
                yield_on_timeout=True,
                recursive=False,
                raise_interrupt=False,
            ):
                current = _data_version(probe)
                if current != version:
                    version = current
                    self._hold_back()
                    self._safely(self._report_if_new)
        finally:
            probe.close()

    # PostgreSQL -------------------------------------------------------------------

    def _watch_postgres(self) -> None:
        import psycopg

        url = self.db.url.set(drivername="postgresql").render_as_string(hide_password=False)
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANGE_CHANNEL}")
                    backoff = 0.5

                    def read_latest() -> int:
                        return connection.execute(_LATEST_CHANGE).fetchone()[0]

                    # Anything committed while we were not listening.
                    self._report_if_new(read_latest)
                    while not self._stop.is_set():
                        for _ in connection.notifies(timeout=self.poll_seconds, stop_after=1):
                            pass
                        self._hold_back()
                        # One read for every notice that came meanwhile.
                        for _ in connection.notifies(timeout=0):
                            pass
                        self._report_if_new(read_latest)
            except psycopg.OperationalError as error:
                log.warning("change feed lost PostgreSQL (%s); reconnecting", error)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10)

    def _safely(self, check: Callable[[], None]) -> None:
        try:
            check()
        except sa.exc.OperationalError as error:
            log.warning("change feed could not read the change log: %s", error)


def _data_version(connection: sqlite3.Connection) -> int:
    return connection.execute("PRAGMA data_version").fetchone()[0]
