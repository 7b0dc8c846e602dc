"""The customer's side of a ticket: opened from the form or by mail, confirmed
by the link, written to again, moved to the archive and out of it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from console.desk import Desk
from console.errors import InvalidInput, NotFound, TransitionRefused
from console.identity import Duty
from console.mail.attachments import IncomingAttachment
from console.operations.editing import (
    TicketEdit,
    TicketRow,
    editing,
    finish,
    next_ticket_number,
    refresh_queue_keys,
)
from console.operations.moves import put_in_archive, reopen, reset_clock
from console.operations.thread import add_message, queue_notice, system_message
from console.rules import validation
from console.rules.lifecycle import CLOCK_RUNS
from models import (
    Actor,
    Language,
    Message,
    MessageChannel,
    MessageKind,
    NoticeChannel,
    NoticeKind,
    Operator,
    Service,
    Status,
    Ticket,
)

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_INSERT_TICKET = sa.insert(Ticket.__table__).returning(Ticket.__table__.c.id)
# A new ticket: no escalations, version 1, every other column empty until open_ticket fills it.
_NEW_TICKET = {
    **dict.fromkeys(c.key for c in Ticket.__table__.c if c.key != "id"),
    "escalation_flags": 0,
    "version": 1,
}


@dataclass(frozen=True)
class NewTicket:
    number: int
    status: Status
    confirm_token: str | None
    message_id: int


def guess_language(*texts: str) -> Language:
    return Language.ru if any(_CYRILLIC.search(text) for text in texts) else Language.en


def confirmation_code() -> str:
    """Hex, so the code in the e-mail's link can never begin with a dash and be
    read as an option by `wmconsole confirm`."""
    return secrets.token_hex(24)


def notice_channel(
    channel: NoticeChannel | str | None, *, email: str | None, wmid: str | None
) -> NoticeChannel:
    """The channel the customer chose, else Keeper for a known WMID, else e-mail;
    either way one the ticket has an address for."""
    if email is None and wmid is None:
        raise InvalidInput("a ticket needs the customer's e-mail or WMID to answer to")
    if channel:
        chosen = NoticeChannel(channel)
    else:
        chosen = NoticeChannel.keeper if wmid else NoticeChannel.email
    if chosen == NoticeChannel.keeper and wmid is None:
        raise InvalidInput("Keeper notices need the customer's WMID; choose e-mail or give a WMID")
    if chosen == NoticeChannel.email and email is None:
        raise InvalidInput("e-mail notices need the customer's e-mail address")
    return chosen


def create_ticket(
    desk: Desk,
    *,
    service: Service | str,
    subject: str,
    body: str,
    email: str | None,
    wmid: str | None = None,
    purse: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    channel: NoticeChannel | str | None = None,
    language: Language | str | None = None,
    source: MessageChannel = MessageChannel.form,
    email_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (),
) -> NewTicket:
    """What the site's feedback form calls (the mail intake opens its tickets with
    open_ticket, inside the transaction that takes the whole mail).

    A customer signed in with a WMID is known: the ticket is confirmed at once.
    Anyone else gets an unconfirmed ticket and a confirmation e-mail.
    """
    fields = {
        "service": validation.service(service) if isinstance(service, str) else service,
        "subject": validation.subject(subject),
        "body": validation.body(body),
        "email": validation.email(email) if email else None,
        "wmid": validation.wmid(wmid) if wmid else None,
        "purse": validation.purse(purse) if purse else None,
        "name": validation.customer_name(name),
        "phone": validation.phone(phone) if phone else None,
    }
    fields["notice_channel"] = notice_channel(channel, email=fields["email"], wmid=fields["wmid"])
    fields["language"] = Language(language) if language else None
    with desk.db.write(as_=Duty.intake) as session:
        edit, message_id = open_ticket(
            session,
            desk,
            **fields,
            source=source,
            confirmed=fields["wmid"] is not None,
            email_message_id=email_message_id,
            attachments=attachments,
        )
        finish(edit)
        ticket = edit.ticket
        return NewTicket(ticket.number, ticket.status, ticket.confirm_token, message_id)


def _arrival(now: datetime, *, confirmed: bool) -> dict[str, Any]:
    """The columns of a new ticket that its arrival sets: a confirmed one waits
    for an answer at once, an unconfirmed one for its confirmation code."""
    return {
        "status": Status.new if confirmed else Status.unconfirmed,
        "created_at": now,
        "updated_at": now,
        "last_customer_at": now,
        "waiting_since": now if confirmed else None,
        "confirm_token": None if confirmed else confirmation_code(),
        "confirmed_at": now if confirmed else None,
    }


def open_ticket(
    session: Session,
    desk: Desk,
    *,
    service: Service,
    subject: str,
    body: str,
    email: str | None,
    wmid: str | None,
    purse: str | None,
    name: str | None,
    notice_channel: NoticeChannel,
    language: Language | None,
    source: MessageChannel,
    confirmed: bool,
    email_message_id: str | None,
    attachments: Sequence[IncomingAttachment],
    phone: str | None = None,
    opened_by: Operator | None = None,
) -> tuple[TicketEdit, int]:
    """The new ticket and its first message, inside the caller's transaction, from
    validated values; the caller adds what else belongs to the arrival and finishes
    the edit. An unconfirmed ticket gets its confirmation notice queued. Opened
    by a person (a hotline call), the first message is their note of the call."""
    now = desk.now()
    ticket = TicketRow(
        {
            **_NEW_TICKET,
            "number": next_ticket_number(session),
            "service": service,
            "subject": subject,
            "customer_wmid": wmid,
            "customer_purse": purse,
            "customer_email": email,
            "customer_name": name,
            "customer_phone": phone,
            "notice_channel": notice_channel,
            "language": language or guess_language(subject, body),
            "source": source,
            **_arrival(now, confirmed=confirmed),
            # Whoever took the call holds the ticket: they spoke to the customer.
            **({"assignee_id": opened_by.id, "status": Status.open} if opened_by else {}),
        }
    )
    # Everything derived is settled before the one INSERT, so finishing the
    # edit finds nothing more to update.
    actor, kind = (
        (Actor.operator, MessageKind.note) if opened_by else (Actor.customer, MessageKind.customer)
    )
    edit = TicketEdit(session, desk, ticket, opened_by, actor, "create", now, bumps_version=False)
    reset_clock(edit)
    refresh_queue_keys(ticket)
    ticket_id = session.connection().execute(_INSERT_TICKET, ticket.values()).scalar_one()
    edit.ticket = TicketRow({**ticket.values(), "id": ticket_id})
    message_id = add_message(
        edit, kind, body, source, email_message_id=email_message_id, attachments=attachments
    )
    if not confirmed:
        queue_notice(edit, NoticeKind.confirm)
    return edit, message_id


def confirm(desk: Desk, token: str) -> int:
    """The customer followed the link in the confirmation e-mail. Idempotent."""
    with desk.db.read() as session:
        number = session.exec(
            select(Ticket.number).where(Ticket.confirm_token == token.strip())
        ).first()
    if number is None:
        raise NotFound("no ticket waits for that confirmation code; check the link in the e-mail")
    with editing(desk, number, action="confirm", by=None, actor=Actor.customer) as edit:
        ticket = edit.ticket
        if ticket.status == Status.expired:
            raise TransitionRefused(
                f"ticket {number} expired before it was confirmed; please write to us again"
            )
        if ticket.confirmed_at is not None:
            edit.nothing_changed = True
            return number
        ticket.status = Status.new
        ticket.confirmed_at = edit.now
        ticket.waiting_since = edit.now
        reset_clock(edit)
        system_message(edit, "The customer confirmed the ticket.")
    return number


def extract(
    desk: Desk, number: int, *, by: str | None, expected_version: int | None = None
) -> None:
    """Out of the archive and back to open: by an operator, or by the customer (by=None)."""
    with editing(
        desk,
        number,
        action="extract",
        by=by,
        actor=None if by else Actor.customer,
        expected_version=expected_version,
    ) as edit:
        if edit.ticket.status != Status.archived:
            raise TransitionRefused(f"ticket {number} is {edit.ticket.status.value}, not archived")
        reopen(edit)
        if by is None:
            system_message(edit, "The customer took the ticket out of the archive.")


def customer_archive(desk: Desk, number: int) -> None:
    """The customer moved the ticket to the archive from the site."""
    with editing(desk, number, action="customer_archive", by=None, actor=Actor.customer) as edit:
        status = edit.ticket.status
        if status in (Status.unconfirmed, Status.expired, Status.archived):
            raise TransitionRefused(f"ticket {number} is {status.value} and cannot be archived")
        put_in_archive(edit, "archived by the customer")
        system_message(edit, "The customer moved the ticket to the archive.")


def customer_message(
    desk: Desk,
    number: int,
    body: str,
    *,
    channel: MessageChannel,
    email_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (),
) -> int:
    """The customer wrote again: an answered or archived ticket reopens, and the
    answer clock runs from their earliest unanswered message."""
    body = validation.body(body)
    with editing(desk, number, action="customer_message", by=None, actor=Actor.customer) as edit:
        message_id = add_customer_message(
            edit, body, channel, email_message_id=email_message_id, attachments=attachments
        )
    return message_id


def add_customer_message(
    edit: TicketEdit,
    body: str,
    channel: MessageChannel,
    *,
    email_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (),
) -> int:
    """The customer's message on a locked ticket, inside the caller's transaction:
    an answered or archived ticket reopens and the answer clock runs again."""
    ticket = edit.ticket
    if ticket.status == Status.expired:
        raise TransitionRefused(
            f"ticket {ticket.number} expired unconfirmed; the message needs a new ticket"
        )
    message_id = add_message(
        edit,
        MessageKind.customer,
        body,
        channel,
        email_message_id=email_message_id,
        attachments=attachments,
    )
    ticket.last_customer_at = edit.now
    if ticket.status in (Status.answered, Status.archived):
        if ticket.status == Status.archived:
            system_message(edit, "Reopened from the archive by the customer's message.")
            # The archive notice promised as much: the customer hears it happened.
            queue_notice(edit, NoticeKind.reopened)
        reopen(edit)
    else:
        if ticket.waiting_since is None and ticket.status in CLOCK_RUNS:
            ticket.waiting_since = edit.now
        reset_clock(edit)
    return message_id


def ticket_number_for_message(desk: Desk, email_message_id: str) -> int | None:
    """The ticket that holds a message with this Message-ID, if any (threading, dedupe)."""
    with desk.db.read() as session:
        return session.exec(
            select(Ticket.number)
            .join(Message, Message.ticket_id == Ticket.id)
            .where(Message.email_message_id == email_message_id)
        ).first()
