"""What others did on a ticket while someone was writing on it: the reply editor
follows the conversation live, and before a reply goes out shows the words of
every message and note and every change of status, holder or escalation made
since the draft began — notes too, though a note never bumps the version.

"Since" is the last audit event the writer had seen (a draft keeps it); a draft
from before drafts kept one counts from its ticket version. What the writer did
themselves is not news to them."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from console.database import Database
from console.errors import NotFound
from console.reads.ticket import (
    AuditEntry,
    ThreadMessage,
    audit_entries,
    logins_by_id,
    thread_messages,
)
from console.reads.ticket_detail import thread_message
from models import AuditEvent, Message, Operator, Ticket


@dataclass(frozen=True)
class News:
    """One thing someone else did, with the words when it wrote a message."""

    entry: AuditEntry
    message: ThreadMessage | None = None


@dataclass(frozen=True)
class TicketNews:
    """A ticket as it is now, and what others did to it since a point."""

    number: int
    version: int
    status: str
    assignee: str | None
    # The newest audit event on the ticket: what the writer has now seen.
    latest_event: int
    items: list[News] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.items)


def latest_event(db: Database, number: int) -> int:
    """The newest audit event on ticket `number` (0 if it has none)."""
    with db.read() as session:
        found = session.execute(
            sa.select(sa.func.max(AuditEvent.id))
            .join(Ticket, Ticket.id == AuditEvent.ticket_id)
            .where(Ticket.number == number)
        ).scalar_one()
    return found or 0


def news_since(
    db: Database,
    number: int,
    *,
    since_event: int | None,
    since_version: int,
    viewer: str | None,
) -> TicketNews:
    """What others did to ticket `number` after audit event `since_event` (or,
    for None, after version `since_version`), oldest first."""
    with db.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is None:
            raise NotFound(f"no ticket {number}")
        logins = logins_by_id(session)
        since = (
            AuditEvent.ticket_version > since_version
            if since_event is None
            else AuditEvent.id > since_event
        )
        others = sa.true()
        if viewer is not None:
            me = session.execute(sa.select(Operator.id).where(Operator.login == viewer)).scalar()
            others = sa.or_(AuditEvent.operator_id.is_(None), AuditEvent.operator_id != me)
        entries = audit_entries(session, ticket.id, logins, since, others)
        latest = session.execute(
            sa.select(sa.func.max(AuditEvent.id)).where(AuditEvent.ticket_id == ticket.id)
        ).scalar_one()
        written = _messages_of(session, entries, logins)
        return TicketNews(
            number=number,
            version=ticket.version,
            status=ticket.status.value,
            assignee=logins.get(ticket.assignee_id),
            latest_event=latest or 0,
            items=[
                News(entry, written.get((entry.after or {}).get("message_id"))) for entry in entries
            ],
        )


def _messages_of(
    session: Session, entries: list[AuditEntry], logins: dict[int, str]
) -> dict[int, ThreadMessage]:
    """The messages the entries wrote, by id."""
    ids = [e.after["message_id"] for e in entries if e.after and "message_id" in e.after]
    if not ids:
        return {}
    rows = session.exec(select(Message).where(Message.id.in_(ids))).all()
    return {m.id: thread_message(m, logins) for m in rows}


def messages_after(db: Database, number: int, after_id: int) -> list[ThreadMessage]:
    """The messages on ticket `number` after message `after_id`, in order: what
    a conversation on screen has not shown yet."""
    with db.read() as session:
        ticket_id = session.exec(select(Ticket.id).where(Ticket.number == number)).first()
        if ticket_id is None:
            raise NotFound(f"no ticket {number}")
        return thread_messages(session, ticket_id, logins_by_id(session), after_id=after_id)
