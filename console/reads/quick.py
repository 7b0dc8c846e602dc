"""The command line's quick path: the reads a script runs in a loop, on the
DB-API alone (sqlite3, psycopg), with SQL compiled ahead of time from the ORM
path's own statements (console/reads/precompiled.py). Importing SQLAlchemy,
SQLModel and the tables costs most of a second; a script calling
`wmconsole tickets --json` a thousand times pays that a thousand times.

It covers the plain case only, and says so by returning None, for the full path
to answer (and to explain any refusal): the database named by a path,
sqlite:///PATH or postgresql://; a schema at this wmconsole's head; a login the
database knows and this connection may act for. Any error on the way is the
full path's to report too. On SQLite it opens the file read-only; on
PostgreSQL it connects as the signed-in role, as every other read does
(console.identity).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from console.identity import sqlite_identity
from console.reads.facet_counts import Cell, tallied_cells
from console.reads.precompiled import SCHEMA_HEAD, STATEMENTS
from console.reads.queue_filter import QueueFilter, opening_view
from console.reads.queue_row import QueueRow
from console.reads.ticket_detail import TicketDetail, read_ticket
from models import Role, Service, Status

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SQLITE_BUSY_TIMEOUT_S = 30.0
# One statement reads this many rows; the full path pages past it.
MOST_ROWS = 500
# The opening view's rows the console paints first: a page of the queue's pager
# (screens.queue.pager.PAGE_SIZE, which a test keeps equal).
OPENING_ROWS = 100


class _NotPlain(Exception):
    """Not a case the quick path covers: the full path answers."""


class _Reader:
    """One DB-API connection, and who is at it."""

    def __init__(self, url: str) -> None:
        if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            import psycopg

            self.dialect = "postgresql"
            conninfo = "postgresql://" + url.split("://", 1)[1]
            # One transaction, rolled back at close, as the ORM path's read session.
            self.connection = psycopg.connect(conninfo, connect_timeout=10)
            self.login = self.value("SELECT session_user::text", {})
            self.owner = False
        else:
            path = _sqlite_path(url)
            import sqlite3

            self.dialect = "sqlite"
            self.connection = sqlite3.connect(
                f"{path.as_uri()}?mode=ro",
                uri=True,
                timeout=_SQLITE_BUSY_TIMEOUT_S,
                isolation_level=None,
            )
            # Every statement of a ticket's read sees one snapshot, as in the ORM
            # path's read session.
            self.connection.execute("BEGIN")
            identity = sqlite_identity(path)
            self.login, self.owner = identity.login, identity.owner
        if self.value("SELECT version_num FROM alembic_version", {}) != SCHEMA_HEAD:
            self.close()
            raise _NotPlain

    def value(self, sql: str, parameters: dict[str, Any]) -> Any:
        row = self.connection.execute(sql, parameters).fetchone()
        return None if row is None else row[0]

    def rows(self, name: str, parameters: dict[str, Any]) -> list[tuple]:
        """The rows of a precompiled statement, each column as the ORM path reads it."""
        statement = STATEMENTS[name]
        sql, constants = statement["sql"][self.dialect]
        cursor = self.connection.execute(sql, {**constants, **parameters})
        self.columns = [column[0] for column in cursor.description]
        datetimes = [self.columns.index(column) for column in statement["datetimes"]]
        # psycopg decodes json itself.
        texts = statement["json"] if self.dialect == "sqlite" else ()
        json_texts = [self.columns.index(column) for column in texts]
        return [_as_read(row, datetimes, json_texts, self.dialect) for row in cursor.fetchall()]

    def objects(self, name: str, parameters: dict[str, Any]) -> list[Any]:
        """The rows of a statement that selects an ORM entity, as attributes."""
        rows = self.rows(name, parameters)
        return [SimpleNamespace(**dict(zip(self.columns, row, strict=True))) for row in rows]

    def acting(self, login: str | None) -> str:
        """Who the command acts for, when this connection may act for them."""
        if login is None or login == self.login:
            return self.login
        if self.dialect == "sqlite" and self.owner:
            return login
        raise _NotPlain

    def close(self) -> None:
        self.connection.close()


def _sqlite_path(url: str) -> Path:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
    elif "://" in url:
        raise _NotPlain
    else:
        path = url
    resolved = Path(path).expanduser().absolute()
    if not resolved.is_file():
        raise _NotPlain
    return resolved


def _as_read(row: tuple, datetimes: list[int], json_texts: list[int], dialect: str) -> tuple:
    """The row with its UTCDateTime columns (models.tables) and JSON columns as
    the ORM path reads them."""
    values = list(row)
    for index in datetimes:
        value = values[index]
        if value is None:
            continue
        if dialect == "sqlite":
            values[index] = _EPOCH + timedelta(microseconds=value)
        else:
            values[index] = value.replace(tzinfo=UTC)
    for index in json_texts:
        if values[index] is not None:
            values[index] = json.loads(values[index])
    return tuple(values)


def _failures() -> tuple[type[Exception], ...]:
    """What sends a read to the full path: psycopg's errors only once it is loaded
    (for a PostgreSQL URL), so reading SQLite never pays for importing it."""
    import sqlite3

    psycopg = sys.modules.get("psycopg")
    drivers = (sqlite3.Error,) if psycopg is None else (sqlite3.Error, psycopg.Error)
    return (_NotPlain, OSError, *drivers)


def _reading(url: str | None, read: Callable[[_Reader], Any]) -> Any:
    """What `read` returns, or None for the full path; no URL (the default
    database) is the full path's too."""
    if url is None:
        return None
    try:
        reader = _Reader(url)
    except _failures():
        return None
    try:
        return read(reader)
    except _failures():
        return None
    finally:
        reader.close()


