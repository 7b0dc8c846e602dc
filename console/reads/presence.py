"""Who has which ticket open right now: presence rows in the shared database.

Every open console keeps one row, keyed by a console id of its own, fresh with
a heartbeat every few seconds: the ticket it shows and whether its operator is
typing a reply. "Who else has ticket N open" is every other console's row on N
seen within PRESENCE_TTL, so a console that closes without a word (killed, the
network gone) drops out by age within seconds; one that closes cleanly says so
at once. The rows are ephemeral, unlike everything else in the database:
a console's row is deleted when it leaves, and rows an hour stale are pruned.
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa

from console.database import Database
from models import Operator, Presence, PresenceState, Ticket

HEARTBEAT_SECONDS = 2.0
# Three missed heartbeats: long enough for a busy database, short enough that a
# dead console is gone "within seconds".
PRESENCE_TTL = timedelta(seconds=3 * HEARTBEAT_SECONDS)
_PRUNE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Present:
    """Another console on the same ticket."""

    login: str
    name: str
    state: PresenceState
    host: str
    seen_at: datetime

    @property
    def typing(self) -> bool:
        return self.state == PresenceState.typing


def new_console_id() -> str:
    return uuid.uuid4().hex


@cache
def this_host() -> str:
    return socket.gethostname()[:255]


def heartbeat(
    db: Database,
    *,
    console_id: str,
    operator_id: int,
    ticket_number: int | None,
    state: PresenceState,
    now: datetime,
    host: str = "",
) -> None:
    """Say this console is alive, on this ticket (or none), viewing or typing."""
    ticket_id = (
        None
        if ticket_number is None
        else sa.select(Ticket.id).where(Ticket.number == ticket_number).scalar_subquery()
    )
    values = {
        "console_id": console_id,
        "operator_id": operator_id,
        "ticket_id": ticket_id,
        "state": state,
        "host": host,
        "seen_at": now,
    }
    with db.write() as session:
        if db.is_postgres:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(Presence).values(**values)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[Presence.console_id],
                set_={key: statement.excluded[key] for key in values if key != "console_id"},
            )
        )


def leave(db: Database, console_id: str) -> None:
    """This console is closing: it is nowhere any more."""
    with db.write() as session:
        session.execute(sa.delete(Presence).where(Presence.console_id == console_id))


def prune(db: Database, now: datetime) -> int:
    """Forget consoles that died long ago; returns how many."""
    with db.write() as session:
        result = session.execute(sa.delete(Presence).where(Presence.seen_at < now - _PRUNE_AFTER))
        return result.rowcount or 0


def who_else(
    db: Database,
    ticket_number: int,
    *,
    console_id: str,
    now: datetime,
    ttl: timedelta = PRESENCE_TTL,
) -> list[Present]:
    """The other live consoles on this ticket: typists first, then by login."""
    with db.connect() as connection:
        rows = connection.execute(
            sa.select(
                Operator.login, Operator.name, Presence.state, Presence.host, Presence.seen_at
            )
            .join(Operator, Operator.id == Presence.operator_id)
            .join(Ticket, Ticket.id == Presence.ticket_id)
            .where(
                Ticket.number == ticket_number,
                Presence.console_id != console_id,
                Presence.seen_at >= now - ttl,
            )
            .order_by(Operator.login, Presence.console_id)
        ).all()
    present = [Present(*row) for row in rows]
    return sorted(present, key=lambda p: not p.typing)
