"""The outbox as people look at it: what is waiting, failing or sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

from console.desk import Desk
from models import Notice, NoticeState, Ticket


@dataclass(frozen=True)
class NoticeRow:
    id: int
    number: int
    channel: str
    kind: str
    recipient: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    email_message_id: str | None
    created_at: datetime
    sent_at: datetime | None


# In NoticeRow's order.
_COLUMNS = (
    Notice.id,
    Ticket.number,
    Notice.channel,
    Notice.kind,
    Notice.recipient,
    Notice.state,
    Notice.attempts,
    Notice.next_attempt_at,
    Notice.last_error,
    Notice.email_message_id,
    Notice.created_at,
    Notice.sent_at,
)


def list_notices(
    desk: Desk,
    *,
    states: frozenset[NoticeState] = frozenset(),
    number: int | None = None,
    limit: int = 100,
) -> list[NoticeRow]:
    """The outbox, newest first: what is waiting, failing or sent."""
    query = (
        sa.select(*_COLUMNS)
        .join(Ticket, Ticket.id == Notice.ticket_id)
        .order_by(Notice.id.desc())
        .limit(limit)
    )
    if states:
        query = query.where(Notice.state.in_(sorted(states)))
    if number is not None:
        query = query.where(Ticket.number == number)
    with desk.db.connect() as connection:
        rows = connection.execute(query).all()
    return [NoticeRow(*(_plain(value) for value in row)) for row in rows]


def _plain(value: Any) -> Any:
    """The channel, kind and state by their names, for the listing and its JSON."""
    return value.value if isinstance(value, Enum) else value
