"""Everything about one ticket, read in one short session: the detail pane, the
full-screen view and `wmconsole ticket N` all show this (console.reads.ticket_detail).
The statements are module constants: console/reads/precompiled.py holds them
compiled, for the command line's quick path."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from console.database import Database
from console.errors import NotFound
from console.reads.ticket_detail import (
    AttachmentInfo,
    AuditEntry,
    EscalationInfo,
    OtherTicket,
    ThreadMessage,
    TicketDetail,
    audit_entry,
    other_ticket,
    other_tickets_parameters,
    read_ticket,
    thread_message,
)
from models import (
    Attachment,
    AuditEvent,
    BlockRequest,
    Escalation,
    Message,
    Operator,
    Ticket,
)

__all__ = [
    "AttachmentInfo",
    "AuditEntry",
    "EscalationInfo",
    "OtherTicket",
    "ThreadMessage",
    "TicketDetail",
    "load_ticket",
]

OTHER_TICKETS_SHOWN = 50

_TICKET_ID = sa.bindparam("ticket_id", type_=sa.Integer)
TICKET_BY_NUMBER = select(Ticket).where(Ticket.number == sa.bindparam("number", type_=sa.Integer))
LOGINS = sa.select(Operator.id, Operator.login)
MESSAGES = select(Message).where(Message.ticket_id == _TICKET_ID).order_by(Message.id)
ATTACHMENTS = select(Attachment).where(Attachment.ticket_id == _TICKET_ID).order_by(Attachment.id)
ESCALATIONS = select(Escalation).where(Escalation.ticket_id == _TICKET_ID).order_by(Escalation.id)
BLOCKS = select(BlockRequest).where(BlockRequest.ticket_id == _TICKET_ID).order_by(BlockRequest.id)
# The same customer's other tickets: same WMID, e-mail or phone (a NULL one matches none).
OTHER_TICKETS = (
    sa.select(Ticket.number, Ticket.subject, Ticket.status, Ticket.service, Ticket.created_at)
    .where(
        sa.or_(
            Ticket.customer_wmid == sa.bindparam("wmid", type_=sa.String),
            Ticket.customer_email == sa.bindparam("email", type_=sa.String),
            Ticket.customer_phone == sa.bindparam("phone", type_=sa.String),
        ),
        Ticket.id != _TICKET_ID,
    )
    .order_by(Ticket.created_at.desc())
    .limit(OTHER_TICKETS_SHOWN)
)
AUDIT = select(AuditEvent).where(AuditEvent.ticket_id == _TICKET_ID).order_by(AuditEvent.id)
# By the names read_ticket fetches them with.
STATEMENTS = {
    "ticket_by_number": TICKET_BY_NUMBER,
    "logins": LOGINS,
    "messages": MESSAGES,
    "attachments": ATTACHMENTS,
    "escalations": ESCALATIONS,
    "blocks": BLOCKS,
    "other_tickets": OTHER_TICKETS,
    "audit": AUDIT,
}


def logins_by_id(session: Session) -> dict[int, str]:
    return {id_: login for id_, login in session.execute(LOGINS)}


def load_ticket(db: Database, number: int) -> TicketDetail:
    with db.read() as session:
        detail = read_ticket(
            lambda name, parameters: session.exec(STATEMENTS[name], params=parameters).all(),
            number,
        )
    if detail is None:
        raise NotFound(f"no ticket {number}")
    return detail


def current_versions(db: Database, numbers: list[int]) -> dict[int, int]:
    """Each ticket's version now, by number (a selection to act on again)."""
    if not numbers:
        return {}
    with db.read() as session:
        rows = session.execute(
            sa.select(Ticket.number, Ticket.version).where(Ticket.number.in_(numbers))
        ).all()
    return dict(rows)


def other_tickets(db: Database, number: int) -> list[OtherTicket]:
    """The customer's other tickets, newest first, for a ticket by its number."""
    with db.read() as session:
        ticket = session.exec(TICKET_BY_NUMBER, params={"number": number}).first()
        if ticket is None:
            raise NotFound(f"no ticket {number}")
        return _other_tickets(session, ticket)


def _other_tickets(session: Session, ticket: Ticket) -> list[OtherTicket]:
    parameters = other_tickets_parameters(ticket)
    if parameters is None:
        return []
    return [other_ticket(row) for row in session.execute(OTHER_TICKETS, parameters)]


def audit_entries(
    session: Session, ticket_id: int, logins: dict[int, str], *since: sa.ColumnElement[bool]
) -> list[AuditEntry]:
    """The ticket's audit trail in order (the events `since` picks)."""
    query = AUDIT.where(*since)
    return [audit_entry(e, logins) for e in session.exec(query, params={"ticket_id": ticket_id})]


def thread_messages(
    session: Session, ticket_id: int, logins: dict[int, str], *, after_id: int = 0
) -> list[ThreadMessage]:
    """The ticket's messages in order (those after message `after_id`)."""
    rows = session.exec(MESSAGES.where(Message.id > after_id), params={"ticket_id": ticket_id})
    return [thread_message(m, logins) for m in rows]