def opening_queue(url: str | None, login: str | None, limit: int) -> list[QueueRow] | None:
    """`tickets` with no filter: the first `limit` rows of the opening view for
    `login` (or whoever the connection is), or None for the full path."""
    if limit > MOST_ROWS:
        return None

    def read(reader: _Reader) -> list[QueueRow] | None:
        viewer = reader.value(*_viewer_sql(reader.dialect, reader.acting(login)))
        if viewer is None:
            return None
        rows = reader.rows("queue_first_page", {"viewer_id": viewer, "limit": limit, "offset": 0})
        return [_queue_row(row) for row in rows]

    return _reading(url, read)


def ticket(url: str | None, number: int) -> TicketDetail | None:
    """`ticket N`: the ticket as console.reads.ticket.load_ticket reads it, or None
    for the full path (which also says when there is no such ticket)."""

    def read(reader: _Reader) -> TicketDetail | None:
        def fetch(name: str, parameters: dict[str, Any]) -> list[Any]:
            if name in ("logins", "other_tickets"):
                return reader.rows(name, parameters)
            return reader.objects(name, parameters)

        return read_ticket(fetch, number)

    return _reading(url, read)


@dataclass(frozen=True)
class OperatorCard:
    """Who is at the console: the columns of models.Operator the screens read."""

    id: int
    login: str
    name: str
    role: Role
    active: bool


@dataclass(frozen=True)
class Opening:
    """What the full-screen console paints first, read before the ORM has loaded:
    the operator, their saved queue filter and columns, the opening view's first
    rows and the tally's cells for the counts, all as of `at`."""

    operator: OperatorCard
    saved_filter: dict[str, Any] | None
    saved_columns: dict[str, Any] | None
    # The first rows of the operator's role's opening view (`view`, in its own
    # order), whatever filter they saved: console.reads.precompile has those two.
    view: QueueFilter
    first_page: list[QueueRow]
    cells: list[Cell]
    at: datetime


def console_opening(url: str, login: str | None, *, now: datetime) -> Opening | None:
    """The full-screen console's first reads for `login` (or whoever the
    connection is), or None for the full path (which also explains a refusal:
    no such operator, one who may not sign in, another's login)."""

    def read(reader: _Reader) -> Opening | None:
        acting = reader.acting(login)
        operators = reader.rows("operator_card", {"login": acting})
        if not operators:
            return None
        id_, login_, name, role_name, active = operators[0]
        if not active:
            return None
        role = Role(role_name)

        def saved(key: str) -> Any:
            rows = reader.rows("preference", {"login": acting, "key": key})
            return rows[0][0] if rows else None

        page = {"viewer_id": id_, "limit": OPENING_ROWS, "offset": 0}
        security = role == Role.security
        first_page = reader.rows("security_first_page" if security else "queue_first_page", page)
        past_due = reader.rows("past_due_cells", {"now": _bound_moment(now, reader.dialect)})
        return Opening(
            operator=OperatorCard(id_, login_, name, role, bool(active)),
            saved_filter=saved("queue_filter"),
            saved_columns=saved("queue_columns"),
            view=opening_view(role),
            first_page=[_queue_row(row) for row in first_page],
            cells=tallied_cells(reader.rows("tally_cells", {}), past_due),
            at=now,
        )

    return _reading(url, read)


def _queue_row(row: tuple) -> QueueRow:
    number_and_id, (service, status), rest = row[:2], row[2:4], row[4:]
    return QueueRow(*number_and_id, Service(service), Status(status), *rest)


def _bound_moment(moment: datetime, dialect: str) -> Any:
    """A moment as models.UTCDateTime stores it: microseconds since the epoch on
    SQLite, a naive UTC timestamp on PostgreSQL."""
    if dialect == "sqlite":
        return (moment - _EPOCH) // timedelta(microseconds=1)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _viewer_sql(dialect: str, login: str) -> tuple[str, dict[str, Any]]:
    sql, constants = STATEMENTS["viewer_id"]["sql"][dialect]
    return sql, {**constants, "login": login}


def first_page_sql(dialect: str, viewer_id: int, limit: int = 50) -> tuple[str, dict[str, Any]]:
    """The opening view's first page as SQL and parameters (for the benchmark's floors)."""
    sql, constants = STATEMENTS["queue_first_page"]["sql"][dialect]
    return sql, {**constants, "viewer_id": viewer_id, "limit": limit, "offset": 0}
